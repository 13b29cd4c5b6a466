-- ch6_1.lua -- Chapter 6, 6.1: FullyConnectedLayer(784, 100, sigmoid) + SoftmaxLayer(100, 10); batch 10, eta 0.1 (book: 97.80%)
-- usage: lua scripts/experiments/ch6_1.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch6_1`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch6_1"), arg, "scripts/experiments/ch6_1.lua"), true)
