-- Bad flags and values end in a message and status 2, found before any
-- training (or data loading) starts: sizes and batches beyond lnn's limits
-- (reported by name), thread counts, and --save / --metrics / --backups
-- targets that cannot be written.  Checks live in lnn.cli, shared by every
-- command; the limits come from lnn.core (core.limits), documented in README.
local core = require "lnn.core"
local cli = require "lnn.cli"
local H = require "helpers"

describe("command-line limits and targets #slow #mnist #process", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("core.limits names the largest layer, mini-batch, layer count and thread count", function()
    assert.are.equal(1 << 24, core.limits.layer)
    assert.are.equal(1 << 20, core.limits.batch)
    assert.are.equal(32, core.limits.layers)
    assert.are.equal(256, core.limits.threads)
    assert.are.equal(16, core.limits.run_threads)
    assert.are.equal(256, core.limits.classes)
    assert.are.equal(4096, core.limits.conv)
    assert.are.equal(1024, core.limits.accumulate)
    -- and they are the engine's: one more is refused there too
    assert.has_error(function() core.Net {sizes = {2, core.limits.layer + 1}} end)
    assert.has_error(function() core.threads(core.limits.threads + 1) end)
    local readme = H.read_file("README.md")
    for _, s in ipairs {"largest layer", "largest mini-batch"} do
      assert.truthy(readme:find(s, 1, true), "README does not document the " .. s)
    end
  end)

  it("train.lua: values beyond the limits and unwritable targets are usage errors, before training", function()
    os.execute(("mkfifo '%s/fifo' && mkdir '%s/folder' && touch '%s/file'"):format(dir, dir, dir))
    for _, case in ipairs {
      {"--sizes 784,99999999,10", "option '--sizes'", "largest layer", "16777216"},
      {"--sizes " .. ("10,"):rep(40) .. "10", "option '--sizes'", "at most 32 layers"},
      {"--sizes 784,3000000,10", "option '--sizes'", "largest network", "1073741824"},
      {"--threads 1000", "option '--threads'", "1 to 256"},
      {"--batch 100000000", "option '--batch'", "largest mini-batch", "1048576"},
      -- a missing folder is made (issue 22); a file on the way is the error
      {"--save " .. dir .. "/file/ckpt", "option '--save'", dir .. "/file", "Not a directory"},
      {"--save " .. dir .. "/fifo", "option '--save'", "is a fifo, not a regular file"},
      {"--save " .. dir .. "/folder", "option '--save'", "is a directory, not a regular file"},
      {"--metrics " .. dir .. "/file/m.json", "option '--metrics'", "Not a directory"},
      {"--metrics " .. dir .. "/fifo", "option '--metrics'", "is a fifo"},
      {"--backups " .. dir .. "/file/bk", "option '--backups'", dir .. "/file", "is not a folder"},
      {"--backups " .. dir .. "/file", "option '--backups'", "is not a folder"},
      {"--backups /proc/1/bk", "option '--backups'", "cannot be written"},
      -- a learning rate the engine's float32 turns into 0 or infinity (random_calls_spec found 1e-50)
      {"--eta 1e-50", "option '--eta'", "a positive number a float32 holds"},
      {"--eta 1e50", "option '--eta'", "a positive number a float32 holds"},
    } do
      -- --data names a folder without MNIST: a check that ran after loading would say so instead
      local out, status = H.run_train(case[1] .. " --epochs 1 --data " .. dir .. "/nodata")
      assert.are.equal(2, status, case[1] .. ": " .. out)
      for k = 2, #case do assert.truthy(out:find(case[k], 1, true), case[1] .. ": " .. out) end
      assert.falsy(out:find("traceback", 1, true), out)
      assert.falsy(out:find("train_epoch", 1, true), out)
      -- the value is named where it is wrong and once more ("got '...'"), not thrice
      local value = case[1]:match("^%-%-%S+ (%S+)$")
      local _, times = out:gsub(value:gsub("%p", "%%%0"), "")
      assert(times <= 2, out)
    end
    -- nothing was created by the checks
    assert.is_nil(io.open(dir .. "/no"))
    -- and a good run with targets that exist only after their folder is made still works
    local out, status = H.run_train(("--data %s --train-size 100 --epochs 1 --quiet --backups %s/new/bk --save %s/ckpt")
      :format(data, dir, dir))
    assert.are.equal(0, status, out)
  end)

  it("the checks are lnn.cli's, for every command's flags", function()
    assert.is_function(cli.writable_file)
    assert.is_function(cli.writable_folder)
    assert.is_function(cli.layer_sizes)
    assert.is_function(cli.batch)
    assert.is_function(cli.threads)
    assert.is_nil(cli.writable_file(dir .. "/new"))
    assert.is_nil(cli.writable_file(dir .. "/no/new")) -- parse makes the folder
    H.write_file(dir .. "/f", "")
    assert.truthy(cli.writable_file(dir .. "/f/new"):find("Not a directory", 1, true))
    assert.is_nil(cli.writable_folder(dir .. "/a/b/c"))
    assert.is_nil(cli.batch(10))
    assert.truthy(cli.batch(core.limits.batch + 1):find("largest mini-batch", 1, true))
    assert.is_nil(cli.layer_sizes {784, 30, 10})
  end)
end)
