#!/usr/bin/env bash
# bench-compare.sh REV: lnn's workloads W1, W2 and W4 timed on another git
# revision's build and on this checkout's build, alternated (old new old new
# ...), per kernel table, one thread; prints both medians and new/old.
# REV is built in a scratch folder under /tmp (removed on exit); this checkout's
# build/ is only read (copied once, so a rebuild during the run cannot mix in).
# Both builds run the SAME driver, scripts/bench-table.lua, which forces the
# table with each network's kernels(name) (every revision since 64cfb42 has
# it) and sets LNN_KERNELS as well.  It does not judge: it prints numbers.
set -Eeuo pipefail

NAME=bench-compare.sh
usage() {
  cat <<EOF
usage: scripts/$NAME [options] REV
  Times W1, W2 and W4 (lua/lnn/commands/bench.lua's workloads) on REV's build
  and on this checkout's build/, alternated, one thread, per kernel table.
options:
  --rounds N        alternated rounds (default 3); medians over them
  --tables LIST     comma-separated: naive,avx2,avx512 (default: all this CPU has)
  --workloads LIST  comma-separated: W1,W2,W4 (default: all)
  --naive-images N  naive table only: W4 trains and infers on N images, and W1/W2
                    time one epoch a round (default 1000; the naive table is slow)
  --raw FILE        also write every run's time to FILE (table workload what side round s)
  --new REV2        build REV2 in the scratch folder too and use it instead of
                    this checkout's build/ (e.g. REV against itself: the noise)
  -h, --help        this text
Environment: LNN_DATA (MNIST folder, default data/), CC (compiler for the
scratch builds; default: the one this checkout's build/ uses, else clang).
EOF
}
die() {
  echo "$NAME: $*" >&2
  exit 2
}

ROUNDS=3 TABLES="" WORKLOADS="W1,W2,W4" NAIVE_IMAGES=1000 NEW_REV="" REV="" RAW=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) ROUNDS=${2:-}; shift 2 || die "--rounds wants a number" ;;
    --rounds=*) ROUNDS=${1#*=}; shift ;;
    --tables) TABLES=${2:-}; shift 2 || die "--tables wants a list" ;;
    --tables=*) TABLES=${1#*=}; shift ;;
    --workloads) WORKLOADS=${2:-}; shift 2 || die "--workloads wants a list" ;;
    --workloads=*) WORKLOADS=${1#*=}; shift ;;
    --naive-images) NAIVE_IMAGES=${2:-}; shift 2 || die "--naive-images wants a number" ;;
    --naive-images=*) NAIVE_IMAGES=${1#*=}; shift ;;
    --raw) RAW=${2:-}; shift 2 || die "--raw wants a file name" ;;
    --raw=*) RAW=${1#*=}; shift ;;
    --new) NEW_REV=${2:-}; shift 2 || die "--new wants a revision" ;;
    --new=*) NEW_REV=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) [[ -z $REV ]] || die "one revision expected, got '$REV' and '$1'"; REV=$1; shift ;;
  esac
