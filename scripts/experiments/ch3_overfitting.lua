-- ch3_overfitting.lua -- Chapter 3: overfitting, 1,000 training images, 400 epochs
-- usage: lua scripts/experiments/ch3_overfitting.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch3_overfitting`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch3_overfitting"), arg, "scripts/experiments/ch3_overfitting.lua"), true)
