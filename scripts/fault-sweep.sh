#!/usr/bin/env bash
# fault-sweep.sh: fault injection the SQLite way.  Builds build-fault/ (CMake
# -DLNN_FAULT_INJECT=ON: csrc/sys/fault.h) and runs each path below once to count
# its injection points (allocations of lnn's C code; file operations: mkstemp,
# write, gzwrite, fsync, rename), then once per point N with the Nth call
# failing.  Every run must end with status 0, or status 1 and one message
# naming the command (no traceback, no file.lua:N), within the time limit, and
# leave no temporary file and no half-written file: what it writes reads
# whole afterwards (the old version or the new one).
# Paths: a short training run with --save and --metrics, a model load, a data
# import over another data set, lnn expand, lnn report.
# Usage: scripts/fault-sweep.sh [path...]   (train load import expand report)
# Environment: LNN_FAULT_TIMEOUT seconds per run (default 120).  Not a test of
# speed; takes a few minutes.  Prints a table; exits 1 if any run failed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TIMEOUT=${LNN_FAULT_TIMEOUT:-120}
ALL=(train load import expand report)
PATHS=("$@")
[[ ${#PATHS[@]} -gt 0 ]] || PATHS=("${ALL[@]}")

echo "fault-sweep: building build-fault/ (-DLNN_FAULT_INJECT=ON)"
if [[ ! -f build-fault/CMakeCache.txt ]]; then
  CC=${CC:-clang} cmake -S . -B build-fault -DCMAKE_BUILD_TYPE=Release -DLNN_FAULT_INJECT=ON >/dev/null
fi
cmake --build build-fault -j "${LNN_BUILD_JOBS:-2}" --target lnn_core >/dev/null

# lua with the ordinary build's lnn.core, for the set-up and the checks
flua() { LUA_PATH="$ROOT/lua/?.lua;$ROOT/lua/?/init.lua;;" LUA_CPATH="$ROOT/build/?.so;;" lua5.4 "$@"; }
DATA=$(flua -e 'print(require("lnn.mnist_loader").find() or "")')
[[ -n $DATA ]] || { echo "fault-sweep: MNIST is missing (lnn data fetch)"; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
LNN="$ROOT/bin/lnn"

# set-up, once, without faults: two small data sets A and B, a saved network, results
flua - "$W" <<'EOF'
local core, F = require "lnn.core", require("lnn.mnist_loader").FILES
local W = arg[1]
for name, seed in pairs {A = 1, B = 2} do
  local rng, d = core.Rng(seed), W .. "/" .. name
  os.execute("mkdir -p " .. d)
  local function bytes(n, m) local t = {} for i = 1, n do t[i] = string.char(rng:random(m) - 1) end return table.concat(t) end
  core.write_idx(d .. "/" .. F.train_images .. ".gz", 2051, {10005, 28, 28}, bytes(20 * 784, 256) .. ("\0"):rep(9985 * 784), 1)
  core.write_idx(d .. "/" .. F.train_labels .. ".gz", 2049, {10005}, bytes(10005, 10), 1)
  core.write_idx(d .. "/" .. F.test_images .. ".gz", 2051, {seed, 28, 28}, bytes(seed * 784, 256), 1)
  core.write_idx(d .. "/" .. F.test_labels .. ".gz", 2049, {seed}, bytes(seed, 10), 1)
end
EOF
mkdir -p "$W/results/train"
"$LNN" train --data "$DATA" --train-size 1000 --epochs 1 --quiet --save "$W/old.lnn" \
  --metrics "$W/results/train/old.json" >/dev/null
"$LNN" data import "$W/A" --to "$W/base" >/dev/null
"$LNN" expand --data "$W/base" --quiet >/dev/null

# prepare PATH: a fresh work folder $W/run for one run of PATH
prepare() {
  rm -rf "$W/run" && mkdir -p "$W/run"
  case $1 in
    train | load) cp "$W/old.lnn" "$W/run/net.lnn" && cp "$W/results/train/old.json" "$W/run/m.json" ;;
    import | expand) cp -r "$W/base" "$W/run/d" ;;
    report) cp -r "$W/results" "$W/run/results" ;;
  esac
}
command_of() {
  case $1 in
    train) echo "train --data $DATA --train-size 1000 --epochs 2 --quiet --load $W/run/net.lnn --save $W/run/net.lnn --metrics $W/run/m.json" ;;
    load) echo "train --data $DATA --train-size 1000 --epochs 1 --quiet --load $W/run/net.lnn" ;;
    import) echo "data import $W/B --to $W/run/d" ;;
    expand) echo "expand --data $W/run/d --quiet --force --seed 2" ;;
    report) echo "report --results $W/run/results --out $W/run/rep" ;;
  esac
}
# what the run left must read whole: prints nothing when it does
check_files() {
  flua - "$1" "$W/run" <<'EOF'
local path, run = arg[1], arg[2]
local loader, network = require "lnn.mnist_loader", require "lnn.network"
local function fail(msg) print(msg) os.exit(0) end
if path == "train" or path == "load" then
  local ok, err = pcall(network.load, run .. "/net.lnn")
  if not ok then fail("net.lnn does not load: " .. tostring(err)) end
  local okj, e2 = pcall(function() return require("lnn.json").decode(require("lnn.core").read_file(run .. "/m.json")) end)
  if not okj then fail("m.json does not read: " .. tostring(e2)) end
elseif path == "import" or path == "expand" then
  local ok, err = pcall(loader.load_data, run .. "/d", path == "expand" and {expanded = true} or nil)
  if not ok and not tostring(err):find("manifest", 1, true) and not tostring(err):find("expand", 1, true) then
    fail("the data folder neither reads nor is refused by its manifest: " .. tostring(err))
  end
elseif path == "report" then
  local f = io.open(run .. "/rep/index.html", "rb")
  if f then
    local s = f:read("a") f:close()
    if not s:find("</html>%s*$") then fail("index.html is cut short") end
  end
end
EOF
}

