-- ch4_vanishing.lua -- Vanishing gradient: [784,30,30,30,30,10], 1,000 images, eta 0.1
-- usage: lua scripts/experiments/ch4_vanishing.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.experiments").main("ch4_vanishing", arg)
