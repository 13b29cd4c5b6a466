-- ch3_early_stopping.lua -- Chapter 3: early stopping (no-improvement-in-10), [784,30,10], lambda 5.0
-- usage: lua scripts/experiments/ch3_early_stopping.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.experiments").main("ch3_early_stopping", arg)
