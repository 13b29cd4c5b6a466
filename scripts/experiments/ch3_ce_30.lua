-- ch3_ce_30.lua -- Chapter 3: [784,30,10], cross-entropy, eta 0.5
-- usage: lua scripts/experiments/ch3_ce_30.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.experiments").main("ch3_ce_30", arg)
