#!/usr/bin/env bash
# Makes a LuaRocks source rock of this checkout's committed HEAD: lnn-scm-1.src.rock
# in the current folder (or in $1).  `luarocks pack` needs a source.url it can
# fetch, so the rockspec packed is lnn-scm-1.rockspec with its url set to
# git+file:// of this checkout (and its branch).  Install it anywhere, offline:
#   luarocks --lua-version=5.4 --tree DIR install ./lnn-scm-1.src.rock
# Uncommitted changes are not in the rock (luarocks clones the repository).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(cd "${1:-.}" && pwd)
branch=$(git -C "$root" rev-parse --abbrev-ref HEAD)
if [[ $branch == HEAD ]]; then
  echo "pack-rock: HEAD is detached; check out a branch first" >&2
  exit 1
fi
if [[ -n $(git -C "$root" status --porcelain --untracked-files=no) ]]; then
  echo "pack-rock: note: uncommitted changes are not packed (the rock holds $branch at $(git -C "$root" rev-parse --short HEAD))" >&2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e "s|^  url = .*|  url = \"git+file://$root\",\n  branch = \"$branch\",|" "$root/lnn-scm-1.rockspec" > "$tmp/lnn-scm-1.rockspec"
grep -q "git+file://$root" "$tmp/lnn-scm-1.rockspec" || { echo "pack-rock: could not set source.url" >&2; exit 1; }
(cd "$tmp" && luarocks --lua-version=5.4 pack lnn-scm-1.rockspec >/dev/null)
mv "$tmp/lnn-scm-1.src.rock" "$out/"
echo "$out/lnn-scm-1.src.rock"
