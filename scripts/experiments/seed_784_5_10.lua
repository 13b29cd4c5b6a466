-- seed_784_5_10.lua -- The seed's test.py: network.py [784,5,10], quadratic cost, eta 3.0, batch 10, 30 epochs
-- usage: lua scripts/experiments/seed_784_5_10.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.experiments").main("seed_784_5_10", arg)
