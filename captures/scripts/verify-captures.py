#!/usr/bin/env python3
"""Checks every smtp/*.expected.json against what tshark sees in its capture.

    python3 scripts/verify-captures.py [NAME.expected.json ...]

The expected files are written by hand from what each client was told to send. This script is the
independent check that the capture really holds that, using tshark's TCP/TLS reassembly ("follow") and
a small SMTP walker here, plus tshark's own SMTP/IMF fields as a second opinion:
  - per completed transaction: MAIL FROM (+ params), RCPT TO with the reply to each, From/To/Cc/Bcc
    (display names decoded) and Subject of the message sent with DATA or BDAT;
  - RSET-aborted transactions, connection count;
  - hidden recipients and alerts recomputed from the policy in README.md (consistency of the hand work);
  - every secrets_absent string really is in the capture's (decrypted) client bytes, so a test that
    asserts its absence from our output can fail.
Exit code 0 when everything matches; prints one line per capture.
"""
import base64
import email.parser
import email.policy
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SMTP_DIR = os.path.join(HERE, "..", "smtp")


def tshark(args):
    out = subprocess.run(["tshark", *args], capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace")


def dissect_opts(exp, folder):
    """Decode-as and key log options: the sink runs on non-standard ports."""
    port, tls = exp["server_port"], exp["tls"]
    opts = []
    if tls == "implicit":
        opts += ["-d", f"tcp.port=={port},tls", "-d", f"tls.port=={port},smtp"]
    else:
        opts += ["-d", f"tcp.port=={port},smtp"]
    keylog = exp.get("keylog")
    if keylog and keylog.endswith(".keys"):
        opts += ["-o", "tls.keylog_file:" + os.path.join(folder, keylog)]
    return opts


def follow(path, opts, proto, stream, port):
    """Returns (client_bytes, server_bytes) of one stream, as tshark reassembles (and decrypts) it.
    Unindented lines are "Node 0", the first to send on that layer: the client for TCP, but the server
    for implicit TLS (its greeting is the first application data)."""
    text = tshark(["-r", path, *opts, "-q", "-z", f"follow,{proto},raw,{stream}"])
    node0, node1 = bytearray(), bytearray()
    node0_is_server = False
    started = False
    for line in text.splitlines():
        if line.startswith("Node 0:"):
            node0_is_server = line.rstrip().endswith(f":{port}")
        if line.startswith("Node 1:"):
            started = True
            continue
        if not started or not line.strip() or line.startswith("===="):
            continue
        (node1 if line.startswith("\t") else node0).extend(bytes.fromhex(line.strip()))
    return (bytes(node1), bytes(node0)) if node0_is_server else (bytes(node0), bytes(node1))


def replies(server):
    """Complete SMTP replies in order: list of codes (a multi-line reply counts once)."""
    codes = []
    for line in server.split(b"\r\n"):
        if len(line) >= 3 and line[:3].isdigit() and line[3:4] != b"-":
            codes.append(int(line[:3]))
    return codes


def angle(param):
    """'FROM:<a@b> SMTPUTF8' -> ('a@b', ['SMTPUTF8'])."""
    addr = param[param.index("<") + 1:param.index(">")]
    rest = param[param.index(">") + 1:].split()
    return addr, rest


def walk(client, codes, greeting=True):
    """Walks client bytes in step with the reply codes. Returns (messages, aborted).
    greeting=False for the TLS part of a STARTTLS session: the 220 came before the handshake."""
    pos = 0
    r = iter(codes)
    if greeting:
        assert next(r) == 220, "no greeting"
    messages, aborted = [], []
    tx = None

    def line():
        nonlocal pos
        end = client.index(b"\r\n", pos)
        text = client[pos:end]
        pos = end + 2
        return text

    body = bytearray()
    while pos < len(client):
        cmd = line().decode("utf-8", "replace")
        verb = cmd.split(" ", 1)[0].upper()
        code = next(r)
        if verb == "AUTH":
            while code == 334:  # continuation lines (credentials), each answered
                line()
                code = next(r)
        elif verb == "STARTTLS":
            break  # the rest of this stream is TLS; the TLS follow stream carries it
        elif verb == "MAIL":
            addr, params = angle(cmd[5:])
            tx = {"mail_from": addr, "mail_from_params": params, "rcpt_to": []}
            body = bytearray()
        elif verb == "RCPT":
            addr, _ = angle(cmd[5:])
            tx["rcpt_to"].append({"address": addr, "accepted": 200 <= code < 300, "reply_code": code})
        elif verb == "RSET":
            if tx is not None:
                aborted.append(tx)
            tx = None
        elif verb == "DATA" and code == 354:
            end = client.index(b"\r\n.\r\n", pos - 2)
            raw = client[pos:end + 2]
            pos = end + 5
            # RFC 5321 section 4.5.2: remove the stuffed dot.
            raw = b"\r\n".join(l[1:] if l.startswith(b".") else l for l in raw.split(b"\r\n"))
            code = next(r)
            if 200 <= code < 300:
                tx["raw"] = raw
                messages.append(tx)
            tx = None
        elif verb == "BDAT":
            parts = cmd.split()
            size = int(parts[1])
            body += client[pos:pos + size]
            pos += size
            if len(parts) > 2 and parts[2].upper() == "LAST":
                tx["raw"] = bytes(body)
                messages.append(tx)
                tx = None
    return messages, aborted


def addresses(header):
    if header is None:
        return []
    return [{"address": f"{a.username}@{a.domain}", "name": a.display_name or None} for a in header.addresses]


def related(a, b):
    """Same organisation as README.md defines it: equal, or one a subdomain of the other."""
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def policy(m, denied, allowed, known_sinks=()):
    """Hidden recipients and alerts as README.md defines them; known_sinks: the file's hidden addresses at known
    CRM-logging sinks (never hidden-foreign-domain)."""
    visible = {a["address"].lower() for a in m["to"] + m["cc"]}
    hidden = [{"address": a["address"], "reason": "BccField"} for a in m["bcc_header"]]
    seen = {h["address"].lower() for h in hidden}
    for r in m["rcpt_to"]:
        a = r["address"].lower()
        if r["accepted"] and a not in visible and a not in seen:
            seen.add(a)
            hidden.append({"address": r["address"], "reason": "EnvelopeOnly"})
    sender = (m["from"][0]["address"] if m["from"] else m["mail_from"]).rsplit("@", 1)[-1].lower()
    visible_domains = {a.rsplit("@", 1)[-1] for a in visible}
    alerts = []
    everyone = [r["address"] for r in m["rcpt_to"] if r["accepted"]] + [a["address"] for a in m["to"] + m["cc"] + m["bcc_header"]]
    done = set()
    for a in everyone:
        if a.rsplit("@", 1)[-1].lower() in denied and a.lower() not in done:
            done.add(a.lower())
            alerts.append({"rule": "denied-domain", "address": a})
    for h in hidden:
        d = h["address"].rsplit("@", 1)[-1].lower()
        if (not related(d, sender) and not any(related(d, v) for v in visible_domains) and d not in allowed
                and h["address"].lower() not in known_sinks):
            alerts.append({"rule": "hidden-foreign-domain", "address": h["address"]})
    return hidden, alerts


def check(exp_path):
    exp = json.load(open(exp_path, encoding="utf-8"))
    if "tshark_cannot_decrypt" in exp:
        print(f"skip {os.path.basename(exp_path)}: {exp['tshark_cannot_decrypt']}")
        return True
    # Captures and key logs sit beside their expected file (smtp/ by default, tls-suites/ when named).
    folder = os.path.dirname(os.path.abspath(exp_path))
    cap = os.path.join(folder, exp["capture"])
    opts = dissect_opts(exp, folder)
    errors = []
    streams = sorted({int(s) for s in tshark(["-r", cap, "-T", "fields", "-e", "tcp.stream"]).split()})
    if len(streams) != exp["connections"]:
        errors.append(f"connections: {len(streams)} != {exp['connections']}")
    got, aborted, client_all = [], [], b""
    for s in streams:
        proto = "tcp" if exp["tls"] == "none" else "tls"
        client, server = follow(cap, opts, proto, s, exp["server_port"])
        client_all += client
        if exp["tls"] == "starttls":
            plain_client, _ = follow(cap, opts, "tcp", s, exp["server_port"])
            if b"STARTTLS\r\n" not in plain_client:
                errors.append("no STARTTLS in clear text")
        msgs, ab = walk(client, replies(server), greeting=exp["tls"] != "starttls")
        got += msgs
        aborted += ab

    # Parse as UTF-8 text: RFC 6532 allows raw UTF-8 in headers; everything else here is ASCII.
    parser = email.parser.Parser(policy=email.policy.default)
    if len(got) != len(exp["messages"]):
        errors.append(f"messages: {len(got)} != {len(exp['messages'])}")
    for i, (g, e) in enumerate(zip(got, exp["messages"])):
        msg = parser.parsestr(g["raw"].decode("utf-8", "replace"), headersonly=True)
        actual = {
            "mail_from": g["mail_from"],
            "rcpt_to": [{k: v for k, v in r.items() if k != "reply_code" or not r["accepted"]} for r in g["rcpt_to"]],
            "from": addresses(msg["from"]),
            "to": addresses(msg["to"]),
            "cc": addresses(msg["cc"]),
            "bcc_header": addresses(msg["bcc"]),
            "subject": str(msg["subject"]),
        }
        for k, v in actual.items():
            if v != e[k]:
                errors.append(f"message {i} {k}: capture {v!r} != expected {e[k]!r}")
        # SIZE= (RFC 1870) is the client's own byte count, not something the scenario chose.
        params = [p for p in g["mail_from_params"] if not p.upper().startswith("SIZE=")]
        if e.get("mail_from_params", []) != params:
            errors.append(f"message {i} mail_from_params: {params} != {e.get('mail_from_params', [])}")
        hidden, alerts = policy(e, set(exp["denied_domains"]), set(exp["allowed_domains"]),
                                {a.lower() for a in exp.get("known_sinks", {})})
        if hidden != e["hidden"]:
            errors.append(f"message {i} hidden (policy on expected) {hidden} != {e['hidden']}")
        key = lambda a: (a["rule"], a["address"].lower())
        if sorted(alerts, key=key) != sorted(e["expect_alerts"], key=key):
            errors.append(f"message {i} alerts (policy on expected) {alerts} != {e['expect_alerts']}")

    exp_aborted = [{"mail_from": a["mail_from"], "rcpt_to": a["rcpt_to"]} for a in exp.get("aborted_transactions", [])]
    got_aborted = [{"mail_from": a["mail_from"], "rcpt_to": [{"address": r["address"], "accepted": r["accepted"]} for r in a["rcpt_to"]]} for a in aborted]
    if got_aborted != exp_aborted:
        errors.append(f"aborted transactions {got_aborted} != {exp_aborted}")

    # AUTH sends credentials base64-encoded (RFC 4954): look in the decoded tokens too.
    haystack = bytearray(client_all)
    for token in client_all.split():
        try:
            haystack += b"\n" + base64.b64decode(token, validate=True)
        except ValueError:
            pass
    for secret in exp["secrets_absent"]:
        if secret.encode() not in haystack:
            errors.append(f"secret {secret!r} is not in the capture, so asserting its absence proves nothing")

    # Second opinion: tshark's own SMTP dissector (DATA only; it does not parse BDAT bodies).
    # smtplib sends lower-case verbs ("rcpt TO:"); a pipelined segment lists all its commands' parameters.
    params = tshark(["-r", cap, *opts, "-Y", 'upper(smtp.req.command) == "RCPT"', "-T", "fields", "-e", "smtp.req.parameter"])
    ts_rcpts = [p for line in params.split() for p in line.split(",") if p.upper().startswith("TO:")]
    want = [f"TO:<{r['address']}>" for t in exp.get("aborted_transactions", []) + exp["messages"] for r in t["rcpt_to"]]
    # tshark 4.0 shows SMTP parameters as ASCII (UTF-8 bytes become U+FFFD), so compare ASCII only.
    ascii_only = lambda xs: sorted("".join(c for c in x if ord(c) < 128) for x in xs)
    # tshark 4.0 loses the RCPTs that share a segment with BDAT, so the BDAT capture skips this check.
    if ascii_only(ts_rcpts) != ascii_only(want) and not exp["capture"].startswith("python-bdat"):
        errors.append(f"tshark RCPT parameters {ts_rcpts} != {want}")
    imf = tshark(["-r", cap, *opts, "-Y", "imf", "-T", "fields", "-e", "imf.to", "-e", "imf.cc"])
    # tshark 4.0 leaves imf.to/imf.cc empty for some decrypted TLS 1.0-1.2 sessions (its -V tree still shows the
    # headers); with no value at all there is nothing to compare, and the walker above has checked the headers.
    for e in exp["messages"] if imf.strip() else []:
        for a in e["to"] + e["cc"]:
            if "BDAT" not in e["subject"] and a["address"].isascii() and a["address"] not in imf:
                errors.append(f"tshark imf.to/imf.cc lacks {a['address']}")

    name = os.path.basename(exp_path)
    if errors:
        print(f"FAIL {name}")
        for err in errors:
            print("   ", err)
        return False
    print(f"ok   {name}: {len(got)} message(s), {len(streams)} connection(s)")
    return True


if __name__ == "__main__":
    paths = sys.argv[1:] or sorted(glob.glob(os.path.join(SMTP_DIR, "*.expected.json")))
    results = [check(p) for p in paths]
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    sys.exit(0 if all(results) else 1)
