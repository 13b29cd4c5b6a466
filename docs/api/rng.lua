--- lnn.Rng: the seedable generator (PCG32) every random draw of lnn comes from.
-- Shuffles, initial weights and dropout masks all draw from an Rng passed or
-- held by the network, never from a hidden global: the same seed gives the
-- same run, bit for bit, on the same build.  Its state round-trips through a
-- string, so checkpoints carry it.  It is never seeded from the clock: a
-- script that wants that passes os.time() itself.  This file only documents
-- the C type; its code is csrc/lua/lua_rng.c.
-- @module lnn.Rng

--- Rng([seed [, stream]]): a new generator.
-- @param seed any integer (default 0)
-- @param stream which of PCG32's independent streams (any integer, default 0)
-- @return the new lnn.Rng
-- @usage
-- local rng = lnn.Rng(42)
-- @function Rng

--- uniform(): a number in [0, 1).
-- @return the number
-- @usage
-- local u = lnn.Rng(1):uniform()
-- assert(u >= 0 and u < 1)
-- @function uniform

--- normal([mean [, sd]]): a draw from N(mean, sd^2) (default N(0, 1)).
-- @param mean the mean (default 0)
-- @param sd the standard deviation (default 1)
-- @return the number
-- @usage
-- local x = lnn.Rng(1):normal(0, 0.1)
-- @function normal

--- random(n): an integer in 1..n, as math.random(n).
-- @param n the largest value, 1 or more
-- @return the integer
-- @usage
-- local die = lnn.Rng(1):random(6)
-- @function random

--- permutation(n): 1..n in the order the engine's shuffle uses.
-- @param n how many integers
-- @return a new Lua table
-- @usage
-- local order = lnn.Rng(1):permutation(5)  -- 1..5, shuffled
-- @function permutation

--- clone(): a new generator in the same state (the two then draw the same numbers).
-- @return the copy
-- @usage
-- local a = lnn.Rng(3)
-- local b = a:clone()
-- assert(a:uniform() == b:uniform())
-- @function clone

--- state(): the state as text, "pcg32:<16 hex>:<16 hex>".
-- @return the text
-- @usage
-- local s = lnn.Rng(7):state()
-- @function state

--- set_state(s): puts back a state that state() returned; anything else is
-- an error ("rng state expected ('pcg32:<16 hex>:<16 hex>' with odd increment)").
-- @param s the text
-- @return the generator itself
-- @usage
-- local rng = lnn.Rng(7)
-- local saved = rng:state()
-- local first = rng:uniform()
-- rng:set_state(saved)
-- assert(rng:uniform() == first)
-- @function set_state
