-- Strict model reading (issue 24): every metadata field of an lnn model file
-- is checked and named in the error, and the tensors must tile the data block
-- exactly (no overlap, no gap, no trailing bytes), in network.load (.lnn) and
-- model.import (plain safetensors) alike.  Each case is a crafted file: a
-- saved network's header changed, or its bytes.
local core = require "lnn.core"
local json = require "lnn.json"
local model = require "lnn.model"
local network = require "lnn.network"
local network3 = require "lnn.network3"
local H = require "helpers"

-- a safetensors file's header (decoded) and data bytes
local function parts(path)
  local s = H.read_file(path)
  local hlen = string.unpack("<I8", s)
  return json.decode(s:sub(9, 8 + hlen)), s:sub(9 + hlen)
end

local function put(path, header, data)
  local h = json.encode(header)
  H.write_file(path, string.pack("<I8", #h) .. h .. data)
end

describe("strict model reading", function()
  local dir, cleanup
  local lnn_file, st_file
  before_each(function()
    dir, cleanup = H.tmpdir()
    lnn_file, st_file = dir .. "/net.lnn", dir .. "/net.safetensors"
    local net = network.Network({3, 2, 2}, {seed = 1})
    net:save(lnn_file)
    model.export(net, st_file, {"0", "2"})
  end)
  after_each(function() cleanup() end)

  -- the file at path with header changed by f (and data by g), loaded by load: its error
  local function crafted(src, f, g, load)
    local header, data = parts(src)
    f(header)
    local out = dir .. "/crafted"
    put(out, header, g and g(data) or data)
    local ok, err = pcall(load, out)
    assert.is_false(ok, "the crafted file was read")
    err = tostring(err)
    assert.falsy(err:find("%.lua:%d+:"), err) -- no internal position
    return err
  end
  local function load(p) return network.load(p) end
  local function import(p) return model.import(network.Network({3, 2, 2}, {seed = 9}), p) end

  it("network.load: overlapping tensors, a gap, trailing bytes", function()
    local err = crafted(lnn_file, function(h)
      -- the bias of layer 1 points into the weights; the block keeps its size
      h["layers.1.bias"].data_offsets = {0, 8}
    end, nil, load)
    assert.truthy(err:find("tensor layers.1.bias (bytes 0 to 8) overlaps", 1, true)
      or err:find("overlaps tensor layers.1.bias", 1, true), err)
    err = crafted(lnn_file, function(h)
      for _, t in pairs(h) do if t.data_offsets then t.data_offsets = {t.data_offsets[1] + 4, t.data_offsets[2] + 4} end end
    end, function(d) return d .. "\0\0\0\0" end, load)
    -- (a gap in a .lnn file makes its block longer than its layout: said first)
    assert.truthy(err:find("data block holds 15 floats, but the layout needs 14", 1, true), err)
    err = crafted(lnn_file, function() end, function(d) return d .. "\0\0\0\0\0\0\0\0" end, load)
    assert.truthy(err:find("load: " .. dir .. "/crafted:", 1, true), err)
  end)

  it("network.load: every metadata field is checked and named", function()
    for _, c in ipairs {
      {"epoch", "abc", "metadata field 'epoch': a whole number from 0 to 2147483647 expected, got 'abc'"},
      {"epoch", "-1", "metadata field 'epoch'"},
      {"face", "bogus", "metadata field 'face': one of network, network2, network3, mynet expected, got 'bogus'"},
      {"rng", "pcg32:zz", "metadata field 'rng': a generator state"},
      {"mini_batch_size", "0", "metadata field 'mini_batch_size': a whole number from 1 to 1048576 expected, got '0'"},
      {"extra", 5, "metadata field 'extra': a string expected (safetensors metadata), got number"},
    } do
      local err = crafted(lnn_file, function(h) h.__metadata__[c[1]] = c[2] end, nil, load)
      assert.truthy(err:find(c[3], 1, true), err)
      assert.truthy(err:find("load: " .. dir .. "/crafted: ", 1, true), err)
    end
    local err = crafted(lnn_file, function(h) h["layers.9.weight"] = {dtype = "F32", shape = {0}, data_offsets = {0, 0}} end,
      nil, load)
    assert.truthy(err:find("tensor layers.9.weight is not one of the layout's", 1, true), err)
    err = crafted(lnn_file, function(h) h["layers.1.weight"].extra = 1 end, nil, load)
    assert.truthy(err:find("tensor layers.1.weight: unknown field 'extra'", 1, true), err)
    err = crafted(lnn_file, function(h) h["layers.1.bias"].shape = {n = 2} end, nil, load)
    assert.truthy(err:find("tensor layers.1.bias: shape: a list of sizes expected", 1, true), err)
  end)

  it("network3.load: a mini_batch_size of 0 is refused naming the field", function()
    local n3 = network3.Network({network3.FullyConnectedLayer {n_in = 4, n_out = 3},
                                 network3.SoftmaxLayer {n_in = 3, n_out = 2}}, 5, {seed = 1})
    n3:save(lnn_file)
    local err = crafted(lnn_file, function(h) h.__metadata__.mini_batch_size = "0" end, nil,
      function(p) return network3.load(p) end)
    assert.truthy(err:find("metadata field 'mini_batch_size'", 1, true), err)
  end)

  it("model.import: trailing bytes, a gap, overlap, a bad tensor entry, non-string metadata", function()
    local err = crafted(st_file, function() end, function(d) return d .. ("\0"):rep(8) end, import)
    assert.truthy(err:find("import: " .. dir .. "/crafted: the data block holds 64 bytes, but its tensors end at byte 56 (8 trailing bytes)", 1, true), err)
    err = crafted(st_file, function(h) h["0.bias"].data_offsets = {0, 8} end, nil, import)
    assert.truthy(err:find("overlaps", 1, true), err)
    assert.truthy(err:find("import: ", 1, true) == 1, err)
    err = crafted(st_file, function(h)
      for _, t in pairs(h) do if t.data_offsets then t.data_offsets = {t.data_offsets[1] + 8, t.data_offsets[2] + 8} end end
    end, function(d) return ("\0"):rep(8) .. d end, import)
    assert.truthy(err:find("bytes 0 to 8 of the data block belong to no tensor", 1, true), err)
    err = crafted(st_file, function(h) h["2.weight"].dtype = "F16" end, nil, import)
    assert.truthy(err:find("import: " .. dir .. "/crafted: tensor 2.weight: dtype F16, expected F32", 1, true), err)
    err = crafted(st_file, function(h) h.__metadata__ = {format = 5} end, nil, import)
    assert.truthy(err:find("metadata field 'format': a string expected", 1, true), err)
    -- a shape that disagrees with the layer says import, not load
    err = crafted(st_file, function(h)
      h["0.weight"].shape = {3, 2}
    end, nil, import)
    assert.truthy(err:find("import: ", 1, true) == 1, err)
  end)
end)
