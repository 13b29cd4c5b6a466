-- train.lua: the book's chapter 1 run (`lnn train`): trains a sigmoid network
-- on MNIST and reports test accuracy per epoch.  lua scripts/train.lua --help.
-- The command lives in lua/lnn/commands/train.lua; this runs it from a checkout.
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.train").run, arg, "scripts/train.lua"), true)
