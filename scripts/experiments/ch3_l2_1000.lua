-- ch3_l2_1000.lua -- Chapter 3: L2 (lambda 0.1) on 1,000 training images, 400 epochs
-- usage: lua scripts/experiments/ch3_l2_1000.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch3_l2_1000`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch3_l2_1000"), arg, "scripts/experiments/ch3_l2_1000.lua"), true)
