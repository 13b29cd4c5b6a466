-- Messages name the right thing (issue 24): the user's file, not a scratch
-- copy; the public function, not an internal file:line or core.load_idx; and
-- a hint never sends the user to the loader that just refused the file.
local core = require "lnn.core"
local loader = require "lnn.mnist_loader"
local model = require "lnn.model"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local H = require "helpers"

local F = loader.FILES

describe("messages", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("a truncated network2 JSON: no loader sends the user to itself or to one that refuses it too", function()
    network2.Network({3, 2, 2}, nil, {seed = 1}):save(dir .. "/n.json")
    local j = H.read_file(dir .. "/n.json")
    H.write_file(dir .. "/bad.json", j:sub(1, #j - 10))
    local err = H.error_matches(function() network2.load(dir .. "/bad.json") end, "load: " .. dir .. "/bad.json")
    assert.falsy(err:find("lnn.network2.load reads it", 1, true), err)
    err = H.error_matches(function() network.load(dir .. "/bad.json") end, "load: " .. dir .. "/bad.json")
    assert.falsy(err:find("reads it", 1, true), err)
    -- an intact one still gets its loader named
    H.error_matches(function() network.load(dir .. "/n.json") end, "lnn.network2.load reads it")
  end)

  it("a truncated lnn file: network.load does not point at network.load", function()
    network.Network({3, 2, 2}, {seed = 1}):save(dir .. "/a.lnn")
    H.write_file(dir .. "/t.lnn", H.read_file(dir .. "/a.lnn"):sub(1, 20))
    local err = H.error_matches(function() network.load(dir .. "/t.lnn") end, "load: " .. dir .. "/t.lnn")
    assert.falsy(err:find("lnn.network.load reads it", 1, true), err)
  end)

  it("model.import's errors say import, also for a NaN in the file", function()
    -- export refuses NaN: the NaN goes into a clean export's bytes
    local clean = network.Network({3, 2, 2}, {seed = 1})
    model.export(clean, dir .. "/w.safetensors", {"0", "2"})
    local s = H.read_file(dir .. "/w.safetensors")
    local hlen = string.unpack("<I8", s)
    local hdr = require("lnn.json").decode(s:sub(9, 8 + hlen))
    local at = 8 + hlen + hdr["0.weight"].data_offsets[1]
    H.write_file(dir .. "/nan.safetensors", s:sub(1, at) .. string.pack("<f", 0 / 0) .. s:sub(at + 5))
    local err = H.error_matches(function() model.import(clean, dir .. "/nan.safetensors") end, "not finite")
    assert.truthy(err:find("import: " .. dir .. "/nan.safetensors: ", 1, true) == 1, err)
  end)

  it("load_data and lnn data import name the user's files and the public function", function()
    os.execute("mkdir -p '" .. dir .. "/src'")
    core.write_idx(dir .. "/src/" .. F.train_images, 2051, {10005, 28, 28}, string.rep("\0", 10005 * 784), 0)
    core.write_idx(dir .. "/src/" .. F.train_labels, 2049, {10004}, string.rep("\1", 10004), 0)
    core.write_idx(dir .. "/src/" .. F.test_images, 2051, {1, 28, 28}, string.rep("\0", 784), 0)
    core.write_idx(dir .. "/src/" .. F.test_labels, 2049, {1}, "\1", 0)
    local err = H.error_matches(function() loader.load_data(dir .. "/src") end,
      "load_data: " .. dir .. "/src/" .. F.train_images .. " has 10005 images but")
    assert.falsy(err:find("%.lua:%d+:"), err)
    local out, status = H.sh(("bin/lnn data import '%s/src' --to '%s/to'"):format(dir, dir))
    assert.are.equal(1, status, out)
    assert.truthy(out:find(dir .. "/src/" .. F.train_images .. " and " .. dir .. "/src/" .. F.train_labels, 1, true), out)
    for p in out:gmatch("(/[^%s:]+)" .. F.train_images:gsub("%p", "%%%0")) do
      assert.are.equal(dir .. "/src/", p, out)
    end
  end)
end)
