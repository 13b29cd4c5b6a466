#!/usr/bin/env bash
# test-mpi-hosts.sh: lnn's --mpi training between two hosts over TCP, on one
# machine: two Linux network namespaces joined by a veth pair stand for two
# hosts, mpirun starts in the first and reaches the second through its rsh
# agent (`ip netns exec` instead of ssh), and the ranks talk over TCP only
# (--mca btl tcp,self: no shared memory between "hosts").  Checks:
#   1. spec/support/mpi_driver.lua (network, network2, network3) on 2 ranks
#      across the hosts ends with both ranks' parameters identical, bit for
#      bit, to a 2-rank run within one host (the same arithmetic whatever
#      carries the bytes), and within float rounding of one process; and
#      with --accumulate 2 --overlap (network3) identical, bit for bit, to one
#      process with the same option;
#   2. scripts/train.lua --mpi across the hosts, the second host's rank
#      killed (SIGKILL) while both are held after an epoch: the job ends
#      (no hang) with a non-zero status, and the checkpoint it saved loads;
#   3. scripts/bench-allreduce.lua across the hosts and within one: the time
#      of one gradient sum (printed, not judged).
# The namespaces and the veth pair are removed on every exit.  Needs root,
# iproute2 (ip) and Open MPI; traffic stays between the two namespaces.
# With --bench it then times W1 and W4 epochs (scripts/bench-mpi.lua): one
# process, 2 ranks within one host and 2 across the hosts, each as they are
# and with LNN_TEST_NET_DELAY_US=200 added to every gradient sum; W1 also
# with --accumulate $LNN_BENCH_W1_K (default 128), W4 with --accumulate 2,
# with and without --overlap.  --bench-only skips the checks 1 and 2 (for a
# timing run: scripts 3 and 4 only).
# Usage: scripts/test-mpi-hosts.sh [--bench | --bench-only]   (after scripts/setup.sh; LNN_DATA: MNIST)
set -Eeuo pipefail
NAME=test-mpi-hosts.sh
die() { echo "$NAME: $*" >&2; exit 2; }
BENCH=0 ONLY=0
case ${1:-} in
  "") ;;
  --bench) BENCH=1 ;;
  --bench-only) BENCH=1 ONLY=1 ;;
  *) die "unknown argument '$1' (usage: scripts/test-mpi-hosts.sh [--bench | --bench-only])" ;;
esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
DATA=${LNN_DATA:-$ROOT/data}
LIMIT=${LNN_HANG_LIMIT:-300} # seconds: the one limit against hangs
[[ $(id -u) -eq 0 ]] || die "needs root (it makes network namespaces)"
command -v ip >/dev/null || die "ip (iproute2) is missing"
command -v mpirun >/dev/null || die "mpirun is missing (scripts/setup.sh installs Open MPI)"
[[ -f build/lnn/core.so && -f build/lnn/mpi.so ]] || die "build/lnn/{core,mpi}.so missing: run scripts/setup.sh"
[[ -d $DATA ]] || die "no MNIST folder '$DATA' (scripts/setup.sh fetches it)"

# names and addresses of our own: a subnet of 10.200.0.0/16 picked by PID
tag=$$
NS0=lnn-host0-$tag NS1=lnn-host1-$tag
V0=lnnv0-$((tag % 100000)) V1=lnnv1-$((tag % 100000))
NET=10.200.$((tag % 250 + 1))
A0=$NET.1 A1=$NET.2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lnn-mpi-hosts.XXXXXX")
cleanup() {
  ip netns pids "$NS1" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns pids "$NS0" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$NS0" 2>/dev/null || true
  ip netns del "$NS1" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS0"
ip netns add "$NS1"
ip link add "$V0" type veth peer name "$V1"
ip link set "$V0" netns "$NS0"
ip link set "$V1" netns "$NS1"
ip -n "$NS0" addr add "$A0/24" dev "$V0"
ip -n "$NS1" addr add "$A1/24" dev "$V1"
for ns in "$NS0" "$NS1"; do ip -n "$ns" link set lo up; done
ip -n "$NS0" link set "$V0" up
ip -n "$NS1" link set "$V1" up
echo "$NAME: hosts $A0 ($NS0) and $A1 ($NS1), joined by $V0/$V1"

# the rsh agent: `agent [options] HOST COMMAND...` runs COMMAND in HOST's namespace
cat >"$WORK/agent" <<EOF
#!/bin/sh
while [ "\${1#-}" != "\$1" ]; do shift; done
host=\$1; shift
case \$host in
  $A0) ns=$NS0 ;;
  $A1) ns=$NS1 ;;
  *) echo "agent: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec "\$ns" /bin/sh -c "\$*"
