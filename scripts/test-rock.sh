#!/bin/sh
# The installed rock as a new user gets it: spec/install/rock_install.lua packs
# the committed HEAD (scripts/pack-rock.sh), installs it into a fresh tree
# offline and runs `lnn` from outside the checkout; spec/install/rock_binary.lua
# packs a binary rock of HEAD, installs it where no compiler is on the PATH,
# runs it, and checks `luarocks doc` and `luarocks test`.  About two minutes;
# .ci/run runs it after the suite.  Last line: "N passed, N failed".
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
exec lua5.4 /usr/bin/busted --pattern=^rock_ spec/install
