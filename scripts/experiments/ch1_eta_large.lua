-- ch1_eta_large.lua -- Chapter 1: [784,30,10] with eta 100 (too large)
-- usage: lua scripts/experiments/ch1_eta_large.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.experiments").main("ch1_eta_large", arg)
