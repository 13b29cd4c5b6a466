#!/bin/sh
# oom-sweep.sh: runs lnn commands under an address-space limit (ulimit -v) at
# a sweep of limits and prints a markdown table: limit, command, exit status,
# seconds, the first line of stderr.  Each run either works (status 0) or says
# "out of memory" / "not enough memory" (status 1); 124 is `timeout`'s
# status: a run that hung.  It checks nothing itself; spec/oom_spec.lua does.
#   scripts/oom-sweep.sh [LIMIT_MB ...]     (default 150 300 450 ... 1500)
#   LNN_OOM_TIMEOUT=S (default 60): the seconds after which a run counts as hung
cd "$(dirname "$0")/.." || exit 2
limits="$*"
[ -n "$limits" ] || limits="150 300 450 600 750 900 1050 1200 1350 1500"
hang=${LNN_OOM_TIMEOUT:-60}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "| limit | command | status | seconds | first line of stderr |"
echo "|---|---|---|---|---|"
for mb in $limits; do
  for cmd in "train --epochs 1 --train-size 2000" \
             "experiment ch6_4 --epochs 1 --train-size 500 --eval-size 200 --out $tmp/out"; do
    start=$(date +%s.%N)
    ( ulimit -v $((mb * 1024)) && exec timeout -k 5 "$hang" lua5.4 bin/lnn $cmd ) >"$tmp/stdout" 2>"$tmp/stderr"
    status=$?
    end=$(date +%s.%N)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    first=$(head -n 1 "$tmp/stderr" | cut -c 1-120 | sed 's/|/\\|/g')
    shown=$(echo "$cmd" | sed "s| --out $tmp/out||")
    echo "| $mb MB | lnn $shown | $status | $secs | $first |"
  done
done
