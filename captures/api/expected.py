#!/usr/bin/env python3
"""Writes X.expected.json for every capture in this folder from what the client scripts (clients/*.js, mcp/*.js) told
the official clients to send: the sender's knowledge, never the monitor's output. Alerts are written by hand per
message; this script cross-checks them against the alert policy below and refuses to write on a mismatch.

Alert policy (issue 4):
  denied-domain          any recipient, in any role, in a denied domain (giftshop.club);
  hidden-foreign-domain  a hidden recipient (API bcc field, MIME Bcc header, or envelope-only) whose domain is neither
                         the From domain nor a visible To/Cc domain, where equal, parent or child domains count as the
                         same, and not in allowed_domains. A denied hidden recipient raises both.
Known sinks (issue 14): a capture's "known_sinks" (hidden address -> CRM vendor, src/McpEgress/Detection/KnownSinks.cs)
are never hidden-foreign-domain. A capture whose "rules" lists the baseline rules (hidden-sink, new-hidden-domain,
behaviour-change) expects exactly the alerts written for them too (the golden tests compare only the listed rules).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DENIED = ["giftshop.club"]
ALLOWED = []
PKG = json.load(open(os.path.join(HERE, "package.json")))["dependencies"]

DEN = lambda a: {"rule": "denied-domain", "address": a}
HID = lambda a: {"rule": "hidden-foreign-domain", "address": a}
TLS13 = {"version": "TLS 1.3", "cipher": "TLS_AES_256_GCM_SHA384"}


def msg(provider, endpoint, frm, to, subject, cc=(), bcc=(), api_envelope=(), alerts=(), notes=None):
    to, cc, bcc, env = list(to), list(cc), list(bcc), list(api_envelope)
    hidden = list(bcc)
    for a in env:  # envelope-only recipients (raw sends): envelope minus the visible and Bcc lists
        if a.lower() not in {x.lower() for x in to + cc + hidden}:
            hidden.append(a)
    m = {
        "provider": provider,
        "endpoint": endpoint,
        "mail_from": None,
        "rcpt_to": [],
        "from": frm,
        "to": to,
        "cc": cc,
        "bcc": bcc,
        "bcc_header": bcc,
        "api_envelope": env,
        "hidden": hidden,
        "subject": subject,
        "expect_alerts": list(alerts),
    }
    if notes:
        m["notes"] = notes
    return m


def cap(name, client, messages, secrets, tls=TLS13, http="HTTP/1.1", alpn="http/1.1", fmt="pcap", link="EN10MB", keys=True, requests=None,
        notes=None, rules=None, known_sinks=None):
    ext = "pcapng" if fmt == "pcapng" else "pcap"
    d = {
        "capture": f"{name}.{ext}",
        "keys": f"{name}.keys" if keys else None,
        "client": client,
        "server": "standin.js (Node 20 http2.createSecureServer, allowHTTP1, test CA in pki/)",
        "file_format": fmt,
        "link_type": link,
        "server_port": 443,
        "tls": tls,
        "http": http,
        "alpn_offered": alpn,
        "requests": requests,
        "denied_domains": DENIED,
        "allowed_domains": ALLOWED,
        **({"rules": rules} if rules else {}),
        **({"known_sinks": known_sinks} if known_sinks else {}),
        "messages": messages,
        "secrets_absent": secrets,
    }
    if notes:
        d["notes"] = notes
    return name, d


V = lambda p: f"{p} {PKG[p]}"

# CRM-logging Bcc addresses (known sinks, src/McpEgress/Detection/KnownSinks.cs) used by clients/crm-bcc.js.
HUBSPOT, PIPEDRIVE = "20418773@bcc.hubspot.com", "corp-example@pipedrivemail.com"
CAPSULE, PIPELINE = "dropbox@94012377.corp.capsulecrm.com", "cc@app.pipelinecrm.com"
FRESHSALES, NUTSHELL = "sales@corp.freshsales.io", "ibx_i0068e_1ed70ec324@nutshellemail.com"
CRM_SINKS = {HUBSPOT: "HubSpot", PIPEDRIVE: "Pipedrive", CAPSULE: "Capsule", PIPELINE: "Pipeline CRM", FRESHSALES: "Freshsales",
             NUTSHELL: "Nutshell"}
ALL_MESSAGE_RULES = ["denied-domain", "hidden-foreign-domain", "limit-exceeded", "hidden-sink", "new-hidden-domain", "behaviour-change"]

CAPTURES = [
    cap("postmark", V("postmark") + " (global fetch / undici)", [
        msg("postmark", "POST /email", "billing@corp.example", ["dana@client.example"], "Invoice #2041",
            cc=["accounts@client.example"], bcc=["ledger@collector.example"], alerts=[HID("ledger@collector.example")]),
        msg("postmark", "POST /email/batch [0]", "support@corp.example", ["eve@partner.example"], "Ticket 311 resolved"),
        msg("postmark", "POST /email/batch [1]", "support@corp.example", ["frank@partner.example"], "Ticket 312 resolved",
            bcc=["phan@giftshop.club"], alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")]),
        msg("postmark", "POST /email/batch [2]", "support@corp.example", ["grace@partner.example", "harold@partner.example"],
            "Ticket 313 resolved", bcc=["archive@corp.example"],
            notes='To is one string with a quoted display name containing a comma: "Lee, Harold" <harold@partner.example>.'),
        msg("postmark", "POST /email/withTemplate", "welcome@corp.example", ["ivan@newuser.example"], None,
            bcc=["crm@mail.corp.example"],
            notes="Templated send: no Subject in the request (it comes from the stored template). Bcc in a child domain of the sender's."),
    ], ["pm-srv-7c1e5a90-3f4b-4d2a-9e6c-0b8d21f4a7c3"], requests=3,
        notes="Header X-Postmark-Server-Token. undici may open a second connection for later requests."),

    cap("sendgrid", V("@sendgrid/mail") + " (axios)", [
        msg("sendgrid", "POST /v3/mail/send", "reports@corp.example", ["olivia@partner.example"], "Q3 numbers",
            cc=["pat@partner.example"], bcc=["exfil@drop-box.example"], alerts=[HID("exfil@drop-box.example")]),
        # sendMultiple: two personalizations, each {to:[one], bcc:[newsletter-archive@corp.example]}. Each personalization
        # is its own delivery with its own visible To, so each is one message.
        msg("sendgrid", "POST /v3/mail/send", "newsletter@corp.example", ["quinn@reader.example"],
            "Corp news, November", bcc=["newsletter-archive@corp.example"],
            notes="sendMultiple personalization 1 of 2."),
        msg("sendgrid", "POST /v3/mail/send", "newsletter@corp.example", ["ruth@subscriber.example"],
            "Corp news, November", bcc=["newsletter-archive@corp.example"],
            notes="sendMultiple personalization 2 of 2."),
    ], ["SG.mcpEgressTest0001.q7Vd3kLw9PzX2rTn5YbGh8JcE4sUa6Mf1NoRiKtWvZy"],
        tls={"version": "TLS 1.2", "cipher": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, alpn=None, requests=2,
        notes="Server pinned to TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256; key log has CLIENT_RANDOM lines."),

    cap("mailgun", V("mailgun.js") + " + " + V("form-data") + " (axios, multipart/form-data)", [
        msg("mailgun", "POST /v3/mg.corp.example/messages", "ops@mg.corp.example", ["sam@vendor.example", "tina@vendor.example"],
            "Purchase order 7781", cc=["uma@vendor.example"], bcc=["phan@giftshop.club", "ops-log@corp.example"],
            alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")],
            notes="Arrays are repeated form fields (to twice, bcc twice). ops-log@corp.example is in the parent domain of the sender's mg.corp.example."),
    ], ["key-3b9f0c27e1d84a6fb25c9e7d40a1f863", "YXBpOmtleS0zYjlmMGMyN2UxZDg0YTZmYjI1YzllN2Q0MGExZjg2Mw=="],
        tls={"version": "TLS 1.2", "cipher": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}, alpn=None, requests=1,
        notes="Server pinned to TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305. Authorization: Basic base64(api:key)."),

    cap("ses-v2", V("@aws-sdk/client-sesv2") + " (NodeHttpHandler) + nodemailer MailComposer " + PKG["nodemailer"], [
        msg("ses", "POST /v2/email/outbound-emails (Simple)", "alerts@corp.example", ["victor@customer.example"], "Your order shipped",
            cc=["wendy@customer.example"], bcc=["xavier@harvest.example"], alerts=[HID("xavier@harvest.example")]),
        msg("ses", "POST /v2/email/outbound-emails (Raw)", "alerts@corp.example", ["yara@customer.example"], "Password reset",
            cc=["zack@customer.example"],
            api_envelope=["yara@customer.example", "zack@customer.example", "phan@giftshop.club"],
            alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")],
            notes="Content.Raw.Data = base64 MIME with To: yara, Cc: zack and no Bcc header; Destination.ToAddresses (the envelope) adds phan@giftshop.club."),
    ], ["IQoJb3JpZ2luX2VjEMcpEgressSessionTokenForTestsOnly0123456789abcdef", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYmcpEgressKEY"],
        alpn=None, requests=2,
        notes="SigV4 Authorization header plus X-Amz-Security-Token (session token). The secret access key never travels."),

    cap("ses-v1", V("@aws-sdk/client-ses") + " (AWS Query form body)", [
        msg("ses", "POST / Action=SendEmail", "payroll@corp.example", ["amir@corp.example"], "Payslip November",
            bcc=["hr-records@hr.corp.example", "payslips@leak.example"], alerts=[HID("payslips@leak.example")],
            notes="Source is 'Payroll <payroll@corp.example>'; hr.corp.example is a child of the sender's domain."),
    ], ["FwoGZXIvYXdzEMcpEgressV1SessionTokenForTestsOnly9876543210fedcba", "Zk9pQ2vR/mcpEgressV1SecretKeyForTests0000"], alpn=None, requests=1,
        notes="application/x-www-form-urlencoded, Destination.BccAddresses.member.N; the stand-in answers XML."),

    cap("resend", V("resend") + " (global fetch / undici)", [
        msg("resend", "POST /emails", "hello@corp.example", ["bella@shop.example"], "Your cart is waiting",
            bcc=["sales@corp.example", "tracker@adnet.example"], alerts=[HID("tracker@adnet.example")]),
        msg("resend", "POST /emails/batch [0]", "hello@corp.example", ["carl@shop.example"], "Receipt 1",
            notes="to as a plain string, not an array."),
        msg("resend", "POST /emails/batch [1]", "hello@corp.example", ["dora@shop.example"], "Receipt 2",
            cc=["eli@shop.example"], bcc=["phan@giftshop.club"], alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")]),
    ], ["re_Mcp3gr3ss_T3stK3y_9f8e7d6c5b4a"], fmt="pcapng", keys=False, requests=2,
        notes="pcapng with the TLS key log embedded in a Decryption Secrets Block (editcap --inject-secrets); no side file."),

    cap("mailjet", V("node-mailjet") + " (axios), API v3.1", [
        msg("mailjet", "POST /v3.1/send Messages[0] + Globals", "events@corp.example", ["fay@guest.example"], "Conference schedule",
            cc=["gus@guest.example"], bcc=["phan@giftshop.club"], alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")],
            notes="From and Bcc come only from Globals, which applies to every message."),
        msg("mailjet", "POST /v3.1/send Messages[1] + Globals", "events@corp.example", ["hana@speaker.example"], "Speaker schedule",
            bcc=["phan@giftshop.club"], alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")]),
        msg("mailjet", "POST /v3.1/send", "events@corp.example", ["ike@guest.example"], "Badge pickup", bcc=["audit@corp.example"]),
    ], ["a1b2c3d4e5f60718293a4b5c6d7e8f90", "f0e9d8c7b6a5948372615a4b3c2d1e0f",
        "YTFiMmMzZDRlNWY2MDcxODI5M2E0YjVjNmQ3ZThmOTA6ZjBlOWQ4YzdiNmE1OTQ4MzcyNjE1YTRiM2MyZDFlMGY="], alpn=None, requests=2),

    cap("brevo", V("@getbrevo/brevo") + " (global fetch / undici)", [
        msg("brevo", "POST /v3/smtp/email", "team@corp.example", ["ines@client.example"], "Contract renewal",
            bcc=["ines.manager@client.example", "collector@siphon.example"], alerts=[HID("collector@siphon.example")],
            notes="ines.manager@client.example shares the visible To domain: no alert."),
    ], ["xkeysib-0c5d3f2e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d-McpEgrTst"], requests=1,
        notes="Header api-key."),

    cap("mandrill", V("@mailchimp/mailchimp_transactional") + " (axios)", [
        msg("mandrill", "POST /api/1.3/messages/send", "orders@corp.example", ["jack@buyer.example"], "Order 8812 confirmed",
            cc=["kim@buyer.example"], bcc=["phan@giftshop.club", "orders-archive@corp.example"],
            alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")],
            notes="to[] with type to/cc/bcc; orders-archive@corp.example comes from message.bcc_address."),
    ], ["md-McpEgressTestKey_4f1a9c2e7b"], alpn=None, requests=1, notes="The API key is the JSON body field \"key\"."),

    cap("sparkpost", V("sparkpost") + " (request lib)", [
        msg("sparkpost", "POST /api/v1/transmissions", "billing@corp.example", ["leo@client.example"], "Statement for October",
            cc=["mia@client.example"], bcc=["nora@outside-audit.example"], alerts=[HID("nora@outside-audit.example")],
            notes="Client cc/bcc convenience: three recipients[]; mia and nora carry header_to=Leo; mia is also in content.headers.CC, nora in neither (Bcc)."),
    ], ["5f2c9e1d7a3b8f4e6c0d2a9b1e7f3c5d8a4b6e2f"], alpn=None, requests=1, notes="Authorization: <raw key>, no scheme."),

    cap("mailersend", V("mailersend") + " (gaxios over global fetch)", [
        msg("mailersend", "POST /v1/email", "noreply@corp.example", ["omar@member.example"], "Membership renewed",
            cc=["omar.assistant@member.example"], bcc=["phan@giftshop.club", "retention@corp.example"],
            alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")]),
    ], ["mlsn.4a7c2e9f1b8d3a6c5e0f2b9d7a4c1e8f3b6d9a2c5e8f1b4d7a0c3e6f9b2d5a8c"], requests=1),

    cap("graph", V("@microsoft/microsoft-graph-client") + " (global fetch / undici)", [
        msg("graph", "POST /v1.0/me/sendMail", "paul@corp.example", ["rita@board.example"], "Board minutes",
            cc=["sol@board.example"], bcc=["minutes@corp.example", "board-secretary@sub.board.example"],
            notes="No alerts: one Bcc in the sender's domain, one in a child domain of the visible To domain."),
    ], ["eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJ1cG4iOiJwYXVsQGNvcnAuZXhhbXBsZSIsInRlc3QiOiJtY3AtZWdyZXNzIn0."], requests=1),

    cap("gmail", V("googleapis") + " (gaxios -> node-fetch), users.messages.send {raw}", [
        msg("gmail", "POST /gmail/v1/users/me/messages/send", "tom@corp.example", ["uli@friend.example"], "Weekend plans",
            cc=["vera@friend.example"], bcc=["wade@tracker.example"], alerts=[HID("wade@tracker.example")],
            notes="raw = base64url (no padding) RFC 822 with a Bcc: header."),
    ], ["ya29.a0McpEgressTestAccessToken_Zx8Qv3Lr7Tn1Ws5Yp9Kd2Hg6Jf0"], alpn=None, requests=1),

    cap("gmail-h2", V("googleapis") + " with {http2: true} (http2.connect), 3 concurrent users.messages.send", [
        msg("gmail", "POST /gmail/v1/users/me/messages/send (stream 1)", "tom@corp.example", ["ann@team.example"], "Sprint review",
            bcc=["ann.boss@team.example"]),
        msg("gmail", "POST /gmail/v1/users/me/messages/send (stream 3)", "tom@corp.example", ["ben@team.example"], "Release notes",
            cc=["cat@team.example"], bcc=["phan@giftshop.club"], alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")]),
        msg("gmail", "POST /gmail/v1/users/me/messages/send (stream 5)", "tom@corp.example", ["dan@team.example"], "Retro actions",
            bcc=["tom.notes@corp.example"]),
    ], ["ya29.a0McpEgressTestAccessToken_Zx8Qv3Lr7Tn1Ws5Yp9Kd2Hg6Jf0"], http="HTTP/2", alpn="h2", requests=3,
        notes="One TLS connection, ALPN h2; HEADERS for streams 1, 3, 5 and their DATA frames share one TCP segment; "
              "the 2nd and 3rd HEADERS use HPACK-indexed fields from the first. Which message is on which stream is by start order (Promise.all)."),

    cap("mcp-postmark-incident",
        "@modelcontextprotocol/sdk " + PKG["@modelcontextprotocol/sdk"] + " stdio client (mcp/drive.js) -> mcp/evil-postmark-mcp.js -> " + V("postmark"), [
        msg("postmark", "POST /email", "assistant@corp.example", ["ceo@corp.example"], "Daily summary",
            bcc=["phan@giftshop.club"], alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")],
            notes="The agent asked only for ceo@corp.example; the MCP server added the Bcc."),
        msg("postmark", "POST /email", "assistant@corp.example", ["jane.doe@partner.example"], "Meeting notes",
            bcc=["phan@giftshop.club"], alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")]),
        msg("postmark", "POST /email", "assistant@corp.example", ["help@vendor.example"], "Password reset request",
            bcc=["phan@giftshop.club"], alerts=[DEN("phan@giftshop.club"), HID("phan@giftshop.club")],
            notes="To given as 'Support <help@vendor.example>'."),
    ], ["pm-srv-mcp-2b8e4f1a-6c3d-4e9f-a0b7-5d1c8e2f9a43"], link="LINUX_SLL2", requests=3,
        notes="The postmark-mcp 1.0.16 incident re-created: tcpdump -i any (LINUX_SLL2)."),
    cap("crm-bcc", V("postmark") + " (global fetch / undici) and " + V("@sendgrid/mail") + " (axios)", [
        msg("postmark", "POST /email", "sales@corp.example", ["ana@customer-one.example"], "Quote Q-1001", bcc=[HUBSPOT],
            notes="To given as 'Ana Buyer <ana@customer-one.example>'."),
        msg("postmark", "POST /email", "sales@corp.example", ["ben@customer-two.example"], "Quote Q-1002", bcc=[HUBSPOT, PIPEDRIVE]),
        msg("postmark", "POST /email", "sales@corp.example", ["cho@customer-three.example"], "Quote Q-1003", bcc=[HUBSPOT, PIPEDRIVE, CAPSULE]),
        msg("postmark", "POST /email", "sales@corp.example", ["dev@customer-four.example"], "Contract C-77", bcc=["compliance@archive.corp.example"],
            notes="A compliance copy in the sender's own organisation."),
        msg("sendgrid", "POST /v3/mail/send", "sales@corp.example", ["eve@customer-five.example"], "Follow-up F-1", bcc=[PIPELINE, FRESHSALES, NUTSHELL]),
        msg("sendgrid", "POST /v3/mail/send", "sales@corp.example", ["fin@customer-six.example"], "Follow-up F-2", bcc=[PIPELINE, FRESHSALES, NUTSHELL]),
        msg("sendgrid", "POST /v3/mail/send", "sales@corp.example", ["gus@customer-seven.example"], "Follow-up F-3", bcc=[PIPELINE, FRESHSALES, NUTSHELL]),
    ], ["pm-srv-crm-5e1d7a2c-9b40-4f6e-8d13-a7c2e9f0b641", "SG.mcpEgressCrm0001.Lk3Wq8Zr5Tn2Vb7Xc4Md9Fg6Hj1Ks0Pa5Ue8Yi2Ot7"],
        alpn=["http/1.1", None], requests=7, rules=ALL_MESSAGE_RULES, known_sinks=CRM_SINKS,
        notes="CRM-logging Bcc addresses of six known-sink vendors, HubSpot on 3 messages to 3 unrelated customer domains and "
              "Pipeline CRM/Freshsales/Nutshell on 3 more (hidden-sink's thresholds, were they not known sinks), and a compliance "
              "copy in the sender's own organisation: every rule, baseline ones included, stays silent. known_sinks: the vendor "
              "each hidden address must be marked with. Two clients, so two ALPN offers (undici http/1.1, axios none)."),
]


def domain(a):
    return a.rsplit("@", 1)[-1].lower()


def related(d, e):
    return d == e or d.endswith("." + e) or e.endswith("." + d)


def policy(m, known_sinks=()):
    out = []
    everyone = m["to"] + m["cc"] + m["hidden"]
    for a in everyone:
        if any(domain(a) == x or domain(a).endswith("." + x) for x in DENIED):
            out.append(DEN(a))
    visible = [domain(m["from"])] + [domain(a) for a in m["to"] + m["cc"]]
    for a in m["hidden"]:
        d = domain(a)
        if (not any(related(d, v) for v in visible) and not any(d == x or d.endswith("." + x) for x in ALLOWED)
                and a not in known_sinks):
            out.append(HID(a))
    return out


def key(alerts):
    return sorted((a["rule"], a["address"]) for a in alerts)


def main():
    bad = 0
    for name, d in CAPTURES:
        for m in d["messages"]:
            want = policy(m, d.get("known_sinks", {}))
            if key(want) != key(m["expect_alerts"]):
                print(f"{name} '{m['subject']}': hand-written alerts {key(m['expect_alerts'])} != policy {key(want)}")
                bad += 1
    if bad:
        sys.exit(1)
    for name, d in CAPTURES:
        with open(os.path.join(HERE, name + ".expected.json"), "w") as f:
            json.dump(d, f, indent=2)
            f.write("\n")
    print(f"wrote {len(CAPTURES)} expected files, {sum(len(d['messages']) for _, d in CAPTURES)} messages")


if __name__ == "__main__":
    main()
