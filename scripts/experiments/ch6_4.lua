-- ch6_4.lua -- Chapter 6, 6.4: ConvPool(20x1x5x5) + ConvPool(40x20x5x5) + FC(640, 100) + Softmax, ReLU; batch 10, eta 0.03, lmbda 0.1 (book: 99.23%)
-- usage: lua scripts/experiments/ch6_4.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch6_4`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch6_4"), arg, "scripts/experiments/ch6_4.lua"), true)
