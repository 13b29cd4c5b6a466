-- seed_784_5_10.lua -- The seed's test.py: network.py [784,5,10], quadratic cost, eta 3.0, batch 10, 30 epochs
-- usage: lua scripts/experiments/seed_784_5_10.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment seed_784_5_10`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("seed_784_5_10"), arg, "scripts/experiments/seed_784_5_10.lua"), true)