bad=0
printf '| path | allocations | file operations | runs | succeeded | clean errors | failures |\n|---|---|---|---|---|---|---|\n' >"$W/table"
for p in "${PATHS[@]}"; do
  prepare "$p"
  # shellcheck disable=SC2046
  counts=$(LNN_BUILD_DIR=build-fault LNN_FAULT_REPORT=1 timeout "$TIMEOUT" "$LNN" $(command_of "$p") 2>&1 >/dev/null \
    | sed -nE 's/^lnn-fault: ([0-9]+) allocations, ([0-9]+) file operations$/\1 \2/p' | tail -n 1)
  read -r na nio <<<"${counts:-0 0}"
  runs=0 okc=0 errc=0 failc=0
  for kind in ALLOC IO; do
    max=$na; [[ $kind == IO ]] && max=$nio
    for ((n = 1; n <= max; n++)); do
      prepare "$p"
      runs=$((runs + 1))
      status=0
      # shellcheck disable=SC2046
      out=$(env LNN_BUILD_DIR=build-fault "LNN_FAULT_$kind=$n" timeout "$TIMEOUT" "$LNN" $(command_of "$p") 2>&1) || status=$?
      why=""
      if [[ $status -eq 124 ]]; then why="hung (killed after $TIMEOUT s)"
      elif [[ $status -ne 0 && $status -ne 1 ]]; then why="status $status"
      elif grep -qiE 'traceback|\.lua:[0-9]+:' <<<"$out"; then why="an internal position or traceback"
      elif [[ $status -eq 1 ]] && ! tail -n 1 <<<"$out" | grep -qE '^lnn [a-z-]+: '; then why="no one-line message"
      fi
      left=$(find "$W/run" \( -name '*.tmp.*' -o -name '.lnn-tmp.*' -o -name '.lnn-stage-*' \) | head -n 3)
      [[ -z $why && -n $left ]] && why="left $left"
      [[ -z $why ]] && why=$(check_files "$p")
      if [[ -n $why ]]; then
        failc=$((failc + 1)); bad=1
        echo "FAIL $p $kind=$n: $why"
        echo "$out" | tail -n 3 | sed 's/^/    /'
      elif [[ $status -eq 0 ]]; then okc=$((okc + 1))
      else errc=$((errc + 1)); echo "ok   $p $kind=$n: $(tail -n 1 <<<"$out")"
      fi
    done
  done
  echo "| $p | $na | $nio | $runs | $okc | $errc | $failc |" >>"$W/table"
done
echo
cat "$W/table"
exit $bad
