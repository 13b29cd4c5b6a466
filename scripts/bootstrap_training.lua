-- bootstrap_training.lua: bootyNet's training loop (`lnn bootstrap-training`).
-- The command lives in lua/lnn/commands/bootstrap_training.lua.
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.bootstrap_training").run, arg, "scripts/bootstrap_training.lua"), true)
