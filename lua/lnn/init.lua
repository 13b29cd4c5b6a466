--- lnn: neural networks for Lua 5.4 with a fast C core.  require "lnn" gives
-- the whole library in one table: the core, the book's faces, the loader, the
-- model files, the plain-Lua reference network, plots and the progress bar.
-- @module lnn

-- Before the build, one line (what is missing, what builds it) instead of
-- require's list of every path searched.  The error is a table with
-- __tostring, which lua.c prints alone, without a stack traceback.
do
  local missing = require("lnn.cli").core_missing()
  if missing then
    error(setmetatable({message = "lnn: " .. missing}, {__tostring = function(e) return e.message end}), 0)
  end
end
local lnn = {
  core = require "lnn.core",
  network = require "lnn.network",
  network2 = require "lnn.network2",
  network3 = require "lnn.network3",
  mynet = require "lnn.mynet",
  mnist_loader = require "lnn.mnist_loader",
  model = require "lnn.model",
  json = require "lnn.json",
  reference = require "lnn.reference",
  plot = require "lnn.plot",
  progress = require "lnn.progress",
}
lnn.Matrix = lnn.core.Matrix
lnn.Data = lnn.core.Data
lnn.Rng = lnn.core.Rng
lnn.version = lnn.core.version
return lnn
