#!/usr/bin/env python3
# smtperr — SMTP error mapping for mail clients.
# Distributed under the Boost Software License, Version 1.0.
"""Writes the seed corpora of fuzz_classify, fuzz_sasl, fuzz_sanitize, fuzz_session and
fuzz_cli_classify into
tests/fuzz/corpus/<target>/ from real replies: the Sisimai texts (tests/data/sisimai) and
provider replies. Run from anywhere; it replaces the seed_* files it owns.

    python3 tests/fuzz/make_seeds.py
"""
import base64
import csv
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"

PHASES = ["greeting", "ehlo", "helo", "starttls", "auth", "mail", "rcpt", "data", "data_end",
          "rset", "quit"]
# Index into fuzz_classify.cpp's host table.
HOSTS = {"": 0, "smtp.gmail.com": 1, "smtp.office365.com": 2, "smtp.mail.yahoo.com": 3,
         "smtp.mail.me.com": 4, "mail.gmx.net": 5, "securesmtp.t-online.de": 6}
MECH = {"": 0, "PLAIN": 1, "XOAUTH2": 3, "OAUTHBEARER": 5}

PROVIDER_REPLIES = [
    ("auth", "smtp.gmail.com", "PLAIN",
     b"534-5.7.9 Application-specific password required. Learn more at\r\n"
     b"534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor d2e1a72fcca58-7.1 - gsmtp\r\n"),
    ("auth", "smtp.gmail.com", "PLAIN",
     b"535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
     b"535 5.7.8  https://support.google.com/mail/?p=BadCredentials a640c23a62f3a-ab - gsmtp\r\n"),
    ("auth", "smtp.gmail.com", "XOAUTH2",
     b"334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\r\n"
     b"535-5.7.8 Username and Password not accepted. Learn more at\r\n"
     b"535 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp\r\n"),
    ("auth", "smtp.office365.com", "PLAIN",
     b"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
     b"Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.\r\n"),
    ("mail", "smtp.office365.com", "",
     b"554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied\r\n"),
    ("rcpt", "", "", b"450 4.7.1 <bob@example.org>: Recipient address rejected: Greylisted, see "
                     b"http://postgrey.schweikert.ch/help/example.org.html\r\n"),
    ("ehlo", "", "", b"250-smtp.example.net Hello\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n"
                     b"250-ENHANCEDSTATUSCODES\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250 SMTPUTF8\r\n"),
    ("rcpt", "", "", b"551 5.1.6 User not local; please try <bob@new.example.org>\r\n"),
    ("data_end", "", "", b"451 4.3.0 <a@b>: Temporary lookup failure; said: 550 5.1.1 user unknown\r\n"),
    ("greeting", "", "", b"421 4.3.2 mail.example.net Service not available\r\n"),
]


