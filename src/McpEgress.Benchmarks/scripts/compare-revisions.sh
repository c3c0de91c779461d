#!/usr/bin/env bash
# Before/after replay speed of two git revisions, on one machine in one run (issue 9's "not slower than 10%" check).
# Builds each revision's CLI (src/McpEgress.Cli) in Release from a temporary git worktree under /tmp (removed at the
# end), generates the two agent-host shapes once with this checkout's benchmark tool (bulk SIZE_MB, mail-heavy
# 0.3 x SIZE_MB, into bench-data/compare/), then replays each shape with each revision RUNS times, alternating
# old/new so both see the same machine load, and prints the best wall time of each with MB/s, peak RSS and whether
# the counts matched the expected file. CPU time (user + system) is shown too: steadier than wall time on a shared
# machine and what the verdict uses when known (identical builds: up to 14% apart in wall time, 0.6% in CPU time, at
# load ~25 on 2 cores). A change past +10% is flagged.
#   Usage: compare-revisions.sh OLD_REV NEW_REV [SIZE_MB]     (env: RUNS=3, DATA=bench-data/compare, TSHARK=1 adds tshark)
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,10p "$0"; exit 1; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel)"
old="$(git -C "$repo" rev-parse --verify "$1^{commit}")"; new="$(git -C "$repo" rev-parse --verify "$2^{commit}")"
size="${3:-300}"; runs="${RUNS:-3}"; data="${DATA:-$repo/bench-data/compare}"
tmp="$(mktemp -d /tmp/mcp-egress-compare.XXXXXX)"
cleanup() {
  for w in old new; do [ -d "$tmp/src-$w" ] && git -C "$repo" worktree remove --force "$tmp/src-$w" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

for w in old new; do
  rev=$old; [ $w = new ] && rev=$new
  echo "building $w = ${rev:0:12} ..." >&2
  git -C "$repo" worktree add --detach "$tmp/src-$w" "$rev" >/dev/null 2>&1
  dotnet build -c Release "$tmp/src-$w/src/McpEgress.Cli" -o "$tmp/cli-$w" >"$tmp/build-$w.log" 2>&1 \
    || { tail -20 "$tmp/build-$w.log"; exit 1; }
done

echo "building the benchmark tool (this checkout) ..." >&2
dotnet build -c Release "$repo/src/McpEgress.Benchmarks" >"$tmp/build-bench.log" 2>&1 || { tail -20 "$tmp/build-bench.log"; exit 1; }
bench=(dotnet "$repo/src/McpEgress.Benchmarks/bin/Release/net10.0/McpEgress.Benchmarks.dll")
mkdir -p "$data"
mail_mb=$(awk -v s="$size" 'BEGIN { printf "%.0f", s * 0.3 }')
(cd "$repo" && "${bench[@]}" agent-capture bulk "$data/bulk.pcap" "$size" && "${bench[@]}" agent-capture mail-heavy "$data/mail-heavy.pcap" "$mail_mb") >&2

# One "summary" line per run: summary <tool> <wall s> <MB/s> <packets/s> <messages/s> <peak RSS MB> <OK|MISMATCH>
for shape in bulk mail-heavy; do
  for ((i = 1; i <= runs; i++)); do
    for w in old new; do
      "${bench[@]}" replay "$data/$shape.pcap" --cli "$tmp/cli-$w/mcp-egress" | awk -v s=$shape -v w=$w '$1=="summary" { print s, w, $0 }' >>"$tmp/results" || true
    done
  done
  if [ -n "${TSHARK:-}" ]; then
    "${bench[@]}" replay "$data/$shape.pcap" --cli "$tmp/cli-new/mcp-egress" --tshark --runs 1 \
      | awk -v s=$shape '$1=="summary" && $2=="tshark" { print s, "tshark", $0 }' >>"$tmp/results" || true
  fi
done

echo
echo "old ${old:0:12} ($(git -C "$repo" log -1 --format=%s "$old" | cut -c1-60))"
echo "new ${new:0:12} ($(git -C "$repo" log -1 --format=%s "$new" | cut -c1-60))"
echo "best of $runs, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
  { k = $1 SUBSEP $2
    if (!(k in best) || $5 < best[k]) { best[k] = $5; mbs[k] = $6; msgs[k] = $8; rss[k] = $9; chk[k] = $10 }
    if ($11 >= 0 && (!(k in cpu) || $11 < cpu[k])) cpu[k] = $11 }
  END {
    printf "%-11s %8s %8s %7s  %8s %8s %7s  %8s %8s %9s %9s %7s %7s  %s\n", "shape", "old s", "new s", "wall", "old CPU", "new CPU", "CPU", "old MB/s", "new MB/s", "old msg/s", "new msg/s", "old RSS", "new RSS", "counts old/new"
    n = split("bulk mail-heavy", shapes, " ")
    for (i = 1; i <= n; i++) {
      s = shapes[i]; o = s SUBSEP "old"; w = s SUBSEP "new"
      if (!(o in best) || !(w in best)) continue
      change = 100 * (best[w] - best[o]) / best[o]
      cchange = (o in cpu && w in cpu && cpu[o] > 0) ? 100 * (cpu[w] - cpu[o]) / cpu[o] : 0
      # CPU time decides when known: identical builds differed by up to +14% in wall time, 0.6% in CPU time, at load ~25.
      slower = (o in cpu && w in cpu && cpu[o] > 0) ? cchange > 10 : change > 10
      verdict = slower ? "  SLOWER by more than 10%" : ""
      printf "%-11s %8.2f %8.2f %+6.1f%%  %8.2f %8.2f %+6.1f%%  %8.1f %8.1f %9d %9d %4d MB %4d MB  %s/%s%s\n", s, best[o], best[w], change, cpu[o], cpu[w], cchange, mbs[o], mbs[w], msgs[o], msgs[w], rss[o], rss[w], chk[o], chk[w], verdict
      t = s SUBSEP "tshark"
      if (t in best) printf "%-11s tshark %.2f s (%.2f s CPU), %.1f MB/s, RSS %d MB: %.1fx the new revision'"'"'s wall time\n", s, best[t], cpu[t], mbs[t], rss[t], best[t] / best[w]
    }
  }' "$tmp/results"
