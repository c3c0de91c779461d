#!/usr/bin/env bash
# Issue 14's benchmark: a million distinct hidden recipients (each in its own domain, to its own visible domain, from
# 50,000 packages) through the default detection engine with a state file, as `watch --state` writes it. Prints the
# in-memory entries, RSS and the state file's size every 10%, then the file after close and a reopen (what a restarted
# daemon loads). Exit 1 if the store or the reload exceed the store's bounds. Time-bounded (default 15 min).
#   bash src/McpEgress.Benchmarks/scripts/baselines-million.sh [MESSAGES] [TIMEOUT_SECONDS]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
MESSAGES=${1:-1000000}
LIMIT=${2:-900}
mkdir -p "$ROOT/bench-data"
STATE=$(mktemp "$ROOT/bench-data/baselines-XXXXXX.db")
rm -f "$STATE"
trap 'rm -f "$STATE" "$STATE-wal" "$STATE-shm" "$STATE".corrupt-*' EXIT
dotnet build "$ROOT/src/McpEgress.Benchmarks" -c Release -v q -nologo >/dev/null
timeout "$LIMIT" dotnet "$ROOT/src/McpEgress.Benchmarks/bin/Release/net10.0/McpEgress.Benchmarks.dll" baselines "$MESSAGES" "$STATE"
