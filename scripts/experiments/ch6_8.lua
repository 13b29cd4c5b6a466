-- ch6_8.lua -- Chapter 6, 6.8: a plurality vote of five 6.7 networks (book: 99.67%)
-- usage: lua scripts/experiments/ch6_8.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch6_8`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch6_8"), arg, "scripts/experiments/ch6_8.lua"), true)
