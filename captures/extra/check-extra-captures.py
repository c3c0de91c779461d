#!/usr/bin/env python3
"""Checks every extra/*.expected.json against its capture with tshark (independent of McpEgress):
  - the capture decrypts with the key log the client wrote (every TLS stream yields plaintext);
  - every From/To/Cc/Bcc/hidden address, MAIL FROM, RCPT TO and subject of the expected messages occurs in the
    client's plaintext (both cleartext and decrypted parts of each TCP stream, plus tshark's decompressed HTTP/1 bodies
    and HTTP/2 DATA frames and header values);
  - at least one secrets_absent string travels on the wire, so the golden test's redaction check can fail.
Exit status 1 on any failure. Usage: python3 check-extra-captures.py [X.expected.json ...]
"""
import glob
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def tshark(cap, keys, *args):
    cmd = ["tshark", "-r", cap, "-o", "tls.keylog_file:" + keys] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def client_plaintext(cap, keys):
    """Client-to-server bytes of every stream: the cleartext (follow,tcp) and the decrypted (follow,tls) views."""
    clients = {}
    for line in tshark(cap, keys, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0", "-T", "fields",
                       "-e", "tcp.stream", "-e", "tcp.srcport").splitlines():
        stream, port = line.split("\t")
        clients[int(stream)] = port
    out, tls_streams, decrypted = b"", 0, 0
    for s, port in sorted(clients.items()):
        for view in ("tcp", "tls"):
            node0_is_client, got = False, b""
            for line in tshark(cap, keys, "-q", "-z", f"follow,{view},raw,{s}").splitlines():
                if line.startswith("Node 0:"):
                    node0_is_client = line.rstrip().endswith(":" + port)
                m = re.fullmatch(r"(\t?)([0-9a-f]+)", line)
                if m and (m.group(1) == "") == node0_is_client:
                    got += bytes.fromhex(m.group(2))
            out += got + b"\n"
            if view == "tls" and got:
                decrypted += 1
        if tshark(cap, keys, "-Y", f"tcp.stream=={s} && tls.handshake.type==1", "-T", "fields", "-e", "frame.number").strip():
            tls_streams += 1
    return out, tls_streams, decrypted


def http_views(cap, keys):
    """HTTP/1 bodies as tshark decompressed them, HTTP/2 DATA frames and header values (HPACK-decoded)."""
    text = tshark(cap, keys, "-Y", "http.request", "-T", "fields", "-e", "http.file_data")
    for line in tshark(cap, keys, "-Y", "http2", "-T", "fields", "-e", "http2.data.data", "-e", "http2.header.value").splitlines():
        data, _, headers = line.partition("\t")
        for chunk in data.split(","):
            try:
                text += "\n" + bytes.fromhex(chunk).decode("latin-1")
            except ValueError:
                pass
        text += "\n" + headers
    return text


def addresses(v):
    for a in v if isinstance(v, list) else [v]:
        if a is None:
            continue
        yield a if isinstance(a, str) else a["address"]


def check(path):
    exp = json.load(open(path))
    name = os.path.basename(path)
    cap, keys = os.path.join(HERE, exp["capture"]), os.path.join(HERE, exp["keylog"])
    errors = []
    raw, tls_streams, decrypted = client_plaintext(cap, keys)
    if decrypted != tls_streams or tls_streams == 0:
        errors.append(f"{decrypted} of {tls_streams} TLS streams decrypted")
    wire = raw.decode("latin-1") + "\n" + http_views(cap, keys)
    text = wire.lower()
    for m in exp["messages"]:
        wanted = [("mail_from", a) for a in addresses(m.get("mail_from"))]
        wanted += [("rcpt_to", a) for a in addresses(m.get("rcpt_to", []))]
        for role in ("from", "to", "cc", "bcc", "bcc_header", "hidden"):
            wanted += [(role, a) for a in addresses(m.get(role, []))]
        for role, a in wanted:
            if a.lower() not in text:
                errors.append(f"'{m['subject']}': {role} {a} not in the client's plaintext")
        if m.get("subject") and m["subject"].lower() not in text:
            errors.append(f"subject '{m['subject']}' not in the client's plaintext")
        for r in m.get("rcpt_to", []):
            if f"rcpt to:<{r['address'].lower()}>" not in text:
                errors.append(f"'{m['subject']}': no RCPT TO:<{r['address']}> command")
    on_wire = [s for s in exp["secrets_absent"] if s in wire]
    if not on_wire:
        errors.append("no secrets_absent string travels on the wire")
    print(f"{'FAIL' if errors else 'ok  '} {name}: {len(exp['messages'])} msg, {tls_streams} TLS streams decrypted; "
          f"secrets on wire {len(on_wire)} of {len(exp['secrets_absent'])}")
    for e in errors:
        print("     " + e)
    return not errors


def main():
    files = sys.argv[1:] or sorted(glob.glob(os.path.join(HERE, "*.expected.json")))
    ok = all([check(f) for f in files])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
