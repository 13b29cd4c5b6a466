-- train.lua: `lua train.lua --epochs 30` at the checkout's root, as users type
-- it (from any folder: lua /path/to/lnn/train.lua).  The same command as
-- `lnn train` and scripts/train.lua (lua/lnn/commands/train.lua).
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/scripts/bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.train").run, arg, "train.lua"), true)
