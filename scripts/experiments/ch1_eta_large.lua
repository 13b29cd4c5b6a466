-- ch1_eta_large.lua -- Chapter 1: [784,30,10] with eta 100 (too large)
-- usage: lua scripts/experiments/ch1_eta_large.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch1_eta_large`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch1_eta_large"), arg, "scripts/experiments/ch1_eta_large.lua"), true)
