-- ch1_100_hidden.lua -- Chapter 1: [784,100,10], quadratic cost, eta 3.0
-- usage: lua scripts/experiments/ch1_100_hidden.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch1_100_hidden`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch1_100_hidden"), arg, "scripts/experiments/ch1_100_hidden.lua"), true)
