-- average_darkness.lua: mnist_average_darkness.py (`lnn darkness`; the book:
-- 2225 of 10000).  The command lives in lua/lnn/commands/darkness.lua.
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.darkness").run, arg, "scripts/average_darkness.lua"), true)
