-- ch6_3.lua -- Chapter 6, 6.3: ConvPool(20x1x5x5) + ConvPool(40x20x5x5) + FC(640, 100) + Softmax, sigmoid; batch 10, eta 0.1 (book: 99.06%)
-- usage: lua scripts/experiments/ch6_3.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch6_3`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch6_3"), arg, "scripts/experiments/ch6_3.lua"), true)
