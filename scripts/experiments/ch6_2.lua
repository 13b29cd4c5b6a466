-- ch6_2.lua -- Chapter 6, 6.2: ConvPoolLayer(20x1x5x5, pool 2x2) + FC(2880, 100) + Softmax(100, 10), sigmoid; batch 10, eta 0.1 (book: 98.78%)
-- usage: lua scripts/experiments/ch6_2.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.chapter6").main("ch6_2", arg)
