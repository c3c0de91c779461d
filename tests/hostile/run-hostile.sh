#!/usr/bin/env bash
# Issue 11, hostile inputs: builds the hostile config files, key logs and a flow flood in a temp dir, runs the Release
# CLI on each and prints a table: case, exit code, first line of stderr, peak RSS (MB). Config and key-log cases must
# stay under 200 MB, the flood (FLOOD_FLOWS idle SMTP flows, default 1M) under 300 MB. Not a unit test (it takes a minute and ~1.5 GB of temp space); run it by hand:
#   bash tests/hostile/run-hostile.sh            # BIG_KEYLOG_MB=1024 by default
# Exits 1 if a case has an unexpected exit code or goes over the RSS limit.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIG_KEYLOG_MB=${BIG_KEYLOG_MB:-1024}
LIMIT_MB=200
FLOOD_FLOWS=${FLOOD_FLOWS:-1000000}

if [ ! -x /usr/bin/time ]; then
    apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
fi

dotnet build src/McpEgress.Cli -c Release -v q -nologo >/dev/null
CLI=$ROOT/src/McpEgress.Cli/bin/Release/net10.0/mcp-egress.dll
PCAP=$ROOT/captures/smtp/nodemailer-starttls.pcap
KEYS=$ROOT/captures/smtp/nodemailer-starttls.keys

T=$(mktemp -d /tmp/mcp-egress-hostile.XXXXXX)
trap 'rm -rf "$T"' EXIT
dotnet run -c Release --project src/McpEgress.Benchmarks -v q -- flow-flood "$T/flood.pcap" "$FLOOD_FLOWS" >/dev/null

python3 - "$T" "$KEYS" "$BIG_KEYLOG_MB" <<'PY'
import os, sys
t, keys, big_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
def bomb(under):
    s = f"{under}:\n  a0: &a0 [\"lol\"]\n"
    for i in range(1, 10):
        s += f"  a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 10) + "]\n"
    return s
open(f"{t}/bomb-unknown-key.yaml", "w").write(bomb("surprise"))
s = "x:\n  - &d0 [giftshop.club]\n"
for i in range(1, 9):
    s += f"  - &d{i} [" + ",".join([f"*d{i-1}"] * 10) + "]\n"
s += "detection:\n  denied_domains: [" + ",".join(["*d8"] * 10) + "]\n"
open(f"{t}/bomb-denied-domains.yaml", "w").write(s)
open(f"{t}/deep-100k.yaml", "w").write("limits: " + "[" * 100_000 + "]" * 100_000 + "\n")
open(f"{t}/deep-100k.json", "w").write('{"limits": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}")
with open(f"{t}/scalar-100mb.yaml", "w") as f:
    f.write('detection:\n  denied_domains: ["')
    chunk = "x" * (1 << 20)
    for _ in range(100):
        f.write(chunk)
    f.write('"]\n')
os.symlink("/dev/zero", f"{t}/zero.yaml")
real = open(keys).read()
master = "a" * 96
def junk(f, n, start=1 << 40):
    buf = []
    for i in range(start, start + n):
        buf.append(f"CLIENT_RANDOM {i:064x} {master}\n")
        if len(buf) == 100_000:
            f.write("".join(buf)); buf = []
    f.write("".join(buf))
with open(f"{t}/1m-lines.keys", "w") as f:
    f.write(real)
    junk(f, 1_000_000)
line = len(f"CLIENT_RANDOM {0:064x} {master}\n")
with open(f"{t}/big-junk.keys", "w") as f:
    f.write(real)
    junk(f, big_mb * (1 << 20) // line)
os.mkdir(f"{t}/dir.keys")
PY

printf '%-28s %4s %7s  %s\n' "case" "exit" "RSS MB" "first line of stderr (+ check)"
printf '%-28s %4s %7s  %s\n' "----" "----" "------" "------------------------------"
fail=0
# run NAME EXPECTED_EXIT RSS_LIMIT(1 = ${LIMIT_MB} MB, 0 = none, else MB) ARGS...
run() {
    local name=$1 want=$2 limited=$3; shift 3
    local code=0
    /usr/bin/time -f %M -o "$T/rss" dotnet "$CLI" "$@" >"$T/out" 2>"$T/err" || code=$?
    local rss_kb; rss_kb=$(tail -1 "$T/rss")
    local rss=$((rss_kb / 1024))
    local first; first=$({ grep -v '^Command exited' "$T/err" || true; } | head -1 | cut -c1-110)
    local check=""
    if grep -q '"tls-session"' "$T/out" 2>/dev/null; then
        check=" [decrypted: $(grep -c '"decrypted":true' "$T/out" || true), opaque: $(grep -c '"decrypted":false' "$T/out" || true)]"
    fi
    local mark=""
    if [ "$code" != "$want" ]; then mark=" !! expected exit $want"; fail=1; fi
    local limit=$limited; [ "$limited" = 1 ] && limit=$LIMIT_MB
    if [ "$limit" != 0 ] && [ "$rss" -ge "$limit" ]; then mark="$mark !! over ${limit} MB"; fail=1; fi
    printf '%-28s %4s %7s  %s%s%s\n' "$name" "$code" "$rss" "$first" "$check" "$mark"
}

run "baseline (real keys)"        0 1 replay "$PCAP" --keylog "$KEYS"
run "config: alias bomb (unknown key)" 2 1 replay "$PCAP" --config "$T/bomb-unknown-key.yaml"
run "config: alias bomb (denied_domains)" 2 1 replay "$PCAP" --config "$T/bomb-denied-domains.yaml"
run "config: 100k-deep YAML"      2 1 replay "$PCAP" --config "$T/deep-100k.yaml"
run "config: 100k-deep JSON"      2 1 replay "$PCAP" --config "$T/deep-100k.json"
run "config: /dev/zero"           2 1 replay "$PCAP" --config "$T/zero.yaml"
run "config: 100 MB scalar"       2 1 replay "$PCAP" --config "$T/scalar-100mb.yaml"
run "keylog: /dev/zero"           3 1 replay "$PCAP" --keylog /dev/zero
run "keylog: a directory"         3 1 replay "$PCAP" --keylog "$T/dir.keys"
run "keylog: 1M lines"            0 1 replay "$PCAP" --keylog "$T/1m-lines.keys"
run "keylog: ${BIG_KEYLOG_MB} MB junk after keys" 0 1 replay "$PCAP" --keylog "$T/big-junk.keys"
run "output: /dev/full"           4 0 replay "$PCAP" --keylog "$KEYS" --output /dev/full
run "flood: $FLOOD_FLOWS idle SMTP flows" 0 300 replay "$T/flood.pcap" --output /dev/null --no-progress
exit $fail
