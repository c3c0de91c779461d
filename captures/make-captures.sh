#!/usr/bin/env bash
# Records the SMTP captures in smtp/ from real clients talking to a local sink on loopback.
# Needs root (tcpdump/dumpcap), node 20 + npm, python3, swaks, openssl, tshark/editcap.
# Idempotent: every output is rewritten. Expected files (smtp/*.expected.json) are hand-written and
# are NOT touched; run scripts/verify-captures.py afterwards to check the new captures against them.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/smtp
SCRIPTS=$HERE/scripts
WORK=$(mktemp -d /tmp/mcp-captures.XXXXXX)
SINK_PID=""
CAP_PID=""

cleanup() {
    [[ -n "$CAP_PID" ]] && kill -INT "$CAP_PID" 2>/dev/null && wait "$CAP_PID" 2>/dev/null || true
    [[ -n "$SINK_PID" ]] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$OUT"

# Node packages (node_modules is git-ignored).
if [[ ! -d "$HERE/node/node_modules/smtp-server" || ! -d "$HERE/node/node_modules/nodemailer" ]]; then
    (cd "$HERE/node" && npm ci --no-audit --no-fund)
fi

# Self-signed certificate for the sink's STARTTLS and implicit TLS ports (test only, never committed).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mx.sink.test" \
    -addext "subjectAltName=DNS:mx.sink.test,IP:127.0.0.1,IP:::1" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

node "$SCRIPTS/smtp-sink.js" --cert "$WORK" --ready "$WORK/sink.ready" \
    --listen plain:127.0.0.1:2525 --listen "plain:[::1]:2525" \
    --listen starttls:127.0.0.1:2587 --listen tls:127.0.0.1:2465 2>"$WORK/sink.log" &
SINK_PID=$!
for _ in $(seq 100); do [[ -f "$WORK/sink.ready" ]] && break; sleep 0.1; done
[[ -f "$WORK/sink.ready" ]] || { cat "$WORK/sink.log"; echo "sink did not start" >&2; exit 1; }

# start_capture FILE PORT TOOL: TOOL is one of
#   lo      tcpdump -i lo, microsecond pcap (Linux lo is DLT_EN10MB with zero MACs)
#   nano    tcpdump -i lo with nanosecond timestamps (pcap magic a1b23c4d)
#   any     tcpdump -i any, Linux cooked capture v2 (DLT_LINUX_SLL2)
#   dumpcap dumpcap -i lo, native pcapng
start_capture() {
    local file=$1 port=$2 tool=$3
    rm -f "$file"
    : >"$WORK/cap.log"
    case $tool in
        lo)      tcpdump -i lo -U --immediate-mode -w "$file" "tcp port $port" 2>"$WORK/cap.log" & ;;
        nano)    tcpdump -i lo -U --immediate-mode --time-stamp-precision=nano -w "$file" "tcp port $port" 2>"$WORK/cap.log" & ;;
        any)     tcpdump -i any -y LINUX_SLL2 -U --immediate-mode -w "$file" "tcp port $port" 2>"$WORK/cap.log" & ;;
        dumpcap) dumpcap -q -i lo -f "tcp port $port" -w "$file" 2>"$WORK/cap.log" & ;;
        *) echo "bad capture tool $tool" >&2; exit 1 ;;
    esac
    CAP_PID=$!
    # Both tools say so on stderr once the capture is open. --immediate-mode: without it libpcap
    # (TPACKET_V3) holds packets in a ring block for up to a second and SIGINT loses them.
    for _ in $(seq 100); do grep -qiE 'listening on|capturing on' "$WORK/cap.log" && break; sleep 0.05; done
    grep -qiE 'listening on|capturing on' "$WORK/cap.log" || { cat "$WORK/cap.log"; exit 1; }
    sleep 0.2
}

stop_capture() {
    sleep 0.3 # let the last FIN/ACK reach the capture
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    CAP_PID=""
}

nm() { node "$SCRIPTS/nodemailer-client.js" "$@"; }
py() { python3 "$SCRIPTS/python-client.py" "$@"; }

