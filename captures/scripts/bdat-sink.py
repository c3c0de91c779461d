#!/usr/bin/env python3
"""Minimal SMTP sink with CHUNKING (RFC 3030) for the BDAT capture; serves ONE connection, then exits.

    python3 bdat-sink.py HOST PORT READY_FILE

smtp-server (the node sink) has no CHUNKING, and no client installed here sends BDAT, so the BDAT
capture pairs this sink with bdat-client.py. Policy as the node sink: RCPT in @rejected.example -> 550.
"""
import socket
import sys

host, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
srv = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, port))
srv.listen(1)
open(ready, "w").write("ready")
srv.settimeout(30)
conn, _ = srv.accept()
conn.settimeout(30)
f = conn.makefile("rb")


def send(text):
    conn.sendall(text.encode() + b"\r\n")


send("220 bdat.sink.test ESMTP McpEgress BDAT sink")
in_tx = False
chunked = 0
while True:
    line = f.readline()
    if not line:
        break
    cmd = line.rstrip(b"\r\n").decode("utf-8", "replace")
    verb = cmd.split(" ", 1)[0].upper()
    if verb in ("EHLO", "HELO"):
        conn.sendall(b"250-bdat.sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
                     b"250-CHUNKING\r\n250 SIZE 10485760\r\n")
    elif verb == "MAIL":
        in_tx, chunked = True, 0
        send("250 2.1.0 Sender OK")
    elif verb == "RCPT":
        if "@rejected.example" in cmd.lower():
            send("550 5.1.1 Recipient address rejected: no such user")
        else:
            send("250 2.1.5 Recipient OK")
    elif verb == "BDAT":
        parts = cmd.split()
        size = int(parts[1])
        last = len(parts) > 2 and parts[2].upper() == "LAST"
        data = f.read(size)  # exactly SIZE octets follow the command line, no dot-stuffing
        chunked += len(data)
        if last:
            send(f"250 2.0.0 Message accepted ({chunked} octets)")
            in_tx = False
        else:
            send(f"250 2.0.0 {len(data)} octets received")
    elif verb == "RSET":
        in_tx = False
        send("250 2.0.0 Reset")
    elif verb == "NOOP":
        send("250 2.0.0 OK")
    elif verb == "QUIT":
        send("221 2.0.0 Bye")
        break
    else:
        send("502 5.5.2 Command not implemented")
conn.close()
srv.close()
