#!/usr/bin/env bash
# Regenerates the tunnel captures in this folder (see README.md): real clients going through a real egress proxy.
# Needs root (port 443, tcpdump, unshare/mount), node 20 + npm, tinyproxy and microsocks (apt), openssl, tcpdump.
# Usage: ./make-proxy-captures.sh [postmark-connect|smtp-connect|smtp-socks5 ...]   (default: all)
#
#   client (127.0.0.1) ──► proxy 127.30.0.1 (tinyproxy :8888 CONNECT, microsocks :1080 SOCKS5) ──► 127.20.0.1:443 stand-in
#                                                                                                 127.0.0.1:2525 SMTP sink
# Only the client↔proxy leg is recorded (`host 127.30.0.1`): that is what a monitor on the agent host sees.
# The proxies resolve the real provider host names through ./hosts, bind-mounted over /etc/hosts in a private mount
# namespace (unshare -m) for the proxy processes only; the clients do no DNS for the tunnelled host at all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
HERE=$PWD
API=$HERE/../api
PROXY=127.30.0.1

[ -d node_modules ] || npm ci --no-audit --no-fund
[ -d "$API/node_modules" ] || (cd "$API" && npm ci --no-audit --no-fund)
command -v tinyproxy >/dev/null && command -v microsocks >/dev/null && command -v nghttpx >/dev/null \
  || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tinyproxy microsocks nghttp2-proxy >/dev/null

WORK=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

wait_for() { # file pattern seconds
  local i
  for i in $(seq 1 $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timeout waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}
# exec: the background job's pid is the proxy's own, so the cleanup trap stops it.
in_hosts_ns() { exec unshare -m --propagation private sh -c "mount --bind '$HERE/hosts' /etc/hosts && exec \"\$@\"" sh "$@"; }

# The SMTP sink (plain listener only) with a throw-away certificate it does not use.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mx.sink.test" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
node ../scripts/smtp-sink.js --cert "$WORK" --ready "$WORK/sink.ready" --listen plain:127.0.0.1:2525 2>"$WORK/sink.log" &
pids+=($!)
for _ in $(seq 100); do [[ -f "$WORK/sink.ready" ]] && break; sleep 0.1; done

# The proxies.
in_hosts_ns tinyproxy -d -c "$HERE/tinyproxy.conf" >"$WORK/tinyproxy.log" 2>&1 &
pids+=($!)
in_hosts_ns microsocks -i "$PROXY" -p 1080 >"$WORK/microsocks.log" 2>&1 &
pids+=($!)
# HTTP/2 proxy mode: nghttpx takes h2c (prior knowledge, no TLS) on :3128 and sends each CONNECT on to tinyproxy.
nghttpx --http2-proxy --frontend="$PROXY,3128;no-tls" --backend="$PROXY,8888" --workers=1 \
  --pid-file="$WORK/nghttpx.pid" --errorlog-file="$WORK/nghttpx.log" --accesslog-file="$WORK/nghttpx.access" &
pids+=($!)
sleep 1

# capture NAME command...   (the stand-in runs for every scenario, so each key log belongs to one capture)
capture() {
  local name=$1; shift
  echo "== $name: $*"
  (cd "$API" && STANDIN_ADDR=127.20.0.1 node standin.js --port 443 --tls tls13 --keylog "$WORK/$name.keys" \
     --log "$WORK/$name.requests.ndjson") >"$WORK/$name.standin.out" 2>&1 &
  local spid=$!
  pids+=($spid)
  wait_for "$WORK/$name.standin.out" READY 10
  tcpdump -i lo -s 0 -U -w "$WORK/$name.pcap" "${FILTER:-host $PROXY}" >"$WORK/$name.tcpdump.out" 2>&1 &
  local tpid=$!
  wait_for "$WORK/$name.tcpdump.out" "listening on" 10
  sleep 0.3
  timeout 120 "$@"
  sleep 0.5
  kill -TERM "$spid"; wait "$spid" || true
  sleep 0.5
  kill -INT "$tpid"; wait "$tpid" || true
  cp "$WORK/$name.pcap" "$HERE/$name.pcap"
  if [ -s "$WORK/$name.keys" ]; then cp "$WORK/$name.keys" "$HERE/$name.keys"; else rm -f "$HERE/$name.keys"; fi
  grep -E 'packets captured' "$WORK/$name.tcpdump.out" || true
}

SCEN=("$@")
run() { [ ${#SCEN[@]} -eq 0 ] && return 0; local s; for s in "${SCEN[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

run postmark-connect && capture postmark-connect env HTTPS_PROXY="http://$PROXY:8888" NODE_EXTRA_CA_CERTS="$API/pki/ca.crt" \
  node --require "$HERE/proxy-env.js" postmark-via-proxy.js
run smtp-connect && capture smtp-connect node smtp-via-proxy.js connect "http://$PROXY:8888"
run smtp-socks5 && capture smtp-socks5 node smtp-via-proxy.js socks5 "socks5://$PROXY:1080"
# Only the client <-> nghttpx leg: nghttpx -> tinyproxy is proxy-internal.
run postmark-h2-connect && FILTER="host $PROXY and tcp port 3128" capture postmark-h2-connect env NODE_EXTRA_CA_CERTS="$API/pki/ca.crt" \
  node h2-connect-client.js "http://$PROXY:3128"
echo "done"
