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

describe("messages #slow #process", function()
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

  it("json.decode, a model's layout and lnn report's page name the text or file, not a line of lnn", function()
    local err = H.error_matches(function() require("lnn.json").decode("{", "x.json") end, "x.json: json: ")
    assert.falsy(err:find("%.lua:%d+:"), err)
    -- a layout that is not JSON: the field is named
    network.Network({3, 2, 2}, {seed = 1}):save(dir .. "/a.lnn")
    local s = H.read_file(dir .. "/a.lnn")
    local hlen = string.unpack("<I8", s)
    local json = require "lnn.json"
    local h = json.decode(s:sub(9, 8 + hlen))
    h.__metadata__.layout = "{"
    local t = json.encode(h)
    H.write_file(dir .. "/b.lnn", string.pack("<I8", #t) .. t .. s:sub(9 + hlen))
    err = H.error_matches(function() network.load(dir .. "/b.lnn") end, "load: " .. dir .. "/b.lnn: metadata field 'layout': ")
    assert.falsy(err:find("%.lua:%d+:"), err)
    -- the page cannot be written (its name is a folder): the message names it, no position
    os.execute(("mkdir -p '%s/rep/index.html'"):format(dir))
    local out, status = H.sh(("bin/lnn report --results '%s/none' --out '%s/rep'"):format(dir, dir))
    assert.are.equal(1, status, out)
    assert.truthy(out:find("lnn report: write_file: " .. dir .. "/rep/index.html", 1, true), out)
    assert.falsy(out:find("%.lua:%d+:"), out)
  end)

  it("lnn data import's failed write names the data file, not its staging name", function()
    os.execute("mkdir -p '" .. dir .. "/src'")
    core.write_idx(dir .. "/src/" .. F.train_images .. ".gz", 2051, {10005, 28, 28}, string.rep("\0", 10005 * 784), 1)
    core.write_idx(dir .. "/src/" .. F.train_labels .. ".gz", 2049, {10005}, string.rep("\1", 10005), 1)
    core.write_idx(dir .. "/src/" .. F.test_images .. ".gz", 2051, {1, 28, 28}, string.rep("\0", 784), 1)
    core.write_idx(dir .. "/src/" .. F.test_labels .. ".gz", 2049, {1}, "\1", 1)
    -- the staging name of one file is taken by a folder that holds something
    local blocker = ("%s/to/.lnn-stage-%s.gz"):format(dir, F.test_images)
    os.execute(("mkdir -p '%s' && touch '%s/x'"):format(blocker, blocker))
    local out, status = H.sh(("bin/lnn data import '%s/src' --to '%s/to'"):format(dir, dir))
    assert.are.equal(1, status, out)
    assert.truthy(out:find(("%s/to/%s.gz"):format(dir, F.test_images), 1, true), out)
    assert.falsy(out:find(".lnn-stage-", 1, true), out)
  end)
end)
