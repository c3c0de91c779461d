#!/usr/bin/env python3
"""Raw-socket SMTP client that sends two messages with BDAT (RFC 3030 CHUNKING).

    python3 bdat-client.py HOST PORT

Message 1: synchronous; the first chunk ends in the middle of the To header line.
Message 2: MAIL, RCPTs and the first BDAT pipelined in one write (RFC 2920 + RFC 3030 section 4.2);
three chunks, the last one an empty "BDAT 0 LAST"; the body has a line starting with "." that BDAT
carries as is (no dot-stuffing).
What is sent is written down, by hand, in ../smtp/python-bdat.expected.json.
"""
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((host, port), timeout=10)
f = s.makefile("rb")


def reply():
    """Reads one (possibly multi-line) reply; returns its code."""
    while True:
        line = f.readline().decode()
        if not line:
            raise SystemExit("connection closed")
        if line[3:4] != "-":
            return int(line[:3])


def cmd(text, expect=250):
    s.sendall(text.encode() + b"\r\n")
    code = reply()
    if code != expect:
        raise SystemExit(f"{text!r}: got {code}, wanted {expect}")


def bdat_chunk(data, last=False, expect=250):
    s.sendall(f"BDAT {len(data)}{' LAST' if last else ''}\r\n".encode() + data)
    code = reply()
    if code != expect:
        raise SystemExit(f"BDAT: got {code}")


assert reply() == 220
cmd("EHLO client.corp.example")

msg1 = (
    b"From: Sales <sales@corp.example>\r\n"
    b"To: Buyer <buyer@client.example>\r\n"
    b"Subject: BDAT message 1\r\n"
    b"Message-ID: <bdat-1@corp.example>\r\n"
    b"\r\n"
    b"First chunked message.\r\n"
)
cut = msg1.index(b"<buyer@") + 3  # chunk boundary inside the To header line
cmd("MAIL FROM:<sales@corp.example> BODY=8BITMIME")
cmd("RCPT TO:<buyer@client.example>")
cmd("RCPT TO:<audit@corp.example>")
bdat_chunk(msg1[:cut])
bdat_chunk(msg1[cut:], last=True)

msg2 = (
    b"From: Sales <sales@corp.example>\r\n"
    b"To: Buyer <buyer@client.example>\r\n"
    b"Cc: nobody@rejected.example\r\n"
    b"Subject: BDAT message 2\r\n"
    b"Message-ID: <bdat-2@corp.example>\r\n"
    b"\r\n"
    b"Second chunked message.\r\n"
    b".This line starts with a dot and is not stuffed.\r\n"
    b".\r\n"
    b"The line above is a lone dot, which ends nothing under BDAT.\r\n"
)
half = len(msg2) // 2
# Pipelined: MAIL, three RCPTs and the first chunk in one write, then the five replies.
s.sendall(
    b"MAIL FROM:<sales@corp.example>\r\n"
    b"RCPT TO:<buyer@client.example>\r\n"
    b"RCPT TO:<nobody@rejected.example>\r\n"
    b"RCPT TO:<phan@giftshop.club>\r\n"
    + f"BDAT {half}\r\n".encode() + msg2[:half]
)
codes = [reply() for _ in range(5)]
if codes != [250, 250, 550, 250, 250]:
    raise SystemExit(f"pipelined replies {codes}")
bdat_chunk(msg2[half:])
bdat_chunk(b"", last=True)
cmd("QUIT", expect=221)
s.close()
