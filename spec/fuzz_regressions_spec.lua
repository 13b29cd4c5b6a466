-- Inputs the fuzzers (csrc/fuzz, scripts/fuzz.sh) found or that guard a fix
-- made for them, kept in spec/fuzz-regressions/<target>/.  Each must be
-- rejected by the public Lua entry point with an error naming the function
-- and the file -- never a crash, an abort or a huge allocation.
local core = require "lnn.core"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local network3 = require "lnn.network3"
local H = require "helpers"

local ROOT = "spec/fuzz-regressions"

local function files(target)
  local p = io.popen(("ls -1 '%s/%s' 2>/dev/null"):format(ROOT, target))
  local t = {}
  for name in p:lines() do t[#t + 1] = ROOT .. "/" .. target .. "/" .. name end
  p:close()
  return t
end

-- how each target's bytes reach a user
local entry = {
  idx = {"load_idx", function(path) return core.load_idx(path, path) end},
  idx_gz = {"load_idx", function(path) return core.load_idx(path, path) end},
  json = {"json_decode", function(path) return core.json_decode(H.read_file(path), path) end},
  png = {"read_png", function(path) return core.read_png(path) end},
  model = {"load", function(path) return network.load(path) end},
  network2 = {"load", function(path) return network2.load(path) end},
  network3 = {"load", function(path) return network3.load(path) end},
  -- fuzz_import's two networks: conv-* files are for the conv-pool one
  import = {"import", function(path)
    local net = path:match("/conv%-[^/]*$") and network3.Network({network3.ConvPoolLayer {image_shape = {1, 1, 6, 6},
      filter_shape = {2, 1, 3, 3}, poolsize = {2, 2}, activation_fn = network3.ReLU},
      network3.SoftmaxLayer {n_in = 8, n_out = 2}}, 1, {seed = 2}) or network.Network({3, 2, 2})
    return require("lnn.model").import(net, path)
  end},
}

describe("fuzz regressions", function()
  for target, e in pairs(entry) do
    for _, path in ipairs(files(target)) do
      it(target .. ": " .. path:match("[^/]+$") .. " is a clean error", function()
        local ok, err = pcall(e[2], path)
        assert.is_false(ok, path .. " was accepted")
        assert.are.equal("string", type(err))
        assert.truthy(err:find(e[1], 1, true), err)
        assert.truthy(err:find(path, 1, true), err)
      end)
    end
  end

  it("a model file whose layout claims 13 GB is refused before allocating", function()
    H.error_matches(function() network.load(ROOT .. "/model/layout-claims-13GB.lnn") end,
      "data block holds 1 floats, but the layout needs 3355443400")
  end)

  -- (the fix also stops that hint's f:read(n) allocating the claimed 64 MiB
  -- first; Lua frees that buffer before returning, so no spec can see it:
  -- fuzz_model's speed does)
  it("a model file claiming a 64 MiB header in 41 bytes: the error's hint does not trust the header", function()
    local path = ROOT .. "/model/header-claims-64MiB.lnn"
    local ok, err = pcall(network.load, path)
    assert.is_false(ok)
    assert.truthy(err:find("not a model file (header length 67108864 of a 41-byte file)", 1, true), err)
    -- the truncated header is not "an lnn model saved by lnn.network"
    assert.falsy(err:find("it is", 1, true), err)
  end)

  it("a network2 file whose cost is a number too large for a float names the cost, not json.encode", function()
    H.error_matches(function() network2.load(ROOT .. "/network2/cost-infinite-number.json") end,
      "load: " .. ROOT .. "/network2/cost-infinite-number.json", "unknown cost")
  end)

  it("a PNG header claiming 768 MB of pixels in a 70-byte file is refused before allocating", function()
    H.error_matches(function() core.read_png(ROOT .. "/png/header-claims-768MB.png") end,
      "read_png", "truncated: a 16384x16384 image cannot fit in")
  end)

  it("an IDX header claiming more than the file holds is refused before allocating", function()
    H.error_matches(function() core.load_idx(ROOT .. "/idx/images-claim-16GB.raw", "x") end,
      "truncated: expected 17179869180 bytes of pixels, got 4")
    local dir, cleanup = H.tmpdir()
    H.write_file(dir .. "/img", string.pack(">I4I4I4I4", 2051, 1, 1, 1) .. "\0")
    H.error_matches(function() core.load_idx(dir .. "/img", ROOT .. "/idx/labels-claim-4GB.gz") end,
      "more than a 27-byte gzip file can hold")
    cleanup()
  end)
end)
