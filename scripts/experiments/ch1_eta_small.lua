-- ch1_eta_small.lua -- Chapter 1: [784,100,10] with eta 0.001 (too small)
-- usage: lua scripts/experiments/ch1_eta_small.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch1_eta_small`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch1_eta_small"), arg, "scripts/experiments/ch1_eta_small.lua"), true)
