-- ch3_l2_30.lua -- Chapter 3: L2 on all data, [784,30,10], lambda 5.0, eta 0.5
-- usage: lua scripts/experiments/ch3_l2_30.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.experiments").main("ch3_l2_30", arg)
