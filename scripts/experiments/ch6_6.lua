-- ch6_6.lua -- Chapter 6, 6.6: ConvPool x2 + FC(640, 100) + FC(100, 100) + Softmax, ReLU, expanded data (book: 99.43%)
-- usage: lua scripts/experiments/ch6_6.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch6_6`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch6_6"), arg, "scripts/experiments/ch6_6.lua"), true)
