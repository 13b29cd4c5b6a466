-- make_seeds.lua: writes the fuzz targets' seed corpora (csrc/fuzz/corpus/<target>/)
-- with lnn's own writers, so the seeds are files lnn really produces.  Small on
-- purpose: the fuzzer grows its own corpus in a scratch folder each run.
-- The grown-* files beside them are not written here: inputs a long run
-- (scripts/fuzz.sh --long) grew, the few adding the most coverage edges.
-- Run from the source root: lua5.4 csrc/fuzz/make_seeds.lua
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath
local core = require "lnn.core"
local network = require "lnn.network"
local json = require "lnn.json"

local root = "csrc/fuzz/corpus"
local function put(target, name, bytes)
  os.execute(("mkdir -p '%s/%s'"):format(root, target))
  local f = assert(io.open(("%s/%s/%s"):format(root, target, name), "wb"))
  f:write(bytes)
  f:close()
end
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
local tmp = os.tmpname()

-- IDX: images and labels, raw and gzip, 1 to 4 dimensions, zero items
local function idx(magic, dims, level)
  local n = 1
  for _, d in ipairs(dims) do n = n * d end
  local t = {}
  for i = 1, n do t[i] = string.char((i * 37) % 256) end
  core.write_idx(tmp, magic, dims, table.concat(t), level)
  return slurp(tmp)
end
for _, c in ipairs {
  {"images", 2051, {2, 3, 3}}, {"labels", 2049, {4}}, {"empty", 2051, {0, 28, 28}},
  {"dim2", 2050, {3, 5}}, {"dim4", 2052, {1, 2, 2, 2}},
} do
  put("idx", c[1] .. ".raw", idx(c[2], c[3], 0))
  put("idx", c[1] .. ".gz", idx(c[2], c[3], 6))
  put("idx_gz", c[1], idx(c[2], c[3], 0))
end

-- JSON: a network2.py file, an lnn model header, and the grammar's corners
local net = network.Network({3, 2, 2}, {seed = 1})
local w, b = {}, {}
for l = 1, 2 do w[l] = net.weights[l]:totable() b[l] = net.biases[l]:totable() end
put("json", "network2.json", json.encode {sizes = net.sizes, weights = w, biases = b,
  cost = "CrossEntropyCost"})
net:save(tmp)
local model = slurp(tmp)
local hlen = string.unpack("<I8", model)
put("json", "safetensors_header.json", model:sub(9, 8 + hlen))
put("json", "corners.json", '[null,true,false,-0,0.5e-3,1E+2,"a\\u00e9\\ud83d\\ude00\\n\\"",{},[],{"k":{"":[1]}}]')
put("json", "float.json", "1.17549435e-38")

-- PNG: grayscale and RGB, as write_png writes them
local g = {}
for i = 1, 4 * 3 do g[i] = string.char(i * 20) end
core.write_png(tmp, table.concat(g), 4, 3, 1)
put("png", "gray.png", slurp(tmp))
local rgb = {}
for i = 1, 2 * 2 * 3 do rgb[i] = string.char(i * 19) end
core.write_png(tmp, table.concat(rgb), 2, 2, 3)
put("png", "rgb.png", slurp(tmp))

-- models: the smallest networks, one with a checkpoint's epoch and generator state
put("model", "3-2-2.lnn", model)
local tiny = network.Network({2, 1}, {seed = 2})
tiny.epoch = 3
tiny:save(tmp)
put("model", "2-1.lnn", slurp(tmp))
-- plain safetensors files for model.import: PyTorch's names for the dense net,
-- other prefixes for the conv-pool one (fuzz_import's two networks)
local model_ = require "lnn.model"
model_.export(network.Network({3, 2, 2}, {seed = 7}), tmp, {"0", "2"})
put("import", "sequential-3-2-2.safetensors", slurp(tmp))
do
  local n3 = require "lnn.network3"
  model_.export(n3.Network({n3.ConvPoolLayer {image_shape = {1, 1, 6, 6}, filter_shape = {2, 1, 3, 3},
    poolsize = {2, 2}, activation_fn = n3.ReLU}, n3.SoftmaxLayer {n_in = 8, n_out = 2}}, 1, {seed = 8}), tmp,
    {"conv", "fc"})
  put("import", "conv-fc.safetensors", slurp(tmp))
end
-- network2.py JSON files: sigmoid/cross-entropy, and tanh/softmax with "activations"
local network2 = require "lnn.network2"
network2.Network({3, 2, 2}, nil, {seed = 3}):save(tmp)
put("network2", "sigmoid.json", slurp(tmp))
network2.Network({2, 3, 2}, network2.LogLikelihoodCost, {seed = 4, hidden = "tanh"}):save(tmp)
put("network2", "tanh-softmax.json", slurp(tmp))
-- network3 files: a conv-pool layer, dropout before an FC layer and before softmax
local network3 = require "lnn.network3"
network3.Network({network3.ConvPoolLayer {image_shape = {1, 1, 6, 6}, filter_shape = {2, 1, 3, 3},
                                          poolsize = {2, 2}, activation_fn = network3.ReLU},
                  network3.FullyConnectedLayer {n_in = 8, n_out = 3, p_dropout = 0.5},
                  network3.SoftmaxLayer {n_in = 3, n_out = 2, p_dropout = 0.25}}, 1, {seed = 5}):save(tmp)
put("network3", "conv-dropout.lnn", slurp(tmp))
network3.Network({network3.ConvPoolLayer {image_shape = {1, 2, 5, 4}, filter_shape = {1, 2, 2, 3},
                                          poolsize = {3, 1}, activation_fn = network3.tanh},
                  network3.SoftmaxLayer {n_in = 2, n_out = 3}}, 2, {seed = 6}):save(tmp)
put("network3", "conv-ragged-pool.lnn", slurp(tmp))
os.remove(tmp)
