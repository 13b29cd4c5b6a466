-- Saving and loading networks (lnn.model's safetensors files via
-- lnn.network's save/load), resumable checkpoints and PNG output.
local core = require "lnn.core"
local network = require "lnn.network"
local loader = require "lnn.mnist_loader"
local json = require "lnn.json"
local H = require "helpers"

describe("network save and load", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("round-trips sizes, parameters, epoch and generator state exactly", function()
    local net = network.Network({7, 5, 3}, {seed = 5})
    net.epoch = 4
    net.rng:normal()
    local path = dir .. "/net.lnn"
    net:save(path)
    local back = network.load(path)
    assert.are.same(net.sizes, back.sizes)
    assert.are.equal(4, back.epoch)
    assert.are.equal(net.rng:state(), back.rng:state())
    for l = 1, 2 do
      assert.are.equal(0, net.weights[l]:maxabsdiff(back.weights[l]))
      assert.are.equal(0, net.biases[l]:maxabsdiff(back.biases[l]))
    end
    local x = core.Matrix(7, 1, 0.3)
    assert.are.equal(0, net:feedforward(x):maxabsdiff(back:feedforward(x)))
  end)

  it("writes safetensors: header length, JSON header, float32 data", function()
    local net = network.Network({4, 3, 2}, {seed = 1})
    local path = dir .. "/net.safetensors"
    net:save(path)
    local bytes = H.read_file(path)
    local hlen = string.unpack("<I8", bytes)
    assert.are.equal(0, hlen % 8)
    local header = json.decode(bytes:sub(9, 8 + hlen))
    assert.are.equal("lnn", header.__metadata__.format)
    assert.are.same({3, 4}, header["layers.1.weight"].shape)
    assert.are.same({2}, header["layers.2.bias"].shape)
    assert.are.equal("F32", header["layers.1.weight"].dtype)
    local off = header["layers.1.weight"].data_offsets
    local w11 = string.unpack("<f", bytes, 9 + hlen + off[1])
    assert.are.equal(net.weights[1][1][1], w11)
    assert.are.equal(#bytes - 8 - hlen, 4 * (4 * 3 + 3 + 3 * 2 + 2))
  end)

  it("identical networks save identical bytes", function()
    network.Network({9, 4, 2}, {seed = 8}):save(dir .. "/a")
    network.Network({9, 4, 2}, {seed = 8}):save(dir .. "/b")
    assert.are.equal(H.read_file(dir .. "/a"), H.read_file(dir .. "/b"))
  end)

  it("rejects damaged files with the file name and the problem", function()
    local path = dir .. "/net"
    network.Network({4, 3, 2}, {seed = 1}):save(path)
    local good = H.read_file(path)
    local function try(bytes, ...)
      H.write_file(dir .. "/bad", bytes)
      H.error_matches(function() network.load(dir .. "/bad") end, dir .. "/bad", ...)
    end
    try("", "not a model file")
    try(good:sub(1, 20), "not a model file")
    try(good:sub(1, -5), "data block holds")
    try(good:sub(1, -3), "not float32s")
    try(string.pack("<I8", 8) .. "{}      " .. "\0\0\0\0", "no __metadata__")
    try(string.pack("<I8", 8) .. "{{{{{{{{" .. "\0\0\0\0", "bad header")
    local hlen = string.unpack("<I8", good)
    local header = good:sub(9, 8 + hlen)
    try(good:sub(1, 8) .. header:gsub('"shape":%[3,4%]', '"shape":[4,3]') .. good:sub(9 + hlen), "disagrees with the layout")
    try(good:sub(1, 8) .. header:gsub('"F32"', '"F16"', 1) .. good:sub(9 + hlen), "expected F32")
    H.error_matches(function() network.load(dir .. "/missing") end, dir .. "/missing", "cannot open")
    H.error_matches(function() network.load(42) end, "bad argument #1 to 'load'")
  end)

  it("a failed save leaves the old file intact and no temporary behind", function()
    local path = dir .. "/net"
    local net = network.Network({4, 3, 2}, {seed = 1})
    net:save(path)
    local before = H.read_file(path)
    H.error_matches(function() net:save(dir .. "/no/such/folder/net") end, "save", "no/such/folder")
    assert.are.equal(before, H.read_file(path))
    local p = io.popen("ls -A '" .. dir .. "'")
    local listing = p:read("a")
    p:close()
    assert.are.equal("net\n", listing)
  end)

  it("SGD keeps checkpoints (initial, latest, every N) and resumes bit-identically", function()
    local data = H.to_data(H.get_dummy_training_data(12, 4, 60, core.Rng(2)))
    local straight = network.Network({12, 6, 4}, {seed = 3})
    straight:SGD(data, 6, 5, 1.0, nil, {quiet = true})

    local first = network.Network({12, 6, 4}, {seed = 3})
    first:SGD(data, 3, 5, 1.0, nil, {quiet = true, backups = dir .. "/bk", backup_every = 2})
    for _, f in ipairs {"initial", "latest", "epoch-2"} do
      assert.truthy(io.open(dir .. "/bk/" .. f), f .. " missing")
    end
    local resumed = network.load(dir .. "/bk/latest")
    assert.are.equal(3, resumed.epoch)
    local lines = {}
    resumed:SGD(data, 3, 5, 1.0, nil, {log = function(s) lines[#lines + 1] = s end})
    assert.are.same({"Epoch 3 complete", "Epoch 4 complete", "Epoch 5 complete"}, lines)
    -- or resumed to a total with start_epoch
    local to_total = network.load(dir .. "/bk/latest")
    to_total:SGD(data, 6, 5, 1.0, nil, {quiet = true, start_epoch = to_total.epoch})
    for l = 1, 2 do
      assert.are.equal(0, straight.weights[l]:maxabsdiff(resumed.weights[l]))
      assert.are.equal(0, straight.weights[l]:maxabsdiff(to_total.weights[l]))
    end
    assert.are.equal(6, to_total.epoch)
  end)
end)

describe("PNG output", function()
  it("vectorToImage writes a 28x28 grayscale PNG that reads back", function()
    local dir, cleanup = H.tmpdir()
    local v = core.Matrix(784, 1)
    for i = 1, 784 do v[i][1] = (i % 256) / 255 end
    loader.vectorToImage(v, dir .. "/d.png")
    local w, h, c, pix = core.read_png(dir .. "/d.png")
    assert.are.same({28, 28, 1}, {w, h, c})
    for i = 1, 784 do assert.are.equal(i % 256, pix:byte(i)) end
    assert.are.equal("\137PNG\r\n\26\n", H.read_file(dir .. "/d.png"):sub(1, 8))
    H.error_matches(function() loader.vectorToImage(core.Matrix(10, 1), dir .. "/x.png") end,
      "bad argument #1 to 'vectorToImage'", "square number of values", "got 10")
    H.error_matches(function() loader.vectorToImage(v, 5) end, "bad argument #2 to 'vectorToImage'", "got number")
    local bytes = H.read_file(dir .. "/d.png")
    H.write_file(dir .. "/bad.png", bytes:sub(1, 20) .. "X" .. bytes:sub(22))
    H.error_matches(function() core.read_png(dir .. "/bad.png") end, "read_png", dir .. "/bad.png")
    cleanup()
  end)

  it("vectorToImage takes any square vector, returns the image and writes only when named", function()
    local dir, cleanup = H.tmpdir()
    local v = core.Matrix(1, 12 * 12)
    for i = 1, 144 do v[1][i] = (i - 1) / 143 end
    local img = loader.vectorToImage(v)
    assert.are.same({12, 12}, {img:shape()})
    assert.are.equal(1.0, img[12][12])
    assert.are.equal(v[1][14], img[2][2])
    v[1][14] = 0.5 -- the image is a copy, not a view of v
    assert.are_not.equal(0.5, img[2][2])
    local p = io.popen("ls -A " .. dir)
    assert.are.equal("", p:read("a")) -- nothing written without a name
    p:close()
    local again = loader.vectorToImage({0, 0.5, 1, 0.25}, dir .. "/two.png")
    assert.are.same({2, 2}, {again:shape()})
    local w, h, c, pix = core.read_png(dir .. "/two.png")
    assert.are.same({2, 2, 1}, {w, h, c})
    assert.are.same({0, 128, 255, 64}, {pix:byte(1, 4)})
    assert.are.same({1, 1}, {loader.vectorToImage({0.3}):shape()})
    cleanup()
  end)
end)
