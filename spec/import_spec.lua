-- lnn.model.import / export: plain safetensors files (no lnn metadata), as a
-- PyTorch state_dict saved with safetensors.torch.save_file is: names like
-- "0.weight", keys sorted, "__metadata__" {"format": "pt"}, the header padded
-- with spaces to 8 bytes.  Also the wrong loader's message names the right one.
local core = require "lnn.core"
local json = require "lnn.json"
local model = require "lnn.model"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local network3 = require "lnn.network3"
local H = require "helpers"

-- writes a safetensors file as the Rust library does: tensors is a list of
-- {name, shape, values[, dtype]}; data in name order, header keys sorted
local function write_safetensors(path, tensors, metadata)
  table.sort(tensors, function(a, b) return a[1] < b[1] end)
  local parts, data, off = {}, {}, 0
  if metadata then parts[#parts + 1] = '"__metadata__":' .. json.encode(metadata) end
  for _, t in ipairs(tensors) do
    local dtype = t[4] or "F32"
    local fmt = dtype == "F64" and "<d" or "<f"
    local bytes = {}
    for i, v in ipairs(t[3]) do bytes[i] = string.pack(fmt, v) end
    local blob = table.concat(bytes)
    parts[#parts + 1] = ('"%s":{"dtype":"%s","shape":%s,"data_offsets":[%d,%d]}'):format(t[1], dtype,
      json.encode(t[2]), off, off + #blob)
    data[#data + 1] = blob
    off = off + #blob
  end
  local header = "{" .. table.concat(parts, ",") .. "}"
  header = header .. string.rep(" ", (8 - #header % 8) % 8)
  H.write_file(path, string.pack("<I8", #header) .. header .. table.concat(data))
end

local function values(n, seed)
  local rng, t = core.Rng(seed), {}
  for i = 1, n do t[i] = rng:uniform() - 0.5 end
  return t
end

describe("plain safetensors files", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  -- nn.Sequential(nn.Linear(4, 3), nn.Sigmoid(), nn.Linear(3, 2)).state_dict()
  local W1, B1, W2, B2 = values(12, 1), values(3, 2), values(6, 3), values(2, 4)
  local function torch_file(path, over)
    local t = {{"0.weight", {3, 4}, W1}, {"0.bias", {3}, B1}, {"2.weight", {2, 3}, W2}, {"2.bias", {2}, B2}}
    for _, o in ipairs(over or {}) do
      for k, x in ipairs(t) do if x[1] == o[1] then t[k] = o end end
      if o.add then t[#t + 1] = o end
      if o.drop then for k, x in ipairs(t) do if x[1] == o.drop then table.remove(t, k) break end end end
    end
    write_safetensors(path, t, {format = "pt"})
  end

  it("import reads a PyTorch-style state_dict into any face, weights [out, in] as torch.nn.Linear's", function()
    torch_file(dir .. "/m.safetensors")
    for _, make in ipairs {
      function() return network.Network({4, 3, 2}, {seed = 9}) end,
      function() return network2.Network({4, 3, 2}, network2.QuadraticCost, {seed = 9}) end,
    } do
      local net = make()
      assert.are.equal(net, model.import(net, dir .. "/m.safetensors"))
      for j = 1, 3 do
        for k = 1, 4 do assert.are.equal(string.unpack("<f", string.pack("<f", W1[(j - 1) * 4 + k])), net.weights[1][j][k]) end
        assert.are.equal(string.unpack("<f", string.pack("<f", B1[j])), net.biases[1][j][1])
      end
      -- the forward pass is sigmoid(W2 sigmoid(W1 x + b1) + b2), computed here by hand
      local x = {0.1, -0.2, 0.3, 0.5}
      local function sig(z) return 1 / (1 + math.exp(-z)) end
      local h = {}
      for j = 1, 3 do
        local z = net.biases[1][j][1]
        for k = 1, 4 do z = z + net.weights[1][j][k] * x[k] end
        h[j] = sig(z)
      end
      local out = net:feedforward(core.Matrix{{x[1]}, {x[2]}, {x[3]}, {x[4]}})
      for j = 1, 2 do
        local z = net.biases[2][j][1]
        for k = 1, 3 do z = z + net.weights[2][j][k] * h[k] end
        assert.is_true(math.abs(sig(z) - out[j][1]) < 1e-6)
      end
    end
  end)

  it("orders prefixes naturally (layers.10 after layers.2) and reads conv layers as Conv2d's", function()
    local n3 = network3
    local net = n3.Network({
      n3.ConvPoolLayer {image_shape = {2, 1, 8, 8}, filter_shape = {2, 1, 3, 3}, poolsize = {2, 2}},
      n3.FullyConnectedLayer {n_in = 18, n_out = 4},
      n3.SoftmaxLayer {n_in = 4, n_out = 3}}, 2, {seed = 1})
    local path = dir .. "/c.safetensors"
    model.export(net, path, {"layers.2", "layers.10", "layers.11"})
    local copy = n3.Network({
      n3.ConvPoolLayer {image_shape = {2, 1, 8, 8}, filter_shape = {2, 1, 3, 3}, poolsize = {2, 2}},
      n3.FullyConnectedLayer {n_in = 18, n_out = 4},
      n3.SoftmaxLayer {n_in = 4, n_out = 3}}, 2, {seed = 2})
    model.import(copy, path)
    local function pixels(seed) local t = values(64, seed) for i = 1, 64 do t[i] = t[i] + 0.5 end return t end
    local x = core.Data({pixels(5), pixels(6), pixels(7)}, {0, 1, 2}, 3)
    assert.are.same(net:predict(x), copy:predict(x))
    local e = H.read_file(path)
    local hlen = string.unpack("<I8", e)
    local header = json.decode(e:sub(9, 8 + hlen))
    assert.are.same({2, 1, 3, 3}, header["layers.2.weight"].shape)
    assert.are.same({3, 4}, header["layers.11.weight"].shape)
    assert.is_nil(header.__metadata__)
  end)

  it("export writes what import reads, under the names asked for", function()
    local net = network.Network({4, 3, 2}, {seed = 3})
    model.export(net, dir .. "/e.safetensors", {"0", "2"})
    local other = network.Network({4, 3, 2}, {seed = 4})
    model.import(other, dir .. "/e.safetensors")
    assert.are.same(net.weights[1]:totable(), other.weights[1]:totable())
    assert.are.same(net.biases[2]:totable(), other.biases[2]:totable())
    local raw = H.read_file(dir .. "/e.safetensors")
    assert.truthy(raw:find('"0.weight"', 1, true))
    assert.truthy(raw:find('"2.bias"', 1, true))
    model.export(net, dir .. "/d.safetensors") -- default names: the engine layers'
    assert.truthy(H.read_file(dir .. "/d.safetensors"):find('"layers.1.weight"', 1, true))
    H.error_matches(function() model.export(net, dir .. "/x", {"0"}) end,
      "bad argument #3 to 'export'", "a list of 2 prefixes expected, got 1 items")
    H.error_matches(function() model.export({}, dir .. "/x") end, "bad argument #1 to 'export'")
  end)

  it("a file that does not match says what, and changes nothing", function()
    local net = network.Network({4, 3, 2}, {seed = 9})
    local before = net.weights[1]:totable()
    local cases = {
      {{{"2.weight", {3, 2}, W2}}, "2.weight: shape [3,2] disagrees with the layout [2,3]"},
      {{{"0.bias", {3}, B1, "F64"}}, "0.bias: dtype F64, expected F32"},
      {{{drop = "2.bias"}}, "2 has no bias"},
      {{{"4.weight", {1}, {1}, add = true}}, "holds 3 weight/bias pairs (0, 2, 4), but the network has 2 layers"},
      {{{"0.running_mean", {3}, B1, add = true}}, "tensor 0.running_mean is neither a weight nor a bias"},
    }
    for _, c in ipairs(cases) do
      torch_file(dir .. "/bad", c[1])
      local err = H.error_matches(function() model.import(net, dir .. "/bad") end, c[2])
      assert.falsy(err:find("%.lua:%d+:"), err)
      assert.are.same(before, net.weights[1]:totable())
    end
    H.error_matches(function() model.import(5, dir .. "/bad") end, "bad argument #1 to 'import' (a network expected, got number)")
    H.error_matches(function() model.import(net, 5) end, "bad argument #2 to 'import'")
  end)

  it("a file given to the wrong loader names the loader that reads it, without internal positions", function()
    network2.Network({4, 3, 2}):save(dir .. "/n2.json")
    network.Network({4, 3, 2}):save(dir .. "/n1.lnn")
    torch_file(dir .. "/t.safetensors")
    network3.Network({network3.ConvPoolLayer {image_shape = {2, 1, 8, 8}, filter_shape = {2, 1, 3, 3}, poolsize = {2, 2}},
      network3.SoftmaxLayer {n_in = 18, n_out = 3}}, 2):save(dir .. "/n3.lnn")
    for _, c in ipairs {
      {function() return network3.load(dir .. "/n2.json") end, "it is a network2 JSON file (network2.py's layout: sizes, weights, biases, cost); lnn.network2.load reads it"},
      {function() return network.load(dir .. "/n2.json") end, "not an lnn model file: it is a network2 JSON file (network2.py's layout: sizes, weights, biases, cost); lnn.network2.load reads it"},
      {function() return network.load(dir .. "/t.safetensors") end, "it is a plain safetensors file; lnn.model.import(net, file) reads its tensors"},
      {function() return network2.load(dir .. "/n1.lnn") end, "it is an lnn model saved by lnn.network; lnn.network.load reads it"},
      {function() return network3.load(dir .. "/n1.lnn") end, "it is an lnn model saved by lnn.network; lnn.network.load reads it"},
      {function() return network.load(dir .. "/n3.lnn") end, "not a network.py network (dense sigmoid layers, quadratic cost) (it is a chapter 6 conv net (an lnn model saved by lnn.network3); lnn.network3.load reads it)"},
      {function() return model.load(dir .. "/n1.lnn", "network3") end, "saved by lnn.network, not lnn.network3 (it is an lnn model saved by lnn.network; lnn.network.load reads it)"},
      {function() return network.load(dir .. "/none") end, "cannot open"},
    } do
      local err = H.error_matches(c[1], c[2])
      assert.falsy(err:find("model%.lua:%d+:"), err)
    end
  end)

  it("vectorToImage's unwritable file names the function, not a line of mnist_loader.lua", function()
    local loader = require "lnn.mnist_loader"
    local err = H.error_matches(function() loader.vectorToImage(core.Matrix(784, 1), dir .. "/no/x.png") end,
      "vectorToImage: write_png: " .. dir .. "/no/x.png")
    assert.falsy(err:find("mnist_loader%.lua:%d+"), err)
  end)
end)
