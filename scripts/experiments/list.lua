-- list.lua -- which book result each experiment reproduces (`lnn experiment --list`).
-- usage: lua scripts/experiments/list.lua
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").run, {"--list"}, "scripts/experiments/list.lua"), true)
