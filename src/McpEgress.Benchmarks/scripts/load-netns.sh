#!/usr/bin/env bash
# The daemon under load (issue 15): benchmark captures replayed with tcpreplay onto one end of a veth pair inside a
# network namespace this script creates, while `mcp-egress watch` — its default config: process attribution on, the
# SYN tap, the inventory — captures on the other end with the capture's key log. The namespace keeps the replayed
# addresses off every real network and away from any TCP stack (nothing is sent outside it), and it has no sockets of
# its own: every replayed flow is a connection without a local socket, the worst case for process attribution.
#
# For each (capture, rate) it prints: the rate tcpreplay reached, packets sent / captured, drops by cause (kernel,
# interface, our queue), packets bypassed (not a drop), messages found / expected, and event latency (time from the
# message's packet timestamp to the event being in the events file: p50/p99/max).
#
# Usage (root): load-netns.sh [--bulk-rates "1000 2000"] [--mail-rates "200 500"] [--flood N] [--flood-rate MBPS]
#                             [--bulk-mb 300] [--mail-mb 90] [--data DIR] [--only bulk|mail] [-- extra watch flags]
# Captures are generated (agent-capture) into DIR (default bench-data/load, git-ignored) when missing. --flood N adds
# a second tcpreplay of N SYNs to made-up hosts (syn-flood.py) at the same time as each mail-heavy run.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
bulk_rates="1000 2000"; mail_rates="200 500"; flood=0; flood_rate=50; bulk_mb=300; mail_mb=90
data="$repo/bench-data/load"; only=""; extra=()
while (($#)); do
  case "$1" in
    --bulk-rates) bulk_rates="$2"; shift 2 ;;
    --mail-rates) mail_rates="$2"; shift 2 ;;
    --flood) flood="$2"; shift 2 ;;
    --flood-rate) flood_rate="$2"; shift 2 ;;
    --bulk-mb) bulk_mb="$2"; shift 2 ;;
    --mail-mb) mail_mb="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "load-netns.sh: needs root (ip netns, raw capture)" >&2; exit 2; }
command -v tcpreplay >/dev/null || { echo "load-netns.sh: tcpreplay missing (apt-get install tcpreplay)" >&2; exit 2; }

cd "$repo"
# The shipped binary: Native AOT (README "Install"); CLI=path runs another build instead.
if [ -z "${CLI:-}" ]; then
  dotnet publish src/McpEgress.Cli -c Release -r linux-x64 -o "$repo/artifacts/aot" -v q -nologo >/dev/null
  cli="$repo/artifacts/aot/mcp-egress"
else
  cli="$CLI"
fi
mkdir -p "$data"
gen() { # shape file MB
  [ -f "$2" ] || dotnet run -c Release --project src/McpEgress.Benchmarks -- agent-capture "$1" "$2" "$3" >&2
}
[ "$only" = mail ] || gen bulk "$data/bulk.pcap" "$bulk_mb"
[ "$only" = bulk ] || gen mail-heavy "$data/mail-heavy.pcap" "$mail_mb"
if ((flood > 0)) && [ ! -f "$data/flood-$flood.pcap" ]; then
  python3 "$repo/src/McpEgress.Benchmarks/scripts/syn-flood.py" "$data/flood-$flood.pcap" "$flood"
fi

ns="mcpe-load-$$"
work="$(mktemp -d /tmp/mcpe-load.XXXXXX)"
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add va type veth peer name vb
# The generated captures hold some segments larger than 1500 bytes (as a capture with TSO/GRO would): a big MTU lets
# tcpreplay send every packet instead of failing those with EMSGSIZE.
ip -n "$ns" link set va mtu 65535 && ip -n "$ns" link set vb mtu 65535
for l in lo va vb; do ip -n "$ns" link set "$l" up; done
sysctl -q -w net.core.rmem_max=33554432 >/dev/null 2>&1 || true
inns() { ip netns exec "$ns" "$@"; }

metric() { # file name-regex: sum of matching samples
  python3 - "$1" "$2" <<'PY'
import re, sys
total = 0.0
for line in open(sys.argv[1]):
    if line.startswith('#'): continue
    m = re.match(r'(\S+?)(\{[^}]*\})?\s+(\S+)$', line.strip())
    if m and re.fullmatch(sys.argv[2], m.group(1) + (m.group(2) or '')): total += float(m.group(3))
print(int(total))
PY
}

printf '%-10s %6s %9s %9s %9s %8s %8s %8s %9s %13s %s\n' capture target reached_Mb sent captured kdrop ifdrop qdrop bypassed messages "latency p50/p99/max ms"

