-- ch3_early_stopping.lua -- Chapter 3: early stopping (no-improvement-in-10), [784,30,10], lambda 5.0
-- usage: lua scripts/experiments/ch3_early_stopping.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch3_early_stopping`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch3_early_stopping"), arg, "scripts/experiments/ch3_early_stopping.lua"), true)
