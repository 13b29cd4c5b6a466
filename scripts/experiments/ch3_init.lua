-- ch3_init.lua -- Chapter 3: old N(0,1) vs new N(0,1/n_in) weights, [784,30,10], lambda 5.0, eta 0.1
-- usage: lua scripts/experiments/ch3_init.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch3_init`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch3_init"), arg, "scripts/experiments/ch3_init.lua"), true)