def sisimai_rows():
    with open(ROOT / "tests" / "data" / "sisimai" / "diagnostics.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    # One row per reason (the first), so the seeds cover the whole vocabulary.
    seen = {}
    for r in rows:
        seen.setdefault(r["reason"], r)
    return list(seen.values())


def wire(row):
    code = row["reply_code"] if row["reply_code"] not in ("-", "") else (
        "450" if row["status"].startswith("4") else "550")
    text = row["text"][:300]
    return (text if text[:3] == code else code + " " + text).encode() + b"\r\n"


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed_" + name)).write_bytes(data)


def classify_seeds():
    cmd_phase = {"RCPT": "rcpt", "MAIL": "mail", "DATA": "data_end", "EHLO": "ehlo",
                 "HELO": "helo", "QUIT": "quit"}
    for r in sisimai_rows():
        ph = PHASES.index(cmd_phase.get(r["smtp_command"], "rcpt"))
        write("classify", "sisimai_" + r["reason"], bytes([ph, 0, 0]) + wire(r))
    for i, (ph, host, mech, data) in enumerate(PROVIDER_REPLIES):
        write("classify", "provider_%02d" % i,
              bytes([PHASES.index(ph), HOSTS[host], MECH[mech] | (i << 3) & 0xF8]) + data)
    # A host taken from the input (bit 4 of byte 1).
    write("classify", "own_host", bytes([PHASES.index("auth"), 0x10, 0]) +
          b"smtp.googlemail.com\n535 5.7.8 https://support.google.com/x bad\r\n")


def sasl_seeds():
    challenges = {
        "gmail": b'{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}',
        "oauthbearer": b'{"status":"invalid_token","scope":"example_scope",'
                       b'"openid-configuration":"https://example.com/.well-known/openid-configuration"}',
        "nested": b'{"status":"401","x":{"a":[1,2,{"b":null}],"c":true},"scope":"s\\u00e9 \\"q\\""}',
        "empty": b"{}",
        "not_object": b'["status","401"]',
    }
    for name, js in challenges.items():
        write("sasl", name, base64.b64encode(js))
    write("sasl", "padded", base64.b64encode(b'{"status":"403"}') + b"  \r")
    write("sasl", "bad_base64", b"eyJzdGF0dXMiOi=I0MDAifQ")


def sanitize_seeds():
    for r in sisimai_rows()[:12]:
        write("sanitize", "sisimai_" + r["reason"], b"\x00" + r["text"].encode())
    hostile = {
        "ansi": b"\x00550 5.7.1 \x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \x9b2J",
        "bidi": "\x00550 5.1.1 user \u202eexe.txt\u202c \u2066iso\u2069 \u200emark\u061c".encode(),
        "zero_width": "\x00550 in\u200bvi\u200csi\u200dble\u2060\ufeff tag\U000e0041\U000e007f".encode(),
        "invalid_utf8": b"\x00550 bad \xc3\x28 \xe2\x82 \xf0\x9f\x98 \xed\xa0\x80 \xc0\xaf \xff end",
        "multiline": b"\x04550-5.1.1 first line\r\n550-5.1.1\r\n550 5.1.1 last\ttab\x0bvt",
        "long": b"\x05" + "ü".encode() * 200 + b" " * 50 + b"x" * 100,
        "status_only": b"\x012.0.0 5.1.1 4.7.0",
        "controls": bytes([0x03]) + bytes(range(0, 0x20)) + b"text" + "\u0085\u00a0\u2028".encode(),
    }
    for name, data in hostile.items():
        write("sanitize", name, data)


def session_seeds():
    SEP = b"\xff"
    ehlo = b"250-mx.example.net\r\n250-PIPELINING\r\n250-SIZE 10000000\r\n250-8BITMIME\r\n" \
           b"250-ENHANCEDSTATUSCODES\r\n250 AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER\r\n"
    ehlo_nopipe = b"250-mx.example.net\r\n250 AUTH PLAIN LOGIN\r\n"
    ehlo_tls = b"250-mx.example.net\r\n250-STARTTLS\r\n250 PIPELINING\r\n"
    greeting = b"220 mx.example.net ESMTP\r\n"
    pipelined_ok = b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
    seeds = {
        # tls none, password, plaintext AUTH allowed, PLAIN, pipelining, delivered.
        "plain_sent": (0x02, 0x05, [greeting, ehlo, b"235 2.7.0 Authentication successful\r\n",
                                    pipelined_ok, b"250 2.0.0 Ok: queued as 4Xyz\r\n",
                                    b"221 2.0.0 Bye\r\n"]),
        # No pipelining, two recipients, one rejected.
        "lockstep_partial": (0x08, 0x00, [greeting, ehlo_nopipe, b"250 2.1.0 Ok\r\n",
                                          b"250 2.1.5 Ok\r\n", b"550 5.1.1 <rcpt1@example.net>: "
                                          b"Recipient address rejected: User unknown\r\n",
                                          b"354 go ahead\r\n", b"250 2.0.0 queued\r\n",
                                          b"221 bye\r\n"]),
        # Pipelined, two recipients, the second rejected: each RCPT's reply is its own (the
        # target matches replies to commands by count).
        "pipelined_partial": (0x08, 0x00, [greeting, ehlo, b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
                                           b"550 5.1.1 unknown\r\n354 go\r\n",
                                           b"250 2.0.0 queued\r\n", b"221 bye\r\n"]),
        # One recipient per transaction, RSET in between.
        "two_transactions": (0x28, 0x00, [greeting, ehlo, pipelined_ok, b"250 ok\r\n",
                                          pipelined_ok, b"250 ok\r\n", b"221 bye\r\n"]),
        # LOGIN with challenges, then 535 with the password echoed back.
        "login_echo": (0x02, 0x06, [greeting, ehlo_nopipe, b"334 VXNlcm5hbWU6\r\n",
                                    b"334 UGFzc3dvcmQ6\r\n",
                                    b"535 5.7.8 bad credentials for \xfe\x00 (\xfe\x02)\r\n",
                                    b"221 bye\r\n"]),
        # XOAUTH2 error challenge, then 535.
        "xoauth2_error": (0x06, 0x04, [greeting, ehlo, b"334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoi"
                                       b"QmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\r\n",
                                       b"535 5.7.8 token \xfe\x05 invalid\r\n", b"221 bye\r\n"]),
        # STARTTLS required and offered: the fake server answers 220, TLS fails.
        "starttls_offered": (0x03, 0x04, [greeting, ehlo_tls, b"220 2.0.0 Ready to start TLS\r\n",
                                          b"250 ok\r\n"]),
        # STARTTLS required, not offered (stripped).
        "starttls_stripped": (0x03, 0x00, [greeting, ehlo, b"221 bye\r\n"]),
        # STARTTLS response injection.
        "starttls_injection": (0x03, 0x00, [greeting, ehlo_tls,
                                            b"220 go\r\n250-injected\r\n250 AUTH PLAIN\r\n"]),
        # Connection lost after the final dot.
        "lost_after_dot": (0x00, 0x00, [greeting, ehlo, pipelined_ok]),
        # 354 with the reply to the dot in the same burst, before any data was sent.
        "early_250": (0x00, 0x00, [greeting, ehlo, pipelined_ok + b"250 ok\r\n"]),
        # Replies split in the middle, a multi-line greeting, a stall at the end of data.
        "split": (0x40, 0x00, [b"220-mx", b".example.net\r\n220 ESMTP\r\n", ehlo[:30], ehlo[30:],
                               b"250 2.1.0 Ok\r\n250 2.1.5", b" Ok\r\n354 go\r\n", b"\xfd"]),
        # Umlaut domains (bit 7), two recipients: without SMTPUTF8 they go as A-labels;
        # with it (three recipients, the third with a non-ASCII local part) as UTF-8.
        "idn_no_smtputf8": (0x88, 0x00, [greeting, ehlo, b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
                                         b"250 2.1.5 Ok\r\n354 go\r\n", b"250 2.0.0 queued\r\n",
                                         b"221 bye\r\n"]),
        "idn_smtputf8": (0x90, 0x00, [greeting, b"250-mx.example.net\r\n250-PIPELINING\r\n"
                                      b"250 SMTPUTF8\r\n", b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
                                      b"250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n",
                                      b"250 2.0.0 queued\r\n", b"221 bye\r\n"]),
        "greeting_554": (0x00, 0x00, [b"554 5.7.1 no SMTP service here\r\n", b"221 bye\r\n"]),
        "bare_lf_nul": (0x00, 0x00, [b"220 hi\n", b"250-x\x00y\n250 PIPELINING\n", pipelined_ok]),
    }
    for name, (f0, f1, chunks) in seeds.items():
        write("session", name, bytes([f0, f1]) + SEP.join(chunks))


def cli_classify_seeds():
    # Byte 0: language and piece sizes; byte 1: line limit (0: 1 MiB). Then JSON lines.
    lines = []
    for i, (ph, host, mech, data) in enumerate(PROVIDER_REPLIES):
        obj = {"id": i, "phase": ph, "host": host or None, "reply": data.decode().rstrip("\r\n")}
        if mech:
            obj["mechanism"] = mech
        lines.append(json.dumps(obj))
    write("cli_classify", "providers", b"\x00\x00" + "\n".join(lines).encode() + b"\n")
    sisimai = [json.dumps({"reply": wire(r).decode().rstrip("\r\n"), "id": r["id"]})
               for r in sisimai_rows()]
    groups = [[]]
    for line in sisimai:  # Under 2 KiB a seed: the target's -max_len.
        if groups[-1] and len("\r\n".join(groups[-1] + [line])) > 2000:
            groups.append([])
        groups[-1].append(line)
    for k, group in enumerate(groups):
        write("cli_classify", "sisimai_%02d" % k,
              bytes([k * 2 % 256 | k % 2, 0]) + "\r\n".join(group).encode())
    write("cli_classify", "bad_lines", b"\x02\x00" + b"\n".join([
        b"this is not JSON", b'{"phase": "nowhere", "reply": "250 ok"}', b"[1, 2]",
        b'{"reply": 550}', b'{"reply": ""}', b'{"reply": "550 x", "host": 7}',
        b'{"reply": "550 x", "mechanism": []}', b'{"reply": "550 x", "phase": 3, "id": "a"}',
        b"   \t\r", b'{"reply": "250 ok\\r\\n250 trailing"}', b'{"reply": "55"}']) + b"\n")
    write("cli_classify", "short_limit", b"\x05\x08" + b"\n".join([
        b'{"reply": "550 5.1.1 user unknown"}',
        b'{"reply": "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"}',
        b" " * 80, b'{"reply":"421 \\u001b[31mbusy\\u202e"}']))
    # A byte order mark before the first line (ignored) and before the second (no JSON).
    write("cli_classify", "byte_order_mark", b"\x03\x00" + b"\xef\xbb\xbf" + b"\n\xef\xbb\xbf".join(
        [b'{"reply": "550 5.1.1 x"}', b'{"reply": "421 4.7.0 later"}']) + b"\n")


def main():
    classify_seeds()
    sasl_seeds()
    sanitize_seeds()
    session_seeds()
    cli_classify_seeds()


if __name__ == "__main__":
    main()
