-- A data folder is updated all or nothing (issue 24): `lnn data import` and
-- `lnn expand` stage their files, write the folder's manifest, then rename
-- the files in, and readers trust only what the manifest names.  Each update
-- is interrupted before each of its file steps (a write or a rename: the
-- process ends there, as a kill would) and the folder must then read as the
-- old data set, the new one, or be refused with a message -- never files of
-- two data sets as one.  An expanded set made from other training files is
-- refused.
local core = require "lnn.core"
local loader = require "lnn.mnist_loader"
local H = require "helpers"

local F = loader.FILES

-- a small data set: ntrain training images (ntrain > 10,000), ntest test
-- images, every pixel and label from seed
local function fake_set(dir, ntrain, ntest, seed, gz)
  local rng = core.Rng(seed)
  local function bytes(n, mod)
    local t = {}
    for i = 1, n do t[i] = string.char(rng:random(mod) - 1) end
    return table.concat(t)
  end
  local ext = gz and ".gz" or ""
  os.execute("mkdir -p '" .. dir .. "'")
  -- only the first 20 training images carry pixels (the rest are blank): fast to write
  core.write_idx(dir .. "/" .. F.train_images .. ext, 2051, {ntrain, 28, 28},
    bytes(20 * 784, 256) .. string.rep("\0", (ntrain - 20) * 784), gz and 1 or 0)
  core.write_idx(dir .. "/" .. F.train_labels .. ext, 2049, {ntrain}, bytes(ntrain, 10), gz and 1 or 0)
  core.write_idx(dir .. "/" .. F.test_images .. ext, 2051, {ntest, 28, 28}, bytes(ntest * 784, 256), gz and 1 or 0)
  core.write_idx(dir .. "/" .. F.test_labels .. ext, 2049, {ntest}, bytes(ntest, 10), gz and 1 or 0)
end

-- runs bin/lnn ARGS in a Lua whose core.write_file and os.rename end the
-- process (status 137, nothing flushed or closed) at their stop-th call
-- together; stop = 0 runs it whole.  Returns the output and the status.
local WRAP = [[
local core = require "lnn.core"
local n, stop = 0, tonumber(os.getenv("LNN_SPEC_STOP"))
local function step(f) return function(...)
  n = n + 1
  if n == stop then
    if os.getenv("LNN_SPEC_FAIL") then error("write failed: No space left on device", 0) end
    os.exit(137, false)
  end
  return f(...)
end end
core.write_file = step(core.write_file)
os.rename = step(os.rename)
]]
local wrap_file = os.tmpname()
H.write_file(wrap_file, WRAP)

local function lnn_stopped(stop, args, fail)
  return H.sh(("%sLNN_SPEC_STOP=%d LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' "
    .. "lua5.4 -e 'dofile(%q)' bin/lnn %s"):format(fail and "LNN_SPEC_FAIL=1 " or "", stop, wrap_file, args))
end

