#!/bin/sh
# Run lnn's whole spec suite with busted under Lua 5.4.
# Usage: scripts/setup.sh && scripts/test.sh [busted args...]
# Exits non-zero when a spec fails or errors, or when no spec ran at all.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"

if [ ! -f build/lnn/core.so ]; then
  echo "scripts/test.sh: build/lnn/core.so is missing; run scripts/setup.sh first" >&2
  exit 2
fi

log=$(mktemp "${TMPDIR:-/tmp}/lnn-test.XXXXXX")
trap 'rm -f "$log"' EXIT INT TERM

status=0
lua5.4 /usr/bin/busted "$@" 2>&1 | tee "$log" || true
# busted's own exit status is lost in the pipe; judge by the summary line.
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
if [ -z "$last" ]; then
  echo "scripts/test.sh: busted printed no summary (did it crash?)" >&2
  exit 1
fi
passed=$(echo "$last" | sed -E 's/^([0-9]+) passed.*/\1/')
failed=$(echo "$last" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
if [ "$failed" -ne 0 ]; then status=1; fi
if [ "$passed" -eq 0 ]; then
  echo "scripts/test.sh: no spec ran" >&2
  status=1
fi
exit $status
