-- ch1_30_hidden.lua -- Chapter 1: [784,30,10], quadratic cost, eta 3.0
-- usage: lua scripts/experiments/ch1_30_hidden.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch1_30_hidden`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch1_30_hidden"), arg, "scripts/experiments/ch1_30_hidden.lua"), true)
