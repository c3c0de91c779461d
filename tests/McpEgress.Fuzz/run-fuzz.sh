#!/usr/bin/env bash
# Coverage-guided fuzzing of every McpEgress parser with afl-fuzz + SharpFuzz.
#
#   tests/McpEgress.Fuzz/run-fuzz.sh [--seconds N | --hours H] [--no-build] [--build-only] [--save-crashes] [TARGET...]
#
# Installs afl++ (apt) and the sharpfuzz tool (SharpFuzz.CommandLine 2.3.0) when missing, publishes the harness in
# Release, instruments McpEgress.dll only, then runs `afl-fuzz -V N` for each TARGET in turn (default: every target
# of `--list`; 60 s each). Output: artifacts/fuzz/TARGET/ (git-ignored). Prints one row per target from
# fuzzer_stats — execs, execs/s, edges, bitmap coverage, crashes, hangs — and exits 1 when any target crashed,
# listing the crashing inputs (replay one: dotnet artifacts/fuzz/bin/McpEgress.Fuzz.dll TARGET --replay FILE).
# --save-crashes copies them to tests/McpEgress.Fuzz/crashes/TARGET/, where the regression test replays them.
# Long runs: --hours 8 gives each target 8 hours (run several targets in parallel shells if cores allow).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${FUZZ_OUT:-$repo/artifacts/fuzz}"
seconds=60 build=1 fuzz=1 save=0 targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --hours) seconds=$(( $2 * 3600 )); shift 2 ;;
    --no-build) build=0; shift ;;
    --build-only) fuzz=0; shift ;;
    --save-crashes) save=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
mkdir -p "$out"
bin="$out/bin"
dll="$bin/McpEgress.Fuzz.dll"

if ! command -v afl-fuzz >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing afl++" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq afl++ >/dev/null
fi
sharpfuzz="$(command -v sharpfuzz || echo "$out/tools/sharpfuzz")"
if [ ! -x "$sharpfuzz" ]; then
  echo "installing SharpFuzz.CommandLine 2.3.0" >&2
  dotnet tool install --tool-path "$out/tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

if ((build)); then
  # A fresh folder each time: sharpfuzz rewrites McpEgress.dll in place and must see the uninstrumented one.
  rm -rf "$bin"
  dotnet publish "$here/McpEgress.Fuzz.csproj" -c Release -o "$bin" --nologo -v q >&2
  # Only the library under test is instrumented (not the harness, SharpFuzz, YamlDotNet or System.*).
  "$sharpfuzz" "$bin/McpEgress.dll" >&2
fi
((fuzz)) || exit 0
[ -f "$dll" ] || { echo "no build at $bin (run without --no-build)" >&2; exit 2; }
((${#targets[@]})) || mapfile -t targets < <(dotnet "$dll" --list)

export AFL_SKIP_BIN_CHECK=1                    # the target binary is dotnet, instrumented by SharpFuzz, not afl-cc
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_UI=1 AFL_NO_AFFINITY=1           # a shared machine: no curses screen, no CPU pinning
export AFL_FORKSRV_INIT_TMOUT="${AFL_FORKSRV_INIT_TMOUT:-30000}"   # .NET start-up on a loaded machine

dotnet="$(command -v dotnet)"
stat() { sed -n "s/^$2 *: *//p" "$1/fuzzer_stats" 2>/dev/null | head -1; }
rc=0
rows=()
crashes_found=()
for t in "${targets[@]}"; do
  seeds="$here/seeds/$t"
  [ -d "$seeds" ] && [ -n "$(ls -A "$seeds")" ] || { echo "$t: no seeds in $seeds" >&2; rc=2; continue; }
  rm -rf "${out:?}/$t"
  echo "fuzzing $t for ${seconds}s" >&2
  # -t 10000 -m none: SharpFuzz's settings (a .NET child needs memory beyond afl's default cap and a JIT warm-up).
  afl-fuzz -i "$seeds" -o "$out/$t" -V "$seconds" -t "${FUZZ_TIMEOUT_MS:-10000}" -m none -- "$dotnet" "$dll" "$t" \
    >"$out/$t.log" 2>&1 || { echo "$t: afl-fuzz failed, see $out/$t.log" >&2; tail -20 "$out/$t.log" >&2; rc=2; }
  s="$out/$t/default"
  crashes=$(stat "$s" saved_crashes); [ -n "$crashes" ] || crashes=$(stat "$s" unique_crashes)
  hangs=$(stat "$s" saved_hangs); [ -n "$hangs" ] || hangs=$(stat "$s" unique_hangs)
  rows+=("$(printf '%-11s %12s %9s %7s %8s %8s %6s' "$t" "$(stat "$s" execs_done)" "$(stat "$s" execs_per_sec)" \
    "$(stat "$s" edges_found)" "$(stat "$s" bitmap_cvg)" "${crashes:-?}" "${hangs:-?}")")
  if [ -n "$(ls -A "$s/crashes" 2>/dev/null | grep -v README)" ]; then
    rc=1
    for f in "$s"/crashes/id:*; do
      crashes_found+=("$t $f")
      if ((save)); then mkdir -p "$here/crashes/$t"; cp "$f" "$here/crashes/$t/$(sha256sum "$f" | cut -c1-16)"; fi
    done
  fi
done

printf '%-11s %12s %9s %7s %8s %8s %6s\n' target execs execs/s edges bitmap crashes hangs
printf '%s\n' "${rows[@]}"
if ((${#crashes_found[@]})); then
  echo
  echo "crashing inputs (replay: dotnet $dll TARGET --replay FILE):"
  printf '  %s\n' "${crashes_found[@]}"
fi
exit "$rc"
