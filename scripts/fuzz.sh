#!/usr/bin/env bash
# Fuzz lnn's file parsers with libFuzzer under ASan + UBSan: builds build-fuzz/
# (cmake -DLNN_FUZZ=ON, clang), then runs each target for a fixed time from its
# committed seed corpus (csrc/fuzz/corpus/<target>) plus a scratch corpus.
# Exits non-zero if any target crashes, leaks, hits a sanitizer report or the
# memory limit; the crashing input is kept in fuzz-artifacts/ (a regression
# spec should then load it: spec/fuzz_regressions_spec.lua).  A timeout that
# does not reproduce (the run was paused with SIGSTOP) is set aside and the
# run goes on.
#
# Usage: scripts/fuzz.sh [--long] [target...]     (default: every target)
#   --long            the deep run (not in CI): each target for LNN_FUZZ_RUNS
#                     executions (default 10 million) instead of a time; the
#                     logs stay in fuzz-artifacts/long-<target>.log
# Environment:
#   LNN_FUZZ_SECONDS  seconds per target (default 60; with --long, a cap only
#                     when set: a run stopped by it says so and how far it got)
#   LNN_FUZZ_RUNS     executions per target with --long (default 10000000)
#   LNN_FUZZ_JOBS     targets run at once (default 1)
#   LNN_FUZZ_TIMEOUT  seconds one input may take (default 10)
#   LNN_FUZZ_KEEP=1   keep the grown corpora in fuzz-artifacts/corpus-<target>
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

ALL=(idx idx_gz json png model network2 network3 import)
LONG=0
if [[ ${1:-} == --long ]]; then LONG=1; shift; fi
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL[@]}")
SECONDS_EACH=${LNN_FUZZ_SECONDS:-60}
RUNS=${LNN_FUZZ_RUNS:-10000000}
TIMEOUT=${LNN_FUZZ_TIMEOUT:-10}
JOBS=${LNN_FUZZ_JOBS:-1}
OUT="$ROOT/fuzz-artifacts"

echo "fuzz: building build-fuzz/ (clang, -DLNN_FUZZ=ON)"
if [[ ! -f build-fuzz/CMakeCache.txt ]]; then
  CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DLNN_FUZZ=ON >/dev/null
fi
cmake --build build-fuzz -j "${LNN_BUILD_JOBS:-2}" --target $(printf 'fuzz_%s ' "${TARGETS[@]}") >/dev/null

mkdir -p "$OUT"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

# A leak or sanitizer report is a failure; the process stops at the first one.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  local t=$1 log="$SCRATCH/$1.log" dict=()
  [[ $LONG == 1 ]] && log="$OUT/long-$t.log"
  mkdir -p "$SCRATCH/corpus-$t"
  local d=$t
  [[ $t == network3 || $t == import ]] && d=model # the same safetensors files
  [[ -f csrc/fuzz/$d.dict ]] && dict=(-dict="csrc/fuzz/$d.dict")
  # The run goes in segments: a timeout whose input, run again alone, finishes
  # well within the limit was no hang but a paused run (SIGSTOP: libFuzzer
  # times units by the wall clock), so its input is set aside as
  # unreproduced-* and fuzzing goes on from the grown corpus for the rest.
  local status seg=0 done=0 start=$SECONDS before n art limit
  : >"$log"
  while :; do
    if [[ $LONG == 1 ]]; then
      limit=(-runs=$((RUNS - done)))
      [[ -n ${LNN_FUZZ_SECONDS:-} ]] && limit+=(-max_total_time=$((LNN_FUZZ_SECONDS - (SECONDS - start))))
    else
      limit=(-max_total_time=$((SECONDS_EACH - (SECONDS - start))))
    fi
    seg=$((seg + 1))
    before=$(wc -l <"$log")
    status=0
    build-fuzz/fuzz/fuzz_"$t" "${limit[@]}" -print_final_stats=1 \
      -timeout="$TIMEOUT" -rss_limit_mb=2048 -artifact_prefix="$OUT/$t-" "${dict[@]}" \
      "$SCRATCH/corpus-$t" "csrc/fuzz/corpus/$t" >>"$log" 2>&1 || status=$?
    n=$(tail -n "+$((before + 1))" "$log" | sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' | tail -n 1)
    done=$((done + ${n:-0}))
    [[ $status -ne 0 ]] || break
    art=$(tail -n "+$((before + 1))" "$log" | sed -nE 's/.*Test unit written to (.*-timeout-[0-9a-f]+)$/\1/p' | tail -n 1)
    [[ -n $art && -f $art ]] || break
    build-fuzz/fuzz/fuzz_"$t" -timeout="$TIMEOUT" -rss_limit_mb=2048 "$art" >/dev/null 2>&1 || break
    mv "$art" "$OUT/unreproduced-${art##*/}"
    echo "fuzz: segment $seg of fuzz_$t: its timeout did not reproduce (the input runs in time alone;" \
      "the run was paused?): kept as $OUT/unreproduced-${art##*/}; going on after $done executions" >>"$log"
    status=0
    if [[ $LONG == 1 ]]; then
      [[ $done -lt $RUNS ]] || break
      [[ -z ${LNN_FUZZ_SECONDS:-} || $((SECONDS - start)) -lt $LNN_FUZZ_SECONDS ]] || break
    else
      [[ $((SECONDS - start)) -lt $SECONDS_EACH ]] || break
    fi
  done
  echo "$done $((SECONDS - start)) $seg" >"$SCRATCH/$t.runs"
  if [[ ${LNN_FUZZ_KEEP:-0} == 1 ]]; then
    rm -rf "$OUT/corpus-$t" && cp -r "$SCRATCH/corpus-$t" "$OUT/corpus-$t"
  fi
  echo "$status" >"$SCRATCH/$t.status"
}

pids=()
for t in "${TARGETS[@]}"; do
  [[ -x build-fuzz/fuzz/fuzz_$t ]] || { echo "fuzz: no target fuzz_$t" >&2; exit 2; }
  if [[ $LONG == 1 ]]; then
    echo "fuzz: fuzz_$t for $RUNS executions${LNN_FUZZ_SECONDS:+ (at most $LNN_FUZZ_SECONDS s)}"
  else
    echo "fuzz: fuzz_$t for ${SECONDS_EACH} s"
  fi
  run_one "$t" &
  pids+=($!)
  if [[ ${#pids[@]} -ge $JOBS ]]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done

failed=0
for t in "${TARGETS[@]}"; do
  log="$SCRATCH/$t.log"
  [[ $LONG == 1 ]] && log="$OUT/long-$t.log"
  status=$(cat "$SCRATCH/$t.status")
  read -r runs secs segs <"$SCRATCH/$t.runs"
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2 || true)
  if [[ $status -ne 0 || $runs -eq 0 ]]; then
    failed=1
    echo "fuzz: FAILED fuzz_$t (exit $status); its log:" >&2
    grep -vE '^#[0-9]+|Uses:' "$log" | tail -n 60 >&2 || true
    ls -1 "$OUT/$t-"* 2>/dev/null | sed 's/^/fuzz: crashing input: /' >&2 || true
  else
    short=""
    [[ $LONG == 1 && $runs -lt $RUNS ]] && short=" (stopped by the time cap before $RUNS)"
    [[ $segs -gt 1 ]] && short+=" in $segs segments (unreproduced timeouts: see its log)"
    echo "fuzz: fuzz_$t: $runs executions in $secs s$short, coverage $cov edges, 0 crashes"
  fi
done
exit $failed
