-- list.lua -- which book result each experiment script reproduces.
-- usage: lua scripts/experiments/list.lua
dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua")
print(require("lnn.experiments").listing())
print(require("lnn.chapter6").listing())