EOF
chmod +x "$WORK/agent"

# mpirun from host 0, one rank per host, TCP between them; --bind-to none: the
# two "hosts" share this machine's cores, and binding would pin both ranks to
# each host's first core, the same core here
across() {
  ip netns exec "$NS0" timeout "$LIMIT" mpirun --allow-run-as-root --oversubscribe --bind-to none \
    --host "$A0,$A1" -np 2 --mca plm_rsh_agent "$WORK/agent" --mca btl tcp,self \
    --mca btl_tcp_if_include "$NET.0/24" --mca oob_tcp_if_include "$NET.0/24" \
    -x LNN_DATA="$DATA" -x LNN_TEST_HOLD -x LNN_TEST_NET_DELAY_US --wdir "$ROOT" "$@"
}
within() {
  timeout "$LIMIT" mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2 \
    -x LNN_DATA="$DATA" -x LNN_TEST_NET_DELAY_US "$@"
}
one() { LNN_DATA=$DATA timeout "$LIMIT" "$@"; }
export LNN_TEST_HOLD=${LNN_TEST_HOLD:-} LNN_TEST_NET_DELAY_US=${LNN_TEST_NET_DELAY_US:-0}

failed=0 passed=0
check() { # check WHAT STATUS
  if [[ $2 -eq 0 ]]; then echo "$NAME: ok: $1"; passed=$((passed + 1)); else echo "$NAME: FAILED: $1" >&2; failed=$((failed + 1)); fi
}

# 0. each rank runs on its own host
placed=$(across sh -c 'echo "rank $OMPI_COMM_WORLD_RANK on $(ip netns identify $$)"' 2>&1 | sort) || true
st=0
[[ $placed == "rank 0 on $NS0"$'\n'"rank 1 on $NS1" ]] || st=1
check "mpirun places rank 0 on host 0 and rank 1 on host 1 (${placed//$'\n'/, })" $st

# 1. the same bits across hosts as within one
faces="network network2 network3"
[[ $ONLY -eq 0 ]] || faces=""
for face in $faces; do
  t0=$SECONDS
  out=$(across lua5.4 spec/support/mpi_driver.lua "$face" "$WORK/x-$face-" mpi 2>&1) || {
    echo "$out" >&2; check "$face: 2 ranks across the hosts ran" 1; continue; }
  t1=$SECONDS
  out2=$(within lua5.4 spec/support/mpi_driver.lua "$face" "$WORK/w-$face-" mpi 2>&1) || {
    echo "$out2" >&2; check "$face: 2 ranks within one host ran" 1; continue; }
  one=$(LNN_DATA=$DATA lua5.4 spec/support/mpi_driver.lua "$face" "$WORK/o-$face-" 2>&1) || {
    echo "$one" >&2; check "$face: one process ran" 1; continue; }
  same=0
  cmp -s "$WORK/x-$face-rank-0" "$WORK/x-$face-rank-1" || same=1
  cmp -s "$WORK/x-$face-rank-0" "$WORK/w-$face-rank-0" || same=1
  check "$face: both ranks across the hosts ($((t1 - t0)) s) hold the parameters of 2 ranks within one host, bit for bit ($(echo "$out" | grep -o 'rank 0 correct [0-9]*'))" $same
  # one process: the same generator state (first line), parameters within float rounding
  st=0
  lua5.4 - "$WORK/x-$face-rank-0" "$WORK/o-$face-rank-0" <<'EOF' || st=$?
