#!/usr/bin/env bash
# Makes a LuaRocks source rock of this checkout's committed HEAD: lnn-scm-1.src.rock
# in the current folder (or in $1).  `luarocks pack` needs a source.url it can
# fetch: the rockspec packed is lnn-scm-1.rockspec with its url set to a
# `git archive` of HEAD (file://, so no git clone and none of git's "--depth is
# ignored in local clones" warning); the rock carries that archive.  Install it
# anywhere, offline:
#   luarocks --lua-version=5.4 --tree DIR install ./lnn-scm-1.src.rock
# Uncommitted changes are not in the rock.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(cd "${1:-.}" && pwd)
commit=$(git -C "$root" rev-parse --short HEAD)
if [[ -n $(git -C "$root" status --porcelain --untracked-files=no) ]]; then
  echo "pack-rock: note: uncommitted changes are not packed (the rock holds HEAD, $commit)" >&2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$root" archive --format=tar.gz --prefix=lnn/ -o "$tmp/lnn-$commit.tar.gz" HEAD
sed -e "s|^  url = .*|  url = \"file://$tmp/lnn-$commit.tar.gz\",\n  dir = \"lnn\",|" "$root/lnn-scm-1.rockspec" > "$tmp/lnn-scm-1.rockspec"
grep -q "file://$tmp/lnn-$commit.tar.gz" "$tmp/lnn-scm-1.rockspec" || { echo "pack-rock: could not set source.url" >&2; exit 1; }
(cd "$tmp" && luarocks --lua-version=5.4 pack lnn-scm-1.rockspec >/dev/null)
mv "$tmp/lnn-scm-1.src.rock" "$out/"
echo "$out/lnn-scm-1.src.rock"
