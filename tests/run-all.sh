#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine with the .NET SDK, then runs every test.
# Usage (as root, or with sudo available):  bash tests/run-all.sh
# Prints "N passed, N failed, N skipped" as its last line; exits non-zero if any test failed or none ran.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# clang and zlib1g-dev: the Native AOT compiler's linker step (the shipped binary is published AOT; tests run it).
apt_pkgs=(libpcap0.8 tshark tcpdump swaks prometheus python3 openssl zsh fish afl++ clang zlib1g-dev)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages used by the capture scripts (and the live end-to-end tests that run them).
for d in captures/node captures/api captures/proxy grafana/tools; do
  if [ -f "$d/package.json" ] && [ ! -d "$d/node_modules" ]; then
    # The capture scripts need these only to re-record captures; a registry hiccup must not hide the test results
    # (tests that need a package say so themselves).
    (cd "$d" && if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi) >&2 \
      || echo "warning: npm install failed in $d" >&2
  fi
done

# The shipped binary, Native AOT: AotBinaryTests run it over every golden capture and as a live daemon.
dotnet publish src/McpEgress.Cli -c Release -r linux-x64 -o "$repo/artifacts/aot" -nologo -v q >&2
export MCP_EGRESS_AOT_CLI="$repo/artifacts/aot/mcp-egress"

results="$repo/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
set +e
dotnet test McpEgress.sln -c Release --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@"
rc=$?
set -e

python3 - "$results" "$rc" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(f).getroot().find(".//{*}ResultSummary/{*}Counters")
    if c is None: continue
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(0 if (failed == 0 and passed > 0 and sys.argv[2] == "0") else 1)
PY
