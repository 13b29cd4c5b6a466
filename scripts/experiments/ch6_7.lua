-- ch6_7.lua -- Chapter 6, 6.7: ConvPool x2 + FC(640, 1000) + FC(1000, 1000) + Softmax, ReLU, dropout 0.5, expanded data, 40 epochs (book: 99.60%)
-- usage: lua scripts/experiments/ch6_7.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch6_7`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch6_7"), arg, "scripts/experiments/ch6_7.lua"), true)
