-- expand_mnist.lua: expand_mnist.py (`lnn expand`): writes the 250,000-image
-- expanded training set next to MNIST.  The command lives in lua/lnn/commands/expand.lua.
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.expand").run, arg, "scripts/expand_mnist.lua"), true)
