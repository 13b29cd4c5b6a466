#!/usr/bin/env bash
# The threaded trainer under ThreadSanitizer: builds csrc/check/threads_check.c
# with the engine's C files (no Lua) using clang -fsanitize=thread into
# build-tsan/, and runs it: 1, 2, 3, 8 threads and two reducer "ranks" must give
# the same parameters, and any data race TSan sees fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build-tsan
src="csrc/check/threads_check.c csrc/net.c csrc/parallel.c csrc/reduce.c csrc/kernels.c csrc/conv.c
     csrc/data.c csrc/rng.c csrc/error.c"
# shellcheck disable=SC2086
clang -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=thread -g -O1 -Wall -Wextra -ffp-contract=off $src \
  -o build-tsan/threads_check -lpthread -lm
TSAN_OPTIONS="halt_on_error=1 exitcode=66" build-tsan/threads_check
