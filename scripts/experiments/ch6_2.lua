-- ch6_2.lua -- Chapter 6, 6.2: ConvPoolLayer(20x1x5x5, pool 2x2) + FC(2880, 100) + Softmax(100, 10), sigmoid; batch 10, eta 0.1 (book: 98.78%)
-- usage: lua scripts/experiments/ch6_2.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch6_2`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch6_2"), arg, "scripts/experiments/ch6_2.lua"), true)
