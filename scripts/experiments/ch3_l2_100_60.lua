-- ch3_l2_100_60.lua -- Chapter 3: [784,100,10], lambda 5.0, eta 0.1, 60 epochs
-- usage: lua scripts/experiments/ch3_l2_100_60.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch3_l2_100_60`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch3_l2_100_60"), arg, "scripts/experiments/ch3_l2_100_60.lua"), true)
