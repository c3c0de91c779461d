#!/usr/bin/env python3
"""Checks every X.expected.json in this folder against its capture, using tshark (independent of McpEgress):
  - the capture decrypts with its key log (or the keys embedded in the pcapng);
  - TLS version / cipher (ServerHello), ALPN offered (ClientHello), link type and number of requests are as stated;
  - every From/To/Cc/Bcc/hidden address and every subject of the expected messages occurs in the decrypted client
    bytes (after URL-decoding and base64/base64url-decoding of long tokens, for SES/Gmail raw MIME);
  - which secrets_absent strings travel on the wire (at least one per capture must, or the redaction check is empty).
Exit status 1 on any failure. Usage: python3 check-api-captures.py [X.expected.json ...]
"""
import base64
import glob
import json
import os
import re
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SUITES = {"0x1302": "TLS_AES_256_GCM_SHA384", "0x1301": "TLS_AES_128_GCM_SHA256", "0x1303": "TLS_CHACHA20_POLY1305_SHA256",
          "0xc02f": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "0xc030": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "0xcca8": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}


def tshark(cap, keys, *args):
    cmd = ["tshark", "-r", cap]
    if keys:
        cmd += ["-o", "tls.keylog_file:" + keys]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, check=True).stdout


def client_bytes(cap, keys):
    streams = sorted({int(s) for s in tshark(cap, keys, "-T", "fields", "-e", "tcp.stream").split() if s})
    out = b""
    for s in streams:
        # Unindented chunks come from "Node 0", the side tshark saw sending first: the server in TLS 1.3
        # captures (its session tickets), the client otherwise.
        server_first = False
        for line in tshark(cap, keys, "-q", "-z", f"follow,tls,raw,{s}").splitlines():
            if line.startswith("Node 0:"):
                server_first = line.rstrip().endswith(":443")
            m = re.fullmatch(r"(\t?)([0-9a-f]+)", line)
            if m and (m.group(1) == "\t") == server_first:
                out += bytes.fromhex(m.group(2))
    return streams, out


def searchable(raw):
    text = raw.decode("latin-1")
    parts = [text, urllib.parse.unquote_plus(text)]
    for tok in re.findall(r"[A-Za-z0-9+/_-]{40,}={0,2}", parts[1]):
        for dec in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                b = dec(tok + "=" * (-len(tok) % 4))
            except Exception:
                continue
            if b and sum(32 <= c < 127 or c in (9, 10, 13) for c in b) > 0.9 * len(b):
                parts.append(b.decode("latin-1"))
                break
    return "\n".join(parts).lower()


def check(path):
    exp = json.load(open(path))
    name = os.path.basename(path)
    cap = os.path.join(HERE, exp["capture"])
    keys = os.path.join(HERE, exp["keys"]) if exp["keys"] else None
    errors = []
    if keys and not os.path.exists(keys):
        errors.append("missing key log " + keys)

    proto = tshark(cap, keys, "-c", "1", "-T", "fields", "-e", "frame.protocols").strip()
    link = "LINUX_SLL2" if proto.startswith("sll") else "EN10MB" if proto.startswith("eth") else proto
    if link != exp["link_type"]:
        errors.append(f"link type {link} != {exp['link_type']}")

    sh = tshark(cap, keys, "-Y", "tls.handshake.type==2", "-T", "fields", "-e", "tls.handshake.ciphersuite",
                "-e", "tls.handshake.extensions.supported_version").split("\n")
    for line in filter(None, sh):
        suite, _, ver = line.partition("\t")
        version = "TLS 1.3" if ver == "0x0304" else "TLS 1.2"
        if version != exp["tls"]["version"] or SUITES.get(suite, suite) != exp["tls"]["cipher"]:
            errors.append(f"ServerHello {version} {SUITES.get(suite, suite)} != {exp['tls']}")
    ch = tshark(cap, keys, "-Y", "tls.handshake.type==1", "-T", "fields", "-e", "tls.handshake.extensions_alpn_str").split("\n")
    for alpn in filter(lambda l: l is not None, ch[:-1]):
        # One value, or a list when clients with different ALPN offers share the capture (null = no ALPN).
        want = exp["alpn_offered"]
        wants = [w or "" for w in want] if isinstance(want, list) else [want or ""]
        if alpn not in wants:
            errors.append(f"ClientHello ALPN '{alpn}' not in {wants}")

    streams, raw = client_bytes(cap, keys)
    if not raw:
        errors.append("nothing decrypted")
    if exp["http"] == "HTTP/2":
        types = tshark(cap, keys, "-Y", "http2 and tcp.dstport==443", "-T", "fields", "-e", "http2.type").split()
        requests = sum(t.split(",").count("1") for t in types)
    else:
        requests = len(re.findall(rb"(?:POST|GET|PUT|PATCH) /[^ ]* HTTP/1\.1\r\n", raw))
    if requests != exp["requests"]:
        errors.append(f"{requests} requests decrypted != {exp['requests']}")

    text = searchable(raw)
    for m in exp["messages"]:
        for role in ("to", "cc", "bcc", "hidden", "api_envelope"):
            for a in m[role]:
                if a.lower() not in text:
                    errors.append(f"'{m['subject']}': {role} {a} not in decrypted requests")
        if m["from"].lower() not in text:
            errors.append(f"'{m['subject']}': from {m['from']} not in decrypted requests")
        if m["subject"] is not None and m["subject"].lower() not in text:
            errors.append(f"subject '{m['subject']}' not in decrypted requests")
    rawtext = raw.decode("latin-1")
    if exp["http"] == "HTTP/2":  # header values are HPACK (Huffman) coded on the wire: take tshark's decoding
        rawtext += "\n" + tshark(cap, keys, "-Y", "http2 and tcp.dstport==443", "-T", "fields", "-e", "http2.header.value")
    on_wire = [s for s in exp["secrets_absent"] if s in rawtext]
    if not on_wire:
        errors.append("no secrets_absent string travels on the wire")
    off = [s for s in exp["secrets_absent"] if s not in rawtext]
    print(f"{'FAIL' if errors else 'ok  '} {name}: {len(streams)} conn, {requests} req, {len(exp['messages'])} msg, "
          f"{exp['tls']['version']} {exp['tls']['cipher']}, {exp['http']}, {link}; secrets on wire {len(on_wire)}"
          + (f", never sent {len(off)}" if off else ""))
    for e in errors:
        print("     " + e)
    return not errors


def main():
    files = sys.argv[1:] or sorted(glob.glob(os.path.join(HERE, "*.expected.json")))
    ok = all([check(f) for f in files])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
