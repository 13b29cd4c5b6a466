-- ch1_eta_small.lua -- Chapter 1: [784,100,10] with eta 0.001 (too small)
-- usage: lua scripts/experiments/ch1_eta_small.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.experiments").main("ch1_eta_small", arg)
