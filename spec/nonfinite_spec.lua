-- No silent garbage in saved networks: a NaN or infinite parameter is refused
-- by save (the old file kept) and by load (a file patched to hold one), the
-- error naming the layer; a network2 JSON value beyond float32's range (which
-- would become infinity) is refused at load, naming the value's place.
local core = require "lnn.core"
local model = require "lnn.model"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local network3 = require "lnn.network3"
local H = require "helpers"

local nan, inf = 0 / 0, math.huge

-- overwrites the 4 bytes of float number `index` (1-based) of the data block of
-- the safetensors file at path with the float32 x
local function patch_param(path, index, x)
  local s = H.read_file(path)
  local hlen = string.unpack("<I8", s)
  local at = 8 + hlen + 4 * (index - 1)
  H.write_file(path, s:sub(1, at) .. string.pack("<f", x) .. s:sub(at + 5))
end

describe("non-finite parameters", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("save refuses a network holding NaN or infinity, naming the layer, and keeps the old file", function()
    for _, bad in ipairs {nan, inf, -inf} do
      local net = network.Network({4, 3, 2}, {seed = 1})
      local path = dir .. "/net"
      net:save(path)
      local before = H.read_file(path)
      net.biases[2]:set(1, 1, bad) -- layer 2's bias
      local err = H.error_matches(function() net:save(path) end, "save: " .. path, "layer 2", "bias",
        "not finite")
      assert.falsy(err:find("lnn/[%w_]+%.lua:%d+:"), err)
      assert.are.equal(before, H.read_file(path))
      -- network2 and network3 too
      local net2 = network2.Network({4, 3, 2}, nil, {seed = 1})
      net2.weights[1]:set(2, 3, bad)
      H.error_matches(function() net2:save(dir .. "/net2") end, "save: " .. dir .. "/net2", "weights[1]",
        "not finite")
      assert.is_nil(io.open(dir .. "/net2"))
      local net3 = network3.Network({network3.FullyConnectedLayer {n_in = 4, n_out = 3}, network3.SoftmaxLayer {n_in = 3, n_out = 2}}, 1)
      net3._net:params():set(1, 1, bad)
      H.error_matches(function() net3:save(dir .. "/net3") end, "save: " .. dir .. "/net3", "layer 1",
        "weight", "not finite")
    end
  end)

  it("load refuses a model file holding NaN or infinity, naming the layer", function()
    local net = network.Network({4, 3, 2}, {seed = 1})
    local path = dir .. "/net"
    for _, case in ipairs {{1, nan, "layers.1.weight"}, {13, inf, "layers.1.bias"},
                           {16, -inf, "layers.2.weight"}, {23, nan, "layers.2.bias"}} do
      net:save(path)
      patch_param(path, case[1], case[2])
      H.error_matches(function() network.load(path) end, "load: " .. path, case[3], "not finite")
      H.error_matches(function() model.load(path) end, "load: " .. path, case[3], "not finite")
    end
    -- the largest finite float32 is a value like any other
    net:save(path)
    patch_param(path, 1, 3.4028234663852886e38)
    assert.are.equal(3.4028234663852886e38, network.load(path).weights[1]:get(1, 1))
  end)

  it("network2 load refuses a value beyond float32's range (it would become infinity)", function()
    local net2 = network2.Network({2, 2}, nil, {seed = 1})
    local path = dir .. "/n.json"
    net2:save(path)
    local text = H.read_file(path)
    for _, big in ipairs {"1e39", "-3.5e38", "3.4028236e38", "1e308"} do
      -- the first weight, whatever its digits
      local patched = text:gsub('"weights": %[%[%[[^,%]]+', '"weights": [[[' .. big, 1)
      assert.are_not.equal(text, patched)
      H.write_file(path, patched)
      H.error_matches(function() network2.load(path) end, "load: " .. path, "weights[1][1][1]",
        "beyond float32's range")
    end
    -- the largest finite float32 (and tiny values, which round to 0 or a denormal) load
    for _, ok in ipairs {"3.4028234e38", "-3.4028234e38", "1e-50"} do
      H.write_file(path, (text:gsub('"biases": %[%[%[[^,%]]+', '"biases": [[[' .. ok, 1)))
      assert.is_table(network2.load(path))
    end
  end)
end)
