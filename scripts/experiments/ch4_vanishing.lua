-- ch4_vanishing.lua -- Vanishing gradient: [784,30,30,30,30,10], 1,000 images, eta 0.1
-- usage: lua scripts/experiments/ch4_vanishing.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch4_vanishing`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch4_vanishing"), arg, "scripts/experiments/ch4_vanishing.lua"), true)
