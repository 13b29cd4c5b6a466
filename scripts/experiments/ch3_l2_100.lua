-- ch3_l2_100.lua -- Chapter 3: L2 on all data, [784,100,10], lambda 5.0, eta 0.5
-- usage: lua scripts/experiments/ch3_l2_100.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch3_l2_100`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch3_l2_100"), arg, "scripts/experiments/ch3_l2_100.lua"), true)
