#!/usr/bin/env python3
# smtperr — SMTP error mapping for mail clients.
# Distributed under the Boost Software License, Version 1.0.
"""Python's smtplib on the same sink: M messages over one connection, one sendmail() each.

Prints one line of key=value figures like smtperr_send_bench, and fails (exit 2) unless the
server took every message.

    smtplib_bench.py --port P [--messages 1000] [--size 1024]
"""

import argparse
import smtplib
import sys
import time


def make_body(size):
    """The same message as smtperr_send_bench: a header and `size` octets in 64-octet lines."""
    body = "From: <bench@client.test>\r\nTo: <sink@sink.test>\r\nSubject: bench\r\n\r\n"
    n = 0
    while n < size:
        line = min(62, size - n)
        body += "x" * line + "\r\n"
        n += line + 2
    return body.encode("ascii")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--messages", type=int, default=1000)
    p.add_argument("--size", type=int, default=1024)
    args = p.parse_args()
    body = make_body(args.size)
    sent = 0
    start = time.monotonic()
    with smtplib.SMTP(args.host, args.port, local_hostname="bench.client.test") as s:
        for _ in range(args.messages):
            refused = s.sendmail("bench@client.test", ["sink@sink.test"], body)
            if not refused:
                sent += 1
    secs = time.monotonic() - start
    print(
        f"client=smtplib connections=1 messages={args.messages} sent={sent} "
        f"not_sent={args.messages - sent} seconds={secs:.4f} "
        f"msgs_per_s={args.messages / secs:.1f}"
    )
    return 0 if sent == args.messages else 2


if __name__ == "__main__":
    sys.exit(main())