local function lines(p) local t = {} for l in io.lines(p) do t[#t + 1] = l end return t end
local a, b = lines(arg[1]), lines(arg[2])
assert(a[1] == b[1], "generator states differ: " .. a[1] .. " vs " .. b[1])
assert(#a == #b, "parameter counts differ")
local m = 0
for i = 2, #a do m = math.max(m, math.abs(tonumber(a[i]) - tonumber(b[i]))) end
assert(m < 1e-3, ("parameters differ by %g"):format(m))
io.write(("max |difference| %.3g\n"):format(m))
EOF
  check "$face: across the hosts as one process does with the same global batch, within float rounding" $st
done

# 1b. --accumulate 2 --overlap across the hosts: one process's bits exactly
if [[ $ONLY -eq 0 ]]; then
  st=0
  out=$(across lua5.4 spec/support/mpi_driver.lua network3 "$WORK/xa-" mpi 2 overlap 2>&1) || st=$?
  [[ $st -eq 0 ]] || echo "$out" >&2
  one=$(LNN_DATA=$DATA lua5.4 spec/support/mpi_driver.lua network3 "$WORK/oa-" one 2 2>&1) || st=$?
  [[ $st -eq 0 ]] || echo "$one" >&2
  [[ $st -ne 0 ]] || { cmp -s "$WORK/xa-rank-0" "$WORK/oa-rank-0" && cmp -s "$WORK/xa-rank-1" "$WORK/oa-rank-0"; } || st=1
  check "network3 --accumulate 2 --overlap: both ranks across the hosts hold one process's parameters, bit for bit" $st
fi

# 2. a host's rank killed while both are held after epoch 1
if [[ $ONLY -eq 0 ]]; then
hold=$WORK/hold
mkdir -p "$hold"
echo 1 >"$hold/hold"
LNN_TEST_HOLD=$hold across lua5.4 scripts/train.lua --mpi --data "$DATA" --train-size 2000 --epochs 1000 \
  --quiet --save "$WORK/ckpt.lnn" >"$WORK/kill.log" 2>&1 &
job=$!
held=0
for ((i = 0; i < LIMIT * 10; i++)); do
  held=$(compgen -G "$hold/held.*" | wc -l || true)
  [[ $held -ge 2 ]] && break
  kill -0 "$job" 2>/dev/null || break
  sleep 0.1
done
victim=""
for f in "$hold"/held.*; do
  pid=${f##*.}
  [[ $(ip netns identify "$pid" 2>/dev/null) == "$NS1" ]] && victim=$pid
done
if [[ $held -lt 2 || -z $victim ]]; then
  cat "$WORK/kill.log" >&2
  check "train --mpi across the hosts: both ranks held after epoch 1 (held: $held)" 1
else
  t0=$SECONDS
  kill -9 "$victim"
  rm -f "$hold/hold"
  st=0
  wait "$job" || st=$?
  ok=0
  [[ $st -ne 0 && $st -ne 124 ]] || ok=1
  check "train --mpi across the hosts: host 1's rank killed, the job ended in $((SECONDS - t0)) s with status $st (not a hang)" $ok
  st=0
  lua5.4 - "$WORK/ckpt.lnn" <<'LUA' || st=$?
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath
local net = require("lnn.network").load(arg[1])
assert(net.epoch >= 1, "the checkpoint holds no whole epoch")
io.write(("the checkpoint: %d epoch(s) trained\n"):format(net.epoch))
LUA
  check "the checkpoint rank 0 saved loads (the last whole epoch)" $st
fi
fi

# 3. what one gradient sum costs across the hosts and within one (printed, not judged)
for where in across within; do
  st=0
  table=$($where lua5.4 scripts/bench-allreduce.lua "${LNN_ALLREDUCE_REPS:-1000}" 2>&1) || st=$?
  echo "$NAME: all-reduce, 2 ranks $where$([[ $where == across ]] && echo " the hosts (TCP over veth)" || echo " one host (shared memory)"):"
  echo "$table"
  check "scripts/bench-allreduce.lua $where" $st
done

# 4. (--bench) W1 and W4 epochs: one process, 2 ranks within one host, 2 across;
# "one process" runs the same options alone (the same global batch)
if [[ $BENCH -eq 1 ]]; then
  K1=${LNN_BENCH_W1_K:-128}
  echo "| workload | options | added per sum | one process | 2 ranks, one host | 2 ranks, two hosts |"
  echo "|---|---|---:|---:|---:|---:|"
  for cfg in "W1" "W1 --accumulate $K1" "W4" "W4 --accumulate 2" "W4 --accumulate 2 --overlap"; do
    for delay in 0 200; do
      w=${cfg%% *} opts=""
      [[ $cfg == *" "* ]] && opts=${cfg#* }
      row="| $w | ${opts:-(none)} | $delay us |"
      for where in one within across; do
        st=0
        # shellcheck disable=SC2086 # opts: words
        out=$(LNN_TEST_NET_DELAY_US=$delay $where lua5.4 scripts/bench-mpi.lua $w $opts 2>&1) || st=$?
        [[ $st -eq 0 ]] || echo "$out" >&2
        row="$row $(echo "$out" | grep -o 'epoch [0-9.]* s' | sed 's/epoch //') |"
      done
      echo "$row"
    done
  done
fi

echo "$NAME: $passed checks passed, $failed failed"
[[ $failed -eq 0 ]]
