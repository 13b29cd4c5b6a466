-- seed_vanishing.lua -- The seed's test.py: vanishing gradient, [784,30,30,30,30,10] on all the data, eta 0.1, lambda 5.0
-- usage: lua scripts/experiments/seed_vanishing.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment seed_vanishing`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("seed_vanishing"), arg, "scripts/experiments/seed_vanishing.lua"), true)
