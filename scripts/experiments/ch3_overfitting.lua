-- ch3_overfitting.lua -- Chapter 3: overfitting, 1,000 training images, 400 epochs
-- usage: lua scripts/experiments/ch3_overfitting.lua [--epochs N] [--seed N] [--data DIR] (--help)
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
require("lnn.experiments").main("ch3_overfitting", arg)
