-- ch1_30_hidden.lua -- Chapter 1: [784,30,10], quadratic cost, eta 3.0
-- usage: lua scripts/experiments/ch1_30_hidden.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.experiments").main("ch1_30_hidden", arg)
