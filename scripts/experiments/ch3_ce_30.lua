-- ch3_ce_30.lua -- Chapter 3: [784,30,10], cross-entropy, eta 0.5
-- usage: lua scripts/experiments/ch3_ce_30.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch3_ce_30`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch3_ce_30"), arg, "scripts/experiments/ch3_ce_30.lua"), true)
