-- ch6_5.lua -- Chapter 6, 6.5: the 6.4 network on the 250,000 expanded training images (book: 99.37%)
-- usage: lua scripts/experiments/ch6_5.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.chapter6").main("ch6_5", arg)
