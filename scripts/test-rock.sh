#!/bin/sh
# The installed rock as a new user gets it: spec/install/rock_install.lua packs
# the committed HEAD (scripts/pack-rock.sh), installs it into a fresh tree
# offline and runs `lnn` from outside the checkout.  About a minute; .ci/run runs
# it after the suite.  Last line: "N passed, N failed".
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
exec lua5.4 /usr/bin/busted --pattern=rock_install spec/install