done
[[ -n $REV ]] || { usage >&2; die "no revision given"; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds wants a positive integer, got '$ROUNDS'"
[[ $NAIVE_IMAGES =~ ^[1-9][0-9]*$ ]] || die "--naive-images wants a positive integer, got '$NAIVE_IMAGES'"
[[ $WORKLOADS =~ ^(W1|W2|W4)(,(W1|W2|W4))*$ ]] || die "--workloads wants a list of W1, W2, W4, got '$WORKLOADS'"

[[ -z $RAW || $RAW == /* ]] || RAW=$PWD/$RAW
cd "$(dirname "${BASH_SOURCE[0]}")/.."
HERE=$(pwd)
DRIVER=$HERE/scripts/bench-table.lua
DATA=${LNN_DATA:-$HERE/data}
[[ -f $DRIVER ]] || die "missing $DRIVER"
[[ -d $DATA ]] || die "no MNIST folder '$DATA' (scripts/setup.sh fetches it; LNN_DATA names another)"
command -v lua5.4 >/dev/null || die "lua5.4 is not installed (scripts/setup.sh)"

resolve() {
  git rev-parse --verify --quiet "$1^{commit}" || die "'$1' is not a revision of this repository"
}
OLD_SHA=$(resolve "$REV")
[[ -z $NEW_REV ]] || NEW_SHA=$(resolve "$NEW_REV")

# the tables: those this CPU has, naive always
CPU_HAS=(naive)
grep -q -o -w -m1 avx2 /proc/cpuinfo && CPU_HAS+=(avx2)
grep -q -o -w -m1 avx512f /proc/cpuinfo && CPU_HAS+=(avx512)
if [[ -z $TABLES ]]; then
  TABLE_LIST=("${CPU_HAS[@]}")
else
  IFS=, read -r -a TABLE_LIST <<< "$TABLES"
  for t in "${TABLE_LIST[@]}"; do
    case " ${CPU_HAS[*]} " in
      *" $t "*) ;;
      *) die "table '$t' cannot run on this CPU (it has: ${CPU_HAS[*]})" ;;
    esac
  done
fi

SCRATCH=$(mktemp -d /tmp/lnn-bench-compare.XXXXXX)
cleanup() { rm -rf "$SCRATCH"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# the scratch builds use this checkout's compiler, so only the sources differ
if [[ -z ${CC:-} ]]; then
  CC=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' build/CMakeCache.txt 2>/dev/null || true)
  [[ -n $CC ]] || CC=clang
fi
export CC

# build(sha, dir): the revision's sources and a Release build of lnn.core in dir
build() {
  local sha=$1 dir=$2
  mkdir -p "$dir"
  git archive "$sha" | tar -x -C "$dir" || die "cannot extract $sha into $dir"
  echo "$NAME: building ${sha:0:7} in $dir ($CC, Release)" >&2
  if ! (cd "$dir" && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release &&
          cmake --build build -j 2 --target lnn_core) > "$dir/build.log" 2>&1; then
    tail -n 25 "$dir/build.log" >&2
    die "the build of ${sha:0:7} failed (the end of its log above)"
  fi
  [[ -f $dir/build/lnn/core.so ]] || die "the build of ${sha:0:7} made no build/lnn/core.so"
}

loads() { lua5.4 -e "package.cpath = '$1/build/?.so'; require 'lnn.core'" 2>/dev/null; }

build "$OLD_SHA" "$SCRATCH/old"
OLD_LABEL=$(git log -1 --format=%h "$OLD_SHA")
if [[ -n $NEW_REV ]]; then
  build "$NEW_SHA" "$SCRATCH/new"
  NEW_LABEL=$(git log -1 --format=%h "$NEW_SHA")
  NEW_ABOUT="$NEW_LABEL (built here)"
else
  # a snapshot of this checkout's lua/ and build/lnn/core.so
  [[ -f build/lnn/core.so ]] || die "no build/lnn/core.so in $HERE (run scripts/setup.sh)"
  mkdir -p "$SCRATCH/new/build/lnn"
  cp -R lua "$SCRATCH/new/lua"
  cp build/lnn/core.so "$SCRATCH/new/build/lnn/core.so"
  loads "$SCRATCH/new" || die "this checkout's build/lnn/core.so does not load (being rebuilt? try again)"
  NEW_LABEL="this"
  dirty=$(git status --porcelain --untracked-files=no -- csrc lua CMakeLists.txt | awk '{print $2}' | tr '\n' ' ')
  NEW_ABOUT="this checkout's build/ (HEAD $(git log -1 --format=%h HEAD)${dirty:+, with uncommitted changes in: ${dirty% }})"
fi
loads "$SCRATCH/old" || die "the build of $OLD_LABEL does not load in lua5.4"

export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
LOAD_START=$(uptime | sed 's/.*load average: //')
T0=$SECONDS

# run(side, table, round): one driver process; its RESULT lines go to the results file
RESULTS=$SCRATCH/results
: > "$RESULTS"
run() {
  local side=$1 table=$2 round=$3 extra=()
  [[ $table != naive ]] || extra=(--repeat 1 --w4-images "$NAIVE_IMAGES" --w4-test "$NAIVE_IMAGES")
  local out
  if ! out=$(LNN_KERNELS=$table lua5.4 "$DRIVER" "$SCRATCH/$side" "$table" --workloads "$WORKLOADS" \
               --data "$DATA" "${extra[@]}" 2>&1); then
    printf '%s\n' "$out" >&2
    die "the $side build failed on table $table (its output above)"
  fi
  printf '%s\n' "$out" | awk -v s="$side" -v t="$table" -v r="$round" '$1 == "RESULT" {print t, $2, $3, s, r, $4}' >> "$RESULTS"
}

for ((r = 1; r <= ROUNDS; r++)); do
  for t in "${TABLE_LIST[@]}"; do
    echo "$NAME: round $r/$ROUNDS, table $t" >&2
    run old "$t" "$r"
    run new "$t" "$r"
  done
done
LOAD_END=$(uptime | sed 's/.*load average: //')

CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
CPU_FAMILY=$(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -1)
CPU_MODEL_NO=$(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "bench-compare: old = $OLD_LABEL ($(git log -1 --format=%cs "$OLD_SHA")), new = $NEW_ABOUT"
echo "CPU: $CPU_MODEL, family $CPU_FAMILY model $CPU_MODEL_NO, $(getconf _NPROCESSORS_ONLN) cores; tables run: ${TABLE_LIST[*]} (CPU has: ${CPU_HAS[*]})"
echo "$ROUNDS rounds alternated old/new, one process per build, table and round; 1 thread;" \
  "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}; $CC, Release; $((SECONDS - T0)) s;" \
  "load average $LOAD_START at start, $LOAD_END at end"
case " ${TABLE_LIST[*]} " in
  *" naive "*) echo "naive: W4 on $NAIVE_IMAGES training and $NAIVE_IMAGES test images, W1/W2 one epoch a round" ;;
esac
echo
lua5.4 "$DRIVER" --summary "$RESULTS" "$OLD_LABEL" "$NEW_LABEL" "${TABLE_LIST[@]}"
echo
echo "new/old: of the medians; paired: the median of each round's new/old (old and new run back to back);" \
  "fastest: of the fastest runs; spread: (max - min) / median of each side."
[[ -z $RAW ]] || { cp "$RESULTS" "$RAW" && echo "the runs' times: $RAW"; }
