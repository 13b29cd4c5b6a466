-- ch6_5.lua -- Chapter 6, 6.5: the 6.4 network on the 250,000 expanded training images (book: 99.37%)
-- usage: lua scripts/experiments/ch6_5.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch6_5`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch6_5"), arg, "scripts/experiments/ch6_5.lua"), true)
