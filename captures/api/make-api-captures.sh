#!/usr/bin/env bash
# Regenerates the mail-API captures in this folder (see README.md). Needs root (port 443, tcpdump), node 20, openssl,
# tcpdump, editcap. Usage: ./make-api-captures.sh [scenario...]   (default: all)
#
# Per scenario: start standin.js (one process = one key log) on 127.20.0.1:443, start tcpdump, run the client script
# with the DNS preload + test CA, stop the stand-in (connections close: FIN in the capture), stop tcpdump.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
HERE=$PWD
ADDR=${STANDIN_ADDR:-127.20.0.1}
export STANDIN_ADDR=$ADDR

[ -d node_modules ] || npm ci --no-audit --no-fund

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

wait_for() { # file pattern seconds
  local i
  for i in $(seq 1 $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timeout waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

# capture NAME TLS_PROFILE IFACE command...
capture() {
  local name=$1 profile=$2 iface=$3; shift 3
  echo "== $name ($profile, -i $iface): $*"
  node standin.js --port 443 --tls "$profile" --keylog "$WORK/$name.keys" --log "$WORK/$name.requests.ndjson" \
    >"$WORK/$name.standin.out" 2>&1 &
  local spid=$!
  wait_for "$WORK/$name.standin.out" READY 10
  tcpdump -i "$iface" -s 0 -U -w "$WORK/$name.pcap" "host $ADDR and tcp port 443" >"$WORK/$name.tcpdump.out" 2>&1 &
  local tpid=$!
  wait_for "$WORK/$name.tcpdump.out" "listening on" 10
  sleep 0.3
  NODE_OPTIONS="--require $HERE/dns-override.js --no-deprecation" NODE_EXTRA_CA_CERTS="$HERE/pki/ca.crt" \
    timeout 120 "$@"
  sleep 0.5
  kill -TERM "$spid"; wait "$spid" || true
  sleep 0.5
  kill -INT "$tpid"; wait "$tpid" || true
  cp "$WORK/$name.pcap" "$HERE/$name.pcap"
  cp "$WORK/$name.keys" "$HERE/$name.keys"
  cp "$WORK/$name.requests.ndjson" "$HERE/logs/$name.requests.ndjson"
  grep -E 'packets captured' "$WORK/$name.tcpdump.out" || true
}

mkdir -p logs
SCEN=("$@")
run() { # name: true when selected
  [ ${#SCEN[@]} -eq 0 ] && return 0
  local s; for s in "${SCEN[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1
}

run postmark   && capture postmark   tls13           lo node clients/postmark.js
run sendgrid   && capture sendgrid   tls12-aes128gcm lo node clients/sendgrid.js
run mailgun    && capture mailgun    tls12-chacha20  lo node clients/mailgun.js
run ses-v2     && capture ses-v2     tls13           lo node clients/ses-v2.js
run ses-v1     && capture ses-v1     tls13           lo node clients/ses-v1.js
run mailjet    && capture mailjet    tls13           lo node clients/mailjet.js
run brevo      && capture brevo      tls13           lo node clients/brevo.js
run mandrill   && capture mandrill   tls13           lo node clients/mandrill.js
run sparkpost  && capture sparkpost  tls13           lo node clients/sparkpost.js
run mailersend && capture mailersend tls13           lo node clients/mailersend.js
run graph      && capture graph      tls13           lo node clients/graph.js
run gmail      && capture gmail      tls13           lo node clients/gmail.js
run gmail-h2   && capture gmail-h2   tls13           lo node clients/gmail.js h2
if run resend; then
  # Keys embedded in a pcapng Decryption Secrets Block instead of a side file.
  capture resend tls13 lo node clients/resend.js
  editcap --inject-secrets "tls,$HERE/resend.keys" "$HERE/resend.pcap" "$HERE/resend.pcapng"
  rm -f "$HERE/resend.pcap" "$HERE/resend.keys"
fi
# CRM-logged mail (known sinks) and a compliance copy in the sender's domain, through postmark and @sendgrid/mail.
run crm-bcc    && capture crm-bcc    tls13           lo node clients/crm-bcc.js
# The postmark-mcp incident, end to end: agent (MCP client) -> stdio -> malicious MCP server -> postmark client -> HTTPS.
# -i any gives a LINUX_SLL2 link layer.
run mcp-postmark-incident && capture mcp-postmark-incident tls13 any node mcp/drive.js

echo "done; now run: python3 check-api-captures.py"
