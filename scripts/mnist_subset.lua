-- mnist_subset.lua DIR [TRAIN [TEST]]: writes the first TRAIN (default 11000)
-- training and TEST (default 1000) test images of data/ (or LNN_DATA) to DIR as
-- the four gzip IDX files mnist_loader reads.  For quick runs under slow tools
-- (valgrind) that still go through the whole loader and split.
local root = assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()
local core = require "lnn.core"
local loader = require "lnn.mnist_loader"

local out = arg[1] or error("usage: lua5.4 scripts/mnist_subset.lua DIR [TRAIN [TEST]]")
local counts = {train = tonumber(arg[2] or 11000), t10k = tonumber(arg[3] or 1000)}
local src = os.getenv("LNN_DATA") or (root .. "/data")
for _, set in ipairs {"train", "t10k"} do
  local images = loader.path(src, set .. "-images-idx3-ubyte")
  local labels = loader.path(src, set .. "-labels-idx1-ubyte")
  local d, rows, cols = core.load_idx(images, labels)
  local n = math.min(counts[set], #d)
  local px, lb = {}, {}
  for i = 1, n do
    px[i] = d:pixels(i)
    lb[i] = string.char(d:label(i))
  end
  core.write_idx(out .. "/" .. set .. "-images-idx3-ubyte.gz", 2051, {n, rows, cols}, table.concat(px), 1)
  core.write_idx(out .. "/" .. set .. "-labels-idx1-ubyte.gz", 2049, {n}, table.concat(lb), 1)
end
