-- visualize.lua: test1.visualizeResults and test1.test (`lnn visualize`):
-- pictures of what a saved network gets wrong, the confusion matrix and the
-- first layer's weights.  The command lives in lua/lnn/commands/visualize.lua.
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.visualize").run, arg, "scripts/visualize.lua"), true)