echo "nodemailer-plain"
start_capture "$OUT/nodemailer-plain.pcap" 2525 lo
nm plain 127.0.0.1 2525
stop_capture

echo "nodemailer-pool (pcapng via dumpcap)"
start_capture "$OUT/nodemailer-pool.pcapng" 2525 dumpcap
nm pool 127.0.0.1 2525
stop_capture

echo "nodemailer-envelope-hidden"
start_capture "$OUT/nodemailer-envelope-hidden.pcap" 2525 lo
nm envelopeHidden 127.0.0.1 2525
stop_capture

echo "nodemailer-envelope-own-domain"
start_capture "$OUT/nodemailer-envelope-own-domain.pcap" 2525 lo
nm envelopeOwnDomain 127.0.0.1 2525
stop_capture

echo "swaks-pipeline-auth (nanosecond pcap)"
start_capture "$OUT/swaks-pipeline-auth.pcap" 2525 nano
swaks --server 127.0.0.1 --port 2525 --helo client.corp.example --pipeline \
    --auth PLAIN --auth-user mcp-bot@corp.example --auth-password 'Swaks-PLAIN-pw-4410' \
    --from sales@corp.example \
    --to buyer@client.example,cc-person@client.example,nobody@rejected.example,shadow@exfil.example \
    --header 'From: Sales <sales@corp.example>' \
    --header 'To: Buyer <buyer@client.example>' \
    --header 'Cc: "Person, CC" <cc-person@client.example>' \
    --header 'Subject: swaks pipelined' \
    --header 'Message-ID: <swaks-1@corp.example>' \
    --body 'Sent by swaks with PIPELINING.' >"$WORK/swaks.log" 2>&1 || { cat "$WORK/swaks.log"; exit 1; }
stop_capture

echo "python-smtplib-ipv6 (Linux cooked v2, -i any)"
start_capture "$OUT/python-smtplib-ipv6.pcap" 2525 any
py sendmail ::1 2525
stop_capture

echo "python-smtplib-rset"
start_capture "$OUT/python-smtplib-rset.pcap" 2525 lo
py rset 127.0.0.1 2525
stop_capture

echo "nodemailer-starttls (+ key log)"
rm -f "$OUT/nodemailer-starttls.keys"
start_capture "$OUT/nodemailer-starttls.pcap" 2587 lo
NODE_OPTIONS="--tls-keylog=$OUT/nodemailer-starttls.keys" nm starttls 127.0.0.1 2587
stop_capture

echo "nodemailer-implicit-tls (+ key log)"
rm -f "$OUT/nodemailer-implicit-tls.keys"
start_capture "$OUT/nodemailer-implicit-tls.pcap" 2465 lo
NODE_OPTIONS="--tls-keylog=$OUT/nodemailer-implicit-tls.keys" nm implicitTls 127.0.0.1 2465
stop_capture

echo "nodemailer-starttls-dsb.pcapng (key log embedded as a pcapng Decryption Secrets Block)"
rm -f "$OUT/nodemailer-starttls-dsb.pcapng"
editcap --inject-secrets "tls,$OUT/nodemailer-starttls.keys" \
    "$OUT/nodemailer-starttls.pcap" "$OUT/nodemailer-starttls-dsb.pcapng"

for k in "$OUT"/*.keys; do
    [[ -s "$k" ]] || { echo "empty key log $k" >&2; exit 1; }
done

echo "python-bdat (CHUNKING: raw-socket client against a python sink)"
python3 "$SCRIPTS/bdat-sink.py" 127.0.0.1 2526 "$WORK/bdat.ready" 2>"$WORK/bdat.log" &
BDAT_PID=$!
for _ in $(seq 100); do [[ -f "$WORK/bdat.ready" ]] && break; sleep 0.05; done
start_capture "$OUT/python-bdat.pcap" 2526 lo
python3 "$SCRIPTS/bdat-client.py" 127.0.0.1 2526
stop_capture
wait "$BDAT_PID" || { cat "$WORK/bdat.log"; exit 1; }

ls -l "$OUT"

# Check the new captures against the hand-written expectations.
python3 "$SCRIPTS/verify-captures.py"