run() { # name pcap rate-mbps [flood-pcap]
  local name="$1" pcap="$2" rate="$3" floodpcap="${4:-}"
  local keys="${pcap%.pcap}.keys" expected="$pcap.expected.json" d="$work/$name-$rate"
  mkdir -p "$d"; chmod 600 "$keys"
  ip netns exec "$ns" "$cli" watch -i vb --keylog "$keys" --output "$d/events.ndjson" --state "$d/state.db" \
    --metrics-listen 127.0.0.1:9464 "${extra[@]}" 2>"$d/stderr" &
  daemon=$!
  for _ in $(seq 100); do inns curl -sf -o /dev/null http://127.0.0.1:9464/healthz && break; sleep 0.2; done
  : > "$d/events.ndjson"
  python3 - "$d/events.ndjson" "$d/latency" <<'PY' &
import json, os, signal, sys, time
from datetime import datetime
path, out = sys.argv[1], sys.argv[2]
lat = []
seen = []
stop = False
def done(*_):
    global stop; stop = True
signal.signal(signal.SIGTERM, done)
f = open(path)
buf = ''
while True:
    chunk = f.read()
    now = time.time()
    if chunk:
        buf += chunk
        *lines, buf = buf.split('\n')
        for line in lines:
            if '"email-sent"' not in line: continue
            try:
                ts = json.loads(line)['@timestamp']
                t = datetime.fromisoformat(ts.replace('Z', '+00:00')).timestamp()
                lat.append((now - t) * 1000)
                seen.append((t, lat[-1]))
            except Exception: pass
    elif stop: break
    else: time.sleep(0.005)
# Each event's packet time and latency, for a look at where the tail is (KEEP=1 keeps the folder).
with open(out + '.tsv', 'w') as tsv:
    for t, l in seen: tsv.write(f"{t:.6f}\t{l:.1f}\n")
lat.sort()
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float('nan')
open(out, 'w').write(f"{pick(0.5):.0f}/{pick(0.99):.0f}/{(lat[-1] if lat else float('nan')):.0f}")
PY
  local tailer=$!
  local fpid=""
  if [ -n "$floodpcap" ]; then ip netns exec "$ns" tcpreplay -q -i va --mbps="$flood_rate" "$floodpcap" >"$d/flood.txt" 2>&1 & fpid=$!; fi
  inns tcpreplay -i va --mbps="$rate" "$pcap" >"$d/tcpreplay.txt" 2>&1 || { cat "$d/tcpreplay.txt" >&2; }
  [ -n "$fpid" ] && wait "$fpid" || true
  # Let the daemon drain: until the captured count stops moving and the queue is empty (at most 60 s).
  local last=-1 now=0
  for _ in $(seq 120); do
    inns curl -sf http://127.0.0.1:9464/metrics >"$d/metrics" || true
    now=$(metric "$d/metrics" 'mcp_egress_capture_packets_total.*')
    [ "$now" = "$last" ] && [ "$(metric "$d/metrics" 'mcp_egress_buffered_bytes\{kind="capture_queue"\}')" = 0 ] && break
    last=$now; sleep 0.5
  done
  kill -TERM "$daemon"; wait "$daemon" || true; daemon=""
  sleep 0.3; kill -TERM "$tailer"; wait "$tailer" || true
  local reached sent captured kdrop ifdrop qdrop bypassed msgs want
  reached=$(grep -oP 'Rated:.*?,\s*\K[0-9.]+(?= Mbps)' "$d/tcpreplay.txt" | head -1 || echo "?")
  sent=$(grep -oP 'Actual: \K[0-9]+' "$d/tcpreplay.txt" | head -1 || echo "?")
  local failed; failed=$(grep -oP 'Failed packets:\s*\K[0-9]+' "$d/tcpreplay.txt" | head -1 || echo 0)
  [ "${failed:-0}" != 0 ] && echo "    tcpreplay could not send $failed packets (see $d/tcpreplay.txt)" >&2
  captured=$(metric "$d/metrics" 'mcp_egress_capture_packets_total.*')
  kdrop=$(metric "$d/metrics" 'mcp_egress_capture_drops_total\{.*cause="kernel".*')
  ifdrop=$(metric "$d/metrics" 'mcp_egress_capture_drops_total\{.*cause="interface".*')
  qdrop=$(metric "$d/metrics" 'mcp_egress_capture_drops_total\{.*cause="queue".*')
  bypassed=$(metric "$d/metrics" 'mcp_egress_bypassed_packets_total.*')
  msgs=$(grep -oP 'stopped: .*?, \K[0-9]+(?= messages)' "$d/stderr" || echo "?")
  want=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['messages'])" "$expected")
  printf '%-10s %6s %9s %9s %9s %8s %8s %8s %9s %13s %s\n' "$name" "$rate" "$reached" "$sent" "$captured" "$kdrop" "$ifdrop" \
    "$qdrop" "$bypassed" "$msgs/$want" "$(cat "$d/latency" 2>/dev/null || echo ?)" "$([ -n "$floodpcap" ] && echo "+ $flood SYN flood")"
  grep -E 'process attribution|warning' "$d/stderr" | sed 's/^/    /' | head -5 || true
}

if [ "$only" != mail ]; then for r in $bulk_rates; do run bulk "$data/bulk.pcap" "$r"; done; fi
if [ "$only" != bulk ]; then
  for r in $mail_rates; do
    run mail-heavy "$data/mail-heavy.pcap" "$r"
    ((flood > 0)) && run mail+flood "$data/mail-heavy.pcap" "$r" "$data/flood-$flood.pcap"
  done
fi
echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
