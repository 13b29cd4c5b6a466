#!/usr/bin/env bash
# valgrind memcheck of a short training run through the real entry point:
# scripts/train.lua loads a small MNIST subset (scripts/mnist_subset.lua, gzip
# IDX through the whole loader), trains one epoch, saves a checkpoint and
# backups; a second run --loads that checkpoint and trains one more epoch; then
# a short conv net (chapter 6's 6.4) is trained, saved, loaded and voted with.
# Fails on any invalid access, use of uninitialised memory, or leak (definite,
# indirect or possible) -- anywhere in the process, lnn's or not.
# Usage: scripts/valgrind.sh        (build/lnn/core.so must exist)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install valgrind)" >&2; exit 2; }
[[ -f build/lnn/core.so ]] || { echo "valgrind: build/lnn/core.so is missing; run scripts/setup.sh" >&2; exit 2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
lua5.4 scripts/mnist_subset.lua "$TMP" 11000 1000

VG=(valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible)
COMMON=(--data "$TMP" --train-size 1000 --sizes 784,30,10 --seed 3 --quiet)
status=0
for run in "--epochs 1 --save $TMP/net.lnn --backups $TMP/bk" "--epochs 2 --load $TMP/net.lnn --save $TMP/net.lnn"; do
  read -r -a extra <<<"$run"
  echo "valgrind: lua5.4 scripts/train.lua ${COMMON[*]} ${extra[*]}"
  if ! "${VG[@]}" lua5.4 scripts/train.lua "${COMMON[@]}" "${extra[@]}" >"$TMP/log" 2>&1; then status=1; fi
  grep -E 'Test accuracy|ERROR SUMMARY|in use at exit|definitely lost|indirectly lost|possibly lost|All heap blocks' "$TMP/log" | sed 's/^==[0-9]*== */  /'
  if [[ $status -ne 0 ]]; then cat "$TMP/log" >&2; echo "valgrind: FAILED" >&2; exit 1; fi
done
# the conv-pool kernels: one short 6.4 epoch (conv-pool ReLU x2, FC, softmax),
# saved, then loaded back and voted with by ch6_8.lua --members
CONV=(--data "$TMP" --train-size 200 --eval-size 100 --epochs 1 --quiet --out "$TMP/res")
for run in "ch6_4.lua --save $TMP/conv.lnn" "ch6_8.lua --members $TMP/conv.lnn,$TMP/conv.lnn"; do
  read -r -a extra <<<"$run"
  echo "valgrind: lua5.4 scripts/experiments/${extra[*]} ${CONV[*]}"
  if ! "${VG[@]}" lua5.4 scripts/experiments/"${extra[0]}" "${extra[@]:1}" "${CONV[@]}" >"$TMP/log" 2>&1; then status=1; fi
  grep -E 'test accuracy|ensemble|ERROR SUMMARY|in use at exit|definitely lost|indirectly lost|possibly lost|All heap blocks' "$TMP/log" | sed 's/^==[0-9]*== */  /'
  if [[ $status -ne 0 ]]; then cat "$TMP/log" >&2; echo "valgrind: FAILED" >&2; exit 1; fi
done
echo "valgrind: clean (no invalid access, no leak)"
