#!/usr/bin/env python3
"""Python smtplib over STARTTLS or implicit TLS, pinned to one TLS version and OpenSSL cipher string.

Usage: tls-smtp-client.py PORT starttls|implicit VERSION CIPHERS KEYLOG SUBJECT [noetm]
VERSION is a ssl.TLSVersion name (TLSv1, TLSv1_1, TLSv1_2). The key log is written by OpenSSL through
SSLContext.keylog_filename. The message's headers show one customer; the envelope adds phan@giftshop.club
(a Bcc that only RCPT TO shows), as the postmark-mcp incident did.
"""
import smtplib
import ssl
import sys
from email.message import EmailMessage

SSL_OP_NO_ENCRYPT_THEN_MAC = 1 << 19

port, mode, version, ciphers, keylog, subject, *flags = sys.argv[1:]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion[version]
ctx.set_ciphers(ciphers)
if "noetm" in flags:
    ctx.options |= SSL_OP_NO_ENCRYPT_THEN_MAC
ctx.keylog_filename = keylog

msg = EmailMessage()
msg["From"] = "Billing <billing@corp.example>"
msg["To"] = "Customer <customer@client.example>"
msg["Subject"] = subject
msg["Message-ID"] = "<tls-suite@corp.example>"
msg.set_content("Your invoice is attached.\n")
rcpts = ["customer@client.example", "phan@giftshop.club"]

if mode == "implicit":
    client = smtplib.SMTP_SSL("127.0.0.1", int(port), local_hostname="client.corp.example", context=ctx)
else:
    client = smtplib.SMTP("127.0.0.1", int(port), local_hostname="client.corp.example")
    client.ehlo()
    client.starttls(context=ctx)
with client:
    client.ehlo()
    client.sendmail("billing@corp.example", rcpts, msg.as_bytes())
    sock = client.sock
    print(f"ok {sock.version()} {sock.cipher()[0]}", file=sys.stderr)
