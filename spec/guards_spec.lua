-- guards_spec.lua: guards the rest of the suite left unchecked, found by the
-- mutation harness (scripts/mutate.lua, scripts/mutations.lua names the
-- mutation each spec here kills).  Each spec fails when its guard is broken.
local core = require "lnn.core"
local H = require "helpers"

local ROOT = H.ROOT

local q = H.q

describe("a save whose rename fails (fileio-rename-error-ignored) #process", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("is an error naming the file; the old file stays and no temporary file is left", function()
    -- a stand-in rename(2), preloaded, fails for targets named *victim*
    H.write_file(dir .. "/shim.c", [[
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
int rename(const char *from, const char *to) {
  int (*real)(const char *, const char *);
  if (strstr(to, "victim") != NULL) { errno = EIO; return -1; }
  real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
  return real(from, to);
}
]])
    -- (without the sanitized run's preload: the compiler's leaks are not lnn's)
    local out, status = H.sh(("env -u LD_PRELOAD cc -shared -fPIC -o %s/shim.so %s/shim.c -ldl"):format(q(dir), q(dir)))
    assert.are.equal(0, status, out)
    H.write_file(dir .. "/victim", "old")
    H.write_file(dir .. "/other", "old")
    local script = ([[
local core = require "lnn.core"
assert(core.write_file(%q, "new") ~= false)
local ok, err = pcall(core.write_file, %q, "new")
print(ok, err)]]):format(dir .. "/other", dir .. "/victim")
    H.write_file(dir .. "/save.lua", script)
    -- the shim after any preload already there (the sanitized run's ASan runtime), and that run's build
    local preload = ((os.getenv("LD_PRELOAD") or "") .. " " .. dir .. "/shim.so"):gsub("^ ", "")
    out, status = H.sh(("cd %s && LD_PRELOAD=%s LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH=%s lua5.4 %s/save.lua")
      :format(q(ROOT), q(preload), q((os.getenv("LNN_BUILD_DIR") or "build") .. "/?.so;;"), q(dir)))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("^false\t"), out)
    assert.truthy(out:find(dir .. "/victim: cannot rename temporary file into place: Input/output error", 1, true), out)
    assert.are.equal("new", H.read_file(dir .. "/other")) -- the shim lets other renames through
    assert.are.equal("old", H.read_file(dir .. "/victim"))
    assert.are.equal("other\nsave.lua\nshim.c\nshim.so\nvictim\n", H.stdout(("ls -A %s"):format(q(dir))))
  end)
end)

describe("bounds the bindings check (badinput covers the other side of each)", function()
  it("reshape to fewer elements is refused (matrix-reshape)", function()
    local M = core.Matrix(3, 2)
    H.error_matches(function() return M:reshape(2, 2) end, "bad argument #2 to 'reshape'", "cannot reshape 3x2 to 2x2")
  end)

  it("slice and matrices past the last item are refused (data-slice-first, data-slice-last, data-matrices-last)", function()
    local D = core.Data({{1}, {2}}, {0, 1}, 2)
    H.error_matches(function() return D:slice(3) end, "bad argument #1 to 'slice'", "first 3 out of range 1..2")
    H.error_matches(function() return D:slice(1, 3) end, "bad argument #2 to 'slice'", "last 3 out of range 1..2")
    H.error_matches(function() return D:matrices(1, 3) end, "bad argument #2 to 'matrices'", "last item 1..2 expected, got 3")
    H.error_matches(function() return D:matrices(3, 3) end, "bad argument #1 to 'matrices'", "first item 1..2 expected, got 3")
  end)

  it("load_idx takes 1 to 256 classes (data-classes) #slow #mnist", function()
    local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
    H.error_matches(function()
      return core.load_idx(data .. "/t10k-images-idx3-ubyte.gz", data .. "/t10k-labels-idx1-ubyte.gz", 257)
    end, "bad argument #3 to 'load_idx'", "classes must be 1 to 256")
  end)

  it("load_idx refuses a labels file as images and the reverse, by magic (idx-magic) #slow #mnist", function()
    local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
    local images, labels = data .. "/t10k-images-idx3-ubyte.gz", data .. "/t10k-labels-idx1-ubyte.gz"
    H.error_matches(function() return core.load_idx(labels, labels) end, "load_idx: " .. labels .. ": bad magic 2049 (expected 2051)")
    H.error_matches(function() return core.load_idx(images, images) end, "load_idx: " .. images .. ": bad magic 2051 (expected 2049)")
  end)

  it("write_idx refuses more bytes than the dimensions hold (io-idx-bytes)", function()
    local dir, cleanup = H.tmpdir()
    H.error_matches(function() return core.write_idx(dir .. "/i", 2049, {2}, "abc") end,
      "bad argument #4 to 'write_idx'", "2 bytes expected, got 3")
    assert.is_nil(io.open(dir .. "/i"))
    cleanup()
  end)
end)

describe("files that are not what they say", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("a regular file that reads shorter than its size is an error, not zeros (fileio-read-truncated)", function()
    -- sysfs files are regular files of 4096 bytes that read much less: a
    -- file shrinking under a reader, without the race
    local path
    for _, p in ipairs {"/sys/kernel/mm/transparent_hugepage/enabled", "/sys/power/state", "/sys/kernel/profiling"} do
      if H.stdout(("stat -c %%F:%%s %s 2>/dev/null"):format(p)) == "regular file:4096\n" then path = p break end
    end
    if not path then pending("no sysfs file of 4096 bytes here") return end
    H.error_matches(function() return core.read_file(path) end, "read_file: " .. path .. ": truncated: expected 4096 bytes at byte 0, got")
  end)

  it("a PNG whose IHDR crc is wrong is refused (png-ihdr-crc)", function()
    core.write_png(dir .. "/a.png", "abcd", 2, 2)
    local s = H.read_file(dir .. "/a.png")
    assert.are.equal("IHDR", s:sub(13, 16))
    -- the crc follows the 13 bytes of IHDR's data: bytes 30..33
    H.write_file(dir .. "/a.png", s:sub(1, 29) .. string.char(s:byte(30) ~ 1) .. s:sub(31))
    H.error_matches(function() return core.read_png(dir .. "/a.png") end, dir .. "/a.png: bad crc in IHDR chunk")
  end)

  -- a saved network's file with its first tensor's data_offsets replaced by f(offsets, count, block bytes)
  local function retarget(f)
    local json = require "lnn.json"
    local network = require "lnn.network"
    local net = network.Network({3, 2}, {seed = 1})
    local path = dir .. "/net.lnn"
    net:save(path)
    local s = H.read_file(path)
    local hlen = string.unpack("<I8", s)
    local header, block = json.decode(s:sub(9, 8 + hlen)), s:sub(9 + hlen)
    local t = header["layers.1.weight"]
    t.data_offsets = f(t.data_offsets, 6, #block)
    local text = json.encode(header)
    H.write_file(path, string.pack("<I8", #text) .. text .. block)
    return function() return network.load(path) end, path
  end

  it("a model tensor whose offsets disagree with its shape is refused (model-data-offsets)", function()
    local load, path = retarget(function(off) return {off[1], off[1] + 4} end)
    H.error_matches(load, path, "layers.1.weight: data_offsets [0, 4] span 4 bytes, but its shape [2,3] needs 24")
    load, path = retarget(function(off, count) return {off[1] + 2, off[1] + 2 + 4 * count} end)
    H.error_matches(load, path, "layers.1.weight")
  end)

  it("a model tensor moved towards the end of the data block is refused (model-truncated)", function()
    local load, path = retarget(function(_, count, nbytes) return {nbytes - 4 * count + 4, nbytes + 4} end)
    H.error_matches(load, path, "tensor layers.1.weight starts at 12")
  end)
end)

describe("on_saturation = 'warn' (saturation-warn-nonfinite)", function()
  it("still stops at a weight that became NaN", function()
    local network = require "lnn.network"
    local net = network.Network({6, 4, 3}, {seed = 2})
    net.weights[1][2][3] = 0 / 0
    H.error_matches(function()
      net:SGD(H.get_dummy_training_data(6, 3, 20), 1, 5, 1.0, nil, {quiet = true, on_saturation = "warn"})
    end, "SGD: training diverged in epoch 0: a weight became NaN or infinite")
  end)
end)

describe("resume state", function()
  it("a saved and loaded network trains on as the uninterrupted one, bit for bit (resume-rng-saved)", function()
    local network = require "lnn.network"
    local dir, cleanup = H.tmpdir()
    local data = H.get_dummy_training_data(6, 3, 40)
    local whole = network.Network({6, 4, 3}, {seed = 5})
    whole:SGD(data, 2, 5, 1.0, nil, {quiet = true})
    local first = network.Network({6, 4, 3}, {seed = 5})
    first:SGD(data, 1, 5, 1.0, nil, {quiet = true})
    first:save(dir .. "/net")
    local back = network.load(dir .. "/net")
    cleanup()
    back:SGD(data, 1, 5, 1.0, nil, {quiet = true})
    assert.are.equal(2, back.epoch)
    for l = 1, 2 do
      assert.are.equal(0, whole.weights[l]:maxabsdiff(back.weights[l]), "weights " .. l)
      assert.are.equal(0, whole.biases[l]:maxabsdiff(back.biases[l]), "biases " .. l)
    end
  end)
end)

describe("flag limits", function()
  it("--batch 0 is a usage error, before any data is loaded (cli-batch-positive)", function()
    local out, status = H.run_train("--batch 0 --data /nonexistent")
    assert.are.equal(2, status, out)
    assert.truthy(out:find("scripts/train.lua: option '--batch': must be positive, got '0'", 1, true), out)
  end)
end)

describe("catch_signals(false) (signal-restore)", function()
  -- a process that catches SIGTERM, maybe lets go, then is sent SIGTERM by its own child shell
  local function run(let_go)
    local script = ("package.cpath = %q; local core = require 'lnn.core'; core.catch_signals(true); %s "
      .. "os.execute('kill -TERM $PPID'); print('still here', core.interrupted())")
      :format((os.getenv("LNN_BUILD_DIR") or "build") .. "/?.so", let_go and "core.catch_signals(false);" or "")
    -- its status echoed by the shell that waits for it, whose "Terminated" then stays in the output
    local out = H.sh("lua5.4 -e " .. q(script) .. "; echo status=$?")
    return out, tonumber(out:match("status=(%d+)"))
  end

  it("puts SIGTERM's previous action back: it ends the process again", function()
    local out, status = run(false)
    assert.are.equal(0, status, out)
    assert.truthy(out:find("still here\tSIGTERM\t15", 1, true), out)
    out, status = run(true)
    assert.are.equal(143, status, out)
    assert.falsy(out:find("still here", 1, true), out)
  end)
end)
