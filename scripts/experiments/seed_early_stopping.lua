-- seed_early_stopping.lua -- The seed's test.py: early stopping (no-improvement-in-10) on 1,000 images, 30 epochs, lambda 5.0
-- usage: lua scripts/experiments/seed_early_stopping.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.experiments").main("seed_early_stopping", arg)
