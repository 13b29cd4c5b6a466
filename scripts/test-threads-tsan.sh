#!/usr/bin/env bash
# The threaded trainer under ThreadSanitizer: builds CMake's threads_check target
# (csrc/check/threads_check.c with the engine's C files, no Lua) with clang and
# -DLNN_TSAN=ON into build-tsan/, and runs it: 1, 2, 3, 8 threads and two
# reducer "ranks" must give the same parameters, and any data race TSan sees
# fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build-tsan/CMakeCache.txt ]]; then
  CC=clang cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLNN_TSAN=ON >/dev/null
fi
cmake --build build-tsan -j "${LNN_BUILD_JOBS:-2}" --target threads_check >/dev/null
TSAN_OPTIONS="halt_on_error=1 exitcode=66" build-tsan/check/threads_check
