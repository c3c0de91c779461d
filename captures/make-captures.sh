#!/usr/bin/env bash
# Records the SMTP captures in smtp/ from real clients talking to a local sink on loopback.
# Needs root (tcpdump/dumpcap), node 20 + npm, python3, swaks, openssl, tshark/editcap.
# Idempotent: every output is rewritten. Expected files (smtp/*.expected.json) are hand-written and
# are NOT touched; run scripts/verify-captures.py afterwards to check the new captures against them.
# Usage: make-captures.sh [CAPTURE...]   e.g. make-captures.sh nodemailer-crm-bcc.pcap (default: all)
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
SELECTED=("$@") # capture file names to record (default: all)
selected() {
    [[ ${#SELECTED[@]} -eq 0 ]] && return 0
    local s; for s in "${SELECTED[@]}"; do [[ "$s" == "$1" ]] && return 0; done; return 1
}

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

# A capture is complete when tshark finds no hole in any TCP stream (no "previous segment not
# captured", no "ACKed unseen segment"). The sandbox's packet tap has been seen to drop a packet now and
# then with -i any, so a capture with a hole is recorded again (up to 3 tries).
complete() {
    local n
    n=$(tshark -r "$1" -Y 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment' 2>/dev/null | wc -l)
    [[ "$n" -eq 0 ]]
}

# record FILE PORT TOOL SCENARIO [ARGS...]: SCENARIO is a function below that runs the client(s).
record() {
    local file=$1 port=$2 tool=$3
    shift 3
    selected "$(basename "$file")" || return 0
    echo "$(basename "$file") ($tool)"
    for try in 1 2 3; do
        start_capture "$file" "$port" "$tool"
        "$@"
        stop_capture
        complete "$file" && return 0
        echo "  capture has a hole, try $try; recording again" >&2
    done
    echo "could not record a complete $file" >&2
    exit 1
}

swaks_pipeline_auth() {
    swaks --server 127.0.0.1 --port 2525 --helo client.corp.example --pipeline \
        --auth PLAIN --auth-user mcp-bot@corp.example --auth-password 'Swaks-PLAIN-pw-4410' \
        --from sales@corp.example \
        --to buyer@client.example,cc-person@client.example,nobody@rejected.example,shadow@exfil.example \
        --header 'From: Sales <sales@corp.example>' \
        --header 'To: Buyer <buyer@client.example>' \
        --header 'Cc: "Person, CC" <cc-person@client.example>' \
        --header 'Subject: swaks pipelined' \
        --body 'Sent by swaks with PIPELINING.' >"$WORK/swaks.log" 2>&1 || { cat "$WORK/swaks.log"; exit 1; }
}

# HELO (no ESMTP); swaks keeps the Bcc header it is given.
swaks_helo_bcc_header() {
    swaks --server 127.0.0.1 --port 2525 --helo client.corp.example --protocol SMTP \
        --from sales@corp.example \
        --to buyer@client.example,secret@corp.example,spy@rival.example \
        --header 'From: Sales <sales@corp.example>' \
        --header 'To: Buyer <buyer@client.example>' \
        --header 'Bcc: Secret Keeper <secret@corp.example>, spy@rival.example' \
        --header 'Subject: swaks with a Bcc header' \
        --body 'The Bcc header travels with this message.' >"$WORK/swaks2.log" 2>&1 || { cat "$WORK/swaks2.log"; exit 1; }
}

# nodemailer over TLS with node's key log (NSS key log format) next to the capture.
nm_keylog() {
    local keys=$1
    shift
    rm -f "$keys"
    NODE_OPTIONS="--tls-keylog=$keys" nm "$@" 2> >(grep -v -e 'tls-keylog makes TLS' -e 'trace-warnings' >&2)
    [[ -s "$keys" ]] || { echo "empty key log $keys" >&2; exit 1; }
}

# CHUNKING: raw-socket client against the one-connection python sink.
bdat() {
    rm -f "$WORK/bdat.ready"
    python3 "$SCRIPTS/bdat-sink.py" 127.0.0.1 2526 "$WORK/bdat.ready" 2>"$WORK/bdat.log" &
    local sink=$!
    for _ in $(seq 100); do [[ -f "$WORK/bdat.ready" ]] && break; sleep 0.05; done
    python3 "$SCRIPTS/bdat-client.py" 127.0.0.1 2526
    wait "$sink" || { cat "$WORK/bdat.log"; exit 1; }
}

record "$OUT/nodemailer-plain.pcap"                2525 lo      nm plain 127.0.0.1 2525
record "$OUT/nodemailer-pool.pcapng"               2525 dumpcap nm pool 127.0.0.1 2525
record "$OUT/nodemailer-envelope-hidden.pcap"      2525 lo      nm envelopeHidden 127.0.0.1 2525
record "$OUT/nodemailer-envelope-own-domain.pcap"  2525 lo      nm envelopeOwnDomain 127.0.0.1 2525
record "$OUT/nodemailer10-pipelined.pcap"          2525 lo      env NODEMAILER=current node "$SCRIPTS/nodemailer-client.js" pipelined 127.0.0.1 2525
record "$OUT/swaks-pipeline-auth.pcap"             2525 nano    swaks_pipeline_auth
record "$OUT/swaks-helo-bcc-header.pcap"           2525 lo      swaks_helo_bcc_header
record "$OUT/python-smtplib-ipv6.pcap"             2525 any     py sendmail ::1 2525
record "$OUT/python-smtplib-rset.pcap"             2525 lo      py rset 127.0.0.1 2525
record "$OUT/nodemailer-starttls.pcap"             2587 lo      nm_keylog "$OUT/nodemailer-starttls.keys" starttls 127.0.0.1 2587
record "$OUT/nodemailer-implicit-tls.pcap"         2465 lo      nm_keylog "$OUT/nodemailer-implicit-tls.keys" implicitTls 127.0.0.1 2465
record "$OUT/python-bdat.pcap"                     2526 lo      bdat
record "$OUT/nodemailer-crm-bcc.pcap"              2525 lo      nm crmBcc 127.0.0.1 2525

if selected nodemailer-starttls-dsb.pcapng; then
    echo "nodemailer-starttls-dsb.pcapng (key log embedded as a pcapng Decryption Secrets Block)"
    rm -f "$OUT/nodemailer-starttls-dsb.pcapng"
    editcap --inject-secrets "tls,$OUT/nodemailer-starttls.keys" \
        "$OUT/nodemailer-starttls.pcap" "$OUT/nodemailer-starttls-dsb.pcapng"
fi

# Check the new captures against the hand-written expectations.
python3 "$SCRIPTS/verify-captures.py"