-- what a folder reads as: "A", "B" (by its counts and labels) or the loader's refusal
local function reads_as(dir, sets)
  local ok, tr, va, te = pcall(loader.load_data, dir)
  if not ok then return nil, tostring(tr) end
  local seen = {#tr + #va, #te, va:label(#va), te:label(1)}
  for name, s in pairs(sets) do
    if seen[1] == s[1] and seen[2] == s[2] and seen[3] == s[3] and seen[4] == s[4] then return name end
  end
  return "a mixture: " .. table.concat(seen, ",")
end

local function signature(dir)
  local tr, va, te = loader.load_data(dir)
  return {#tr + #va, #te, va:label(#va), te:label(1)}
end

describe("data folders are updated all or nothing #slow #mnist #process", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)
  teardown(function() os.remove(wrap_file) end)

  it("a second lnn data import, interrupted before each of its steps, never reads as a mixture", function()
    fake_set(dir .. "/a", 10005, 1, 1, true)
    fake_set(dir .. "/b", 10010, 2, 2, false) -- the other spelling (raw) too
    local sets = {A = signature(dir .. "/a"), B = signature(dir .. "/b")}
    local last
    for stop = 1, 40 do
      local target = ("%s/t%d"):format(dir, stop)
      local out, status = lnn_stopped(0, ("data import %s/a --to %s"):format(dir, target))
      assert.are.equal(0, status, out)
      assert.are.equal("A", reads_as(target, sets))
      out, status = lnn_stopped(stop, ("data import %s/b --to %s"):format(dir, target))
      local got, err = reads_as(target, sets)
      if status == 0 then
        assert.are.equal("B", got, out)
        last = stop
        break
      end
      assert.are.equal(137, status, out)
      assert.truthy(got == "A" or got == "B" or (got == nil and err:find("lnn-manifest.json", 1, true)),
        ("stopped at step %d, the folder reads as %s"):format(stop, tostring(got or err)))
      if got == nil then
        -- lnn data says the folder is incomplete, and the import run again mends it
        local o2 = H.sh(("LNN_DATA='%s' bin/lnn data"):format(target))
        assert.truthy(o2:find("(incomplete: ", 1, true), o2)
        out, status = lnn_stopped(0, ("data import %s/b --to %s"):format(dir, target))
        assert.are.equal(0, status, out)
        assert.are.equal("B", reads_as(target, sets))
      end
      -- what the stopped run staged is gone once an import ran to its end
      out, status = lnn_stopped(0, ("data import %s/b --to %s"):format(dir, target))
      assert.are.equal(0, status, out)
      assert.are.equal("", H.stdout(("ls -A '%s' | grep '^\\.lnn-stage' || true"):format(target)))
    end
    assert.truthy(last and last > 4, "the import never finished, or had fewer steps than files")
  end)

  it("a second lnn data import whose write or rename fails at each step leaves the old set and no staged file", function()
    fake_set(dir .. "/a", 10005, 1, 1, true)
    fake_set(dir .. "/b", 10010, 2, 2, true)
    local sets = {A = signature(dir .. "/a"), B = signature(dir .. "/b")}
    local target = dir .. "/t"
    local out, status = lnn_stopped(0, ("data import %s/a --to %s"):format(dir, target))
    assert.are.equal(0, status, out)
    for stop = 1, 40 do
      out, status = lnn_stopped(stop, ("data import %s/b --to %s"):format(dir, target), true)
      if status == 0 then break end
      assert.are.equal(1, status, out)
      assert.truthy(out:find("lnn data: ", 1, true), out)
      local got, err = reads_as(target, sets)
      assert.truthy(got == "A" or (got == nil and err:find("lnn-manifest.json", 1, true)), tostring(got or err))
      assert.are.equal("", H.stdout(("ls -A '%s' | grep '^\\.lnn-stage' || true"):format(target)),
        ("step %d left staged files"):format(stop))
      out, status = lnn_stopped(0, ("data import %s/a --to %s"):format(dir, target))
      assert.are.equal(0, status, out)
    end
  end)

  it("lnn expand, interrupted before each step, leaves the old expanded set, the new one or a refusal", function()
    fake_set(dir .. "/src", 10005, 1, 3, true)
    local d = dir .. "/d"
    local out, status = lnn_stopped(0, ("data import %s/src --to %s"):format(dir, d))
    assert.are.equal(0, status, out)
    local function expanded_labels()
      local ok, tr = pcall(loader.load_data, d, {expanded = true})
      if not ok then return nil, tostring(tr) end
      local t = {}
      for i = 1, #tr do t[i] = tr:label(i) .. ":" .. tr:pixels(i):byte(400) end
      return table.concat(t, " ")
    end
    out, status = lnn_stopped(0, ("expand --quiet --data %s --seed 1"):format(d))
    assert.are.equal(0, status, out)
    local one = assert(expanded_labels())
    out, status = lnn_stopped(0, ("expand --quiet --force --data %s --seed 2"):format(d))
    assert.are.equal(0, status, out)
    local two = assert(expanded_labels())
    assert.are_not.equal(one, two)
    local finished
    for stop = 1, 10 do
      out, status = lnn_stopped(0, ("expand --quiet --force --data %s --seed 1"):format(d))
      assert.are.equal(0, status, out)
      out, status = lnn_stopped(stop, ("expand --quiet --force --data %s --seed 2"):format(d))
      local got, err = expanded_labels()
      if status == 0 then finished = stop assert.are.equal(two, got) break end
      assert.are.equal(137, status, out)
      assert.truthy(got == one or got == two or (got == nil and err:find("expand", 1, true)),
        ("stopped at step %d: %s"):format(stop, got == nil and err or "a pair of two expansions"))
    end
    assert.truthy(finished and finished > 2, "expand never finished, or had fewer steps than files")
  end)

  it("an expanded set made from other training files is refused, and lnn expand makes it again", function()
    fake_set(dir .. "/a", 10005, 1, 1, true)
    fake_set(dir .. "/b", 10005, 1, 2, true) -- the same counts, other pixels and labels
    local d = dir .. "/d"
    local out, status = lnn_stopped(0, ("data import %s/a --to %s"):format(dir, d))
    assert.are.equal(0, status, out)
    out, status = lnn_stopped(0, ("expand --quiet --data %s"):format(d))
    assert.are.equal(0, status, out)
    assert.truthy(pcall(loader.load_data, d, {expanded = true}))
    out, status = lnn_stopped(0, ("data import %s/b --to %s"):format(dir, d))
    assert.are.equal(0, status, out)
    H.error_matches(function() loader.load_data(d, {expanded = true}) end,
      "the expanded set was made from other training files", "lnn expand --force")
    out = H.sh(("LNN_DATA='%s' bin/lnn data"):format(d))
    assert.truthy(out:find("expanded set: refused", 1, true), out)
    -- without --force, expand sees the pair is not these files' and writes it again
    out, status = lnn_stopped(0, ("expand --quiet --data %s"):format(d))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("writing it again", 1, true), out)
    local tr = loader.load_data(d, {expanded = true})
    local base = loader.load_data(d)
    assert.are.equal(5 * #base, #tr)
    -- a training file changed by hand: the folder is refused, naming the file and the manifest
    core.write_idx(d .. "/" .. F.train_labels .. ".gz", 2049, {10005}, string.rep("\1", 10005), 1)
    H.error_matches(function() loader.load_data(d) end, F.train_labels .. ".gz is not the file its manifest",
      loader.MANIFEST)
  end)
end)
