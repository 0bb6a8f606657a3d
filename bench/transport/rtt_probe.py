#!/usr/bin/env python3
# smtperr — SMTP error mapping for mail clients.
# Distributed under the Boost Software License, Version 1.0.
"""Measures the SMTP round trip on a path: the mean time of N NOOPs, one at a time, in ms.

run.sh divides elapsed times by this as well as by the nominal delay, since the proxy and
the sink add to the delay (more so on a loaded machine).

    rtt_probe.py --port P [--count 30]
"""

import argparse
import socket
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, default=30)
    args = p.parse_args()
    s = socket.create_connection(("127.0.0.1", args.port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")

    def reply():
        while True:
            line = f.readline()
            if len(line) < 4 or line[3:4] != b"-":
                return line

    reply()
    s.sendall(b"EHLO probe.test\r\n")
    reply()
    start = time.monotonic()
    for _ in range(args.count):
        s.sendall(b"NOOP\r\n")
        reply()
    print(f"{(time.monotonic() - start) / args.count * 1000:.2f}")
    s.sendall(b"QUIT\r\n")
    reply()
    s.close()


if __name__ == "__main__":
    main()
