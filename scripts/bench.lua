-- bench.lua: lnn's benchmark (`lnn bench`; not a test): W1, W2 and W4 epochs
-- over MNIST, GFLOP/s, load time and peak RSS.  lua scripts/bench.lua --help.
-- The command lives in lua/lnn/commands/bench.lua.
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.bench").run, arg, "scripts/bench.lua"), true)
