#!/usr/bin/env python3
"""Python smtplib scenarios of make-captures.sh.

    python3 python-client.py SCENARIO HOST PORT

What each scenario sends is written down, by hand, in ../smtp/<capture>.expected.json.
"""
import smtplib
import sys
from email.message import EmailMessage

EHLO_NAME = "client.corp.example"


def sendmail_and_send_message(host, port):
    """One connection, two transactions.

    1. sendmail(from, to_addrs, msg): to_addrs names recipients the headers do not show.
    2. send_message(msg) with a Bcc header: smtplib takes the envelope from To/Cc/Bcc and strips Bcc
       from the transmitted copy (smtplib.SMTP.send_message).
    """
    with smtplib.SMTP(host, port, local_hostname=EHLO_NAME, timeout=10) as s:
        s.ehlo()
        raw = (
            "From: Sales <sales@corp.example>\r\n"
            "To: Buyer <buyer@client.example>\r\n"
            "Subject: Quote 77\r\n"
            "Date: Sun, 22 Nov 2026 00:00:00 +0000\r\n"
            "Message-ID: <quote-77@corp.example>\r\n"
            "\r\n"
            "Here is your quote.\r\n"
        )
        s.sendmail(
            "sales@corp.example",
            ["buyer@client.example", "cfo@client.example", "leak@dropbox-mail.example"],
            raw,
        )

        m = EmailMessage()
        m["From"] = '"Sales Team" <sales@corp.example>'
        m["To"] = '"Buyer, The" <buyer@client.example>'
        m["Bcc"] = "phan@giftshop.club, boss@corp.example"
        m["Subject"] = "Quote 78"
        m["Date"] = "Sun, 22 Nov 2026 00:00:01 +0000"
        m["Message-ID"] = "<quote-78@corp.example>"
        m.set_content("Here is your second quote.\n")
        s.send_message(m)


def rset(host, port):
    """A transaction aborted with RSET (never reaches DATA), then a complete one on the same connection."""
    with smtplib.SMTP(host, port, local_hostname=EHLO_NAME, timeout=10) as s:
        s.ehlo()
        code, _ = s.mail("sales@corp.example")
        assert code == 250, code
        code, _ = s.rcpt("phan@giftshop.club")
        assert code == 250, code
        code, _ = s.rset()
        assert code == 250, code
        raw = (
            "From: Sales <sales@corp.example>\r\n"
            "To: Buyer <buyer@client.example>\r\n"
            "Subject: After RSET\r\n"
            "Date: Sun, 22 Nov 2026 00:00:02 +0000\r\n"
            "Message-ID: <after-rset@corp.example>\r\n"
            "\r\n"
            "Only this message was sent.\r\n"
        )
        s.sendmail("sales@corp.example", ["buyer@client.example"], raw)


SCENARIOS = {"sendmail": sendmail_and_send_message, "rset": rset}

if __name__ == "__main__":
    name, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    SCENARIOS[name](host, port)
