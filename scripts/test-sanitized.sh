#!/usr/bin/env bash
# The whole busted suite against lnn.core built with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/, clang, -DLNN_SANITIZE=ON).  The plain
# lua5.4 interpreter is not instrumented, so the ASan runtime is preloaded into
# it; children the specs start (scripts/train.lua) inherit the preload and load
# the same sanitized module (LNN_BUILD_DIR).  Any ASan or UBSan report, and any
# leak LeakSanitizer finds at exit, stops the run and fails this script.
#
# Usage: scripts/test-sanitized.sh [busted args...]
set -euo pipefail
cd "$(dirname "$0")/.."

echo "test-sanitized: building build-asan/ (clang, -DLNN_SANITIZE=ON)"
if [[ ! -f build-asan/CMakeCache.txt ]]; then
  CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLNN_SANITIZE=ON \
    -DLNN_WERROR=ON >/dev/null
fi
cmake --build build-asan -j "${LNN_BUILD_JOBS:-2}" >/dev/null

RUNTIME=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
[[ -f $RUNTIME ]] || { echo "test-sanitized: no ASan runtime (apt-get install libclang-rt-14-dev)" >&2; exit 2; }

log=$(mktemp "${TMPDIR:-/tmp}/lnn-asan.XXXXXX")
trap 'rm -f "$log"' EXIT

# The preload reaches every child a spec starts, the system's tools too (mktemp,
# sed, ...), and LeakSanitizer reports their own exit-time leaks and fails
# them (exit 86): those modules' leaks are suppressed, nothing of lnn's or Lua's.
supp=$(mktemp "${TMPDIR:-/tmp}/lnn-lsan.XXXXXX")
trap 'rm -f "$log" "$supp"' EXIT
for tool in mktemp sed realpath ln rm cp mv cat gzip sha256sum tar mkdir ls sort head tail tr cut \
            grep awk find chmod stat timeout env dash bash sh pgrep kill sleep date readlink dirname; do
  echo "leak:/usr/bin/$tool" >>"$supp"
done

# allocator_may_return_null: a failed huge malloc returns NULL as glibc's does,
# so "absurd size" specs see Lua's "not enough memory" instead of an ASan abort.
# exitcode 86 marks a sanitizer stop apart from an ordinary failure.
status=0
env LD_PRELOAD="$RUNTIME" LNN_BUILD_DIR=build-asan LNN_SANITIZED=1 \
  ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:exitcode=86:${ASAN_OPTIONS:-}" \
  LSAN_OPTIONS="suppressions=$supp:${LSAN_OPTIONS:-}" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
  lua5.4 /usr/bin/busted --cpath='build-asan/?.so' "$@" >"$log" 2>&1 || status=$?
cat "$log"

if grep -qE '^(==[0-9]+==ERROR|SUMMARY: (Address|Undefined|Leak)Sanitizer)|runtime error:' "$log"; then
  echo "test-sanitized: FAILED: a sanitizer reported an error (above)" >&2
  exit 1
fi
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
if [[ -z $last || $status -ne 0 ]]; then
  echo "test-sanitized: FAILED: busted exited with status $status${last:+ ($last)}" >&2
  exit 1
fi
passed=${last%% passed*}
failed=$(echo "$last" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
if [[ $failed -ne 0 || $passed -eq 0 ]]; then exit 1; fi
echo "test-sanitized: $passed specs clean under ASan + UBSan + LeakSanitizer"
