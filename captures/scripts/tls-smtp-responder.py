#!/usr/bin/env python3
"""A scripted one-connection SMTP responder with STARTTLS or implicit TLS, pinned to one TLS version/suite.

Usage: tls-smtp-responder.py PORT READY_FILE --mode starttls|implicit --backend openssl|gnutls
           --cert CERT --key KEY (--ciphers OPENSSL_CIPHERS --version TLSv1|TLSv1_1|TLSv1_2 [--noetm]
                                  | --priority GNUTLS_PRIORITY)

openssl: Python's ssl module (OpenSSL 3.0), min = max version, the cipher string as given (it carries
@SECLEVEL=0 for the legacy suites; SEED needs OPENSSL_CONF loading the legacy provider).
gnutls: libgnutls over ctypes (scripts/gnutls_socket.py) with the priority string as given.
Replies: 220 banner, EHLO 250 (PIPELINING, 8BITMIME, STARTTLS before TLS in starttls mode), MAIL/RCPT 250
(RCPT in @rejected.example gets 550), DATA 354 ... 250, RSET/NOOP 250, QUIT 221. Ends after one connection.
"""
import argparse
import os
import socket
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

BANNER = b"220 mx.sink.test ESMTP McpEgress TLS-suite responder\r\n"
SSL_OP_NO_ENCRYPT_THEN_MAC = 1 << 19


def openssl_server(sock, a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    version = ssl.TLSVersion[a.version]
    ctx.minimum_version = ctx.maximum_version = version
    ctx.set_ciphers(a.ciphers)
    if a.noetm:
        ctx.options |= SSL_OP_NO_ENCRYPT_THEN_MAC
    ctx.load_cert_chain(a.cert, a.key)
    return ctx.wrap_socket(sock, server_side=True)


def gnutls_server(sock, a):
    from gnutls_socket import GnuTlsSocket
    return GnuTlsSocket(sock, True, a.priority, a.cert, a.key)


class Lines:
    """CRLF line reader over a plain or TLS socket; the buffer is dropped at the STARTTLS switch."""

    def __init__(self, conn):
        self.conn, self.buf = conn, b""

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.conn.recv(4096)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")


def serve(conn, raw, a):
    tls = a.mode == "implicit"
    wrap = openssl_server if a.backend == "openssl" else gnutls_server
    if tls:
        conn = wrap(raw, a)
    conn.sendall(BANNER)
    reader = Lines(conn)
    while True:
        line = reader.line()
        if line is None:
            break
        print("C:", line.decode("latin-1"), file=sys.stderr)
        verb = line.split(b" ", 1)[0].split(b":", 1)[0].upper()
        if verb in (b"EHLO", b"HELO"):
            ext = [b"mx.sink.test", b"PIPELINING", b"8BITMIME"]
            if not tls and a.mode == "starttls":
                ext.append(b"STARTTLS")
            if verb == b"HELO":
                ext = ext[:1]
            conn.sendall(b"".join(b"250" + (b" " if i == len(ext) - 1 else b"-") + e + b"\r\n" for i, e in enumerate(ext)))
        elif verb == b"STARTTLS" and not tls and a.mode == "starttls":
            conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
            conn = wrap(raw, a)
            reader = Lines(conn)
            tls = True
        elif verb == b"MAIL":
            conn.sendall(b"250 2.1.0 Ok\r\n")
        elif verb == b"RCPT":
            conn.sendall(b"550 5.1.1 No such user\r\n" if b"@rejected.example" in line.lower() else b"250 2.1.5 Ok\r\n")
        elif verb == b"DATA":
            conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            while True:
                body = reader.line()
                if body is None or body == b".":
                    break
            conn.sendall(b"250 2.0.0 Ok: queued as 4F2A1C\r\n")
        elif verb in (b"RSET", b"NOOP"):
            conn.sendall(b"250 2.0.0 Ok\r\n")
        elif verb == b"QUIT":
            conn.sendall(b"221 2.0.0 Bye\r\n")
            break
        else:
            conn.sendall(b"502 5.5.2 Command not recognized\r\n")
    if hasattr(conn, "description"):
        print("tls:", conn.description(), file=sys.stderr)
    elif tls:
        print("tls:", conn.version(), conn.cipher(), file=sys.stderr)
    try:
        if isinstance(conn, ssl.SSLSocket):
            conn.unwrap()
        elif conn is not raw:
            conn.close()
    except (OSError, ssl.SSLError):
        pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("ready")
    p.add_argument("--mode", choices=["starttls", "implicit"], required=True)
    p.add_argument("--backend", choices=["openssl", "gnutls"], required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ciphers")
    p.add_argument("--version", default="TLSv1_2")
    p.add_argument("--noetm", action="store_true")
    p.add_argument("--priority")
    a = p.parse_args()
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", a.port))
        s.listen(1)
        open(a.ready, "w").close()
        raw, _ = s.accept()
        with raw:
            serve(raw, raw, a)


if __name__ == "__main__":
    main()
