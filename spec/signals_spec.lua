-- Ctrl-C and SIGTERM during training (scripts/train.lua): the run stops at
-- the next safe point -- after the current epoch's checkpoint and metrics are
-- both written -- says "interrupted after epoch N" and the command that
-- resumes, and exits 130 (SIGINT) or 143 (SIGTERM).  A second Ctrl-C stops at
-- once and still leaves the last whole checkpoint (no temporary file).
-- Resuming with --metrics keeps the earlier epochs' entries.
local core = require "lnn.core"
local json = require "lnn.json"
local network = require "lnn.network"
local H = require "helpers"

local sh = H.stdout

local function sleep(s) sh(("sleep %.2f"):format(s)) end

local function epochs_in(path)
  local f = io.open(path)
  if not f then return 0 end
  local ok, m = pcall(json.decode, f:read("a"))
  f:close()
  return ok and type(m) == "table" and #m.epochs or 0
end

describe("signals during scripts/train.lua", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup, job, pid
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function()
    if job then job:kill() end
    job, pid = nil, nil
    cleanup()
  end)

  -- starts train.lua in the background (H.background)
  local function start(args)
    job = H.background(dir, "lua5.4 scripts/train.lua " .. args)
    pid = job.pid
  end
  local function wait_until(cond, what, limit) return job:wait_until(cond, what, limit) end
  local function status() return job:status() end

  local function subset()
    local d = dir .. "/mnist"
    os.execute("mkdir -p " .. d)
    assert(os.execute(("lua5.4 scripts/mnist_subset.lua %s 22000 500 >/dev/null"):format(d)))
    return d
  end

  for _, case in ipairs {{"INT", 130}, {"TERM", 143}} do
    it(("SIG%s stops after the epoch's checkpoint and metrics, names the resume command, exits %d")
      :format(case[1], case[2]), function()
      local d = subset()
      start(("--data %s --train-size 2000 --sizes 784,30,10 --epochs 1000 --quiet --save %s/ckpt --metrics %s/m.json")
        :format(d, dir, dir))
      wait_until(function() return epochs_in(dir .. "/m.json") >= 2 end, "two epochs")
      os.execute(("kill -%s %d"):format(case[1], pid))
      local s, out = status()
      assert.are.equal(case[2], s, out)
      local n = tonumber(out:match("interrupted after epoch (%d+)"))
      assert(n, out)
      -- both files hold epoch n: the checkpoint and the metrics agree
      assert.are.equal(n, network.load(dir .. "/ckpt").epoch)
      assert.are.equal(n, epochs_in(dir .. "/m.json"))
      assert.falsy(out:find("traceback", 1, true), out)
      assert.falsy(out:find("interrupted!", 1, true), out)
      -- the command it prints resumes from the checkpoint, keeping the metrics
      local cmd = out:match("resume with: ([^\n]+)")
      assert(cmd, out)
      assert.truthy(cmd:find("--load " .. dir .. "/ckpt", 1, true), cmd)
      cmd = cmd:gsub("%-%-epochs 1000", "--epochs " .. (n + 1))
      local out2, s2 = H.run_train(cmd:gsub("^lua5.4 scripts/train.lua ", ""))
      assert.are.equal(0, s2, out2)
      assert.are.equal(n + 1, network.load(dir .. "/ckpt").epoch)
      local m = json.decode(H.read_file(dir .. "/m.json"))
      assert.are.equal(n + 1, #m.epochs)
      for e = 1, n + 1 do assert.are.equal(e, m.epochs[e].epoch) end
    end)
  end

  it("a second Ctrl-C stops at once, leaving the last whole checkpoint and no temporary file", function()
    local d = subset()
    -- epochs of several seconds, so "at once" differs from "after the epoch"
    start(("--data %s --train-size 12000 --sizes 784,300,10 --epochs 1000 --quiet --save %s/ckpt --metrics %s/m.json")
      :format(d, dir, dir))
    local first = wait_until(function() return epochs_in(dir .. "/m.json") >= 1 end, "one epoch")
    local t0 = core.clock()
    wait_until(function() return epochs_in(dir .. "/m.json") >= 2 end, "two epochs")
    local epoch_time = core.clock() - t0
    sleep(epoch_time / 4)
    os.execute("kill -INT " .. pid)
    sleep(0.1)
    local t1 = core.clock()
    os.execute("kill -INT " .. pid)
    local s, out = status()
    local took = core.clock() - t1
    assert.are.equal(130, s, out)
    assert(took < epoch_time / 2, ("took %.2f s to stop; an epoch takes %.2f s"):format(took, epoch_time))
    local net = network.load(dir .. "/ckpt")
    assert.is_true(net.epoch >= 2)
    local leftovers = sh(("ls -A %s | grep -c '[.]tmp[.]' || true"):format(dir))
    assert.are.equal("0", leftovers:match("%d+"), sh("ls -A " .. dir))
    print(("\n  second Ctrl-C: stopped %.2f s after it (an epoch: %.2f s, first epoch after %.2f s)")
      :format(took, epoch_time, first))
  end)

  it("resuming with --metrics keeps the earlier epochs' entries", function()
    local d = subset()
    local common = ("--data %s --train-size 1000 --sizes 784,30,10 --quiet --save %s/ckpt --metrics %s/m.json")
      :format(d, dir, dir)
    local out, s = H.run_train(common .. " --epochs 2")
    assert.are.equal(0, s, out)
    out, s = H.run_train(common .. " --epochs 4 --load " .. dir .. "/ckpt")
    assert.are.equal(0, s, out)
    local m = json.decode(H.read_file(dir .. "/m.json"))
    assert.are.equal(4, #m.epochs)
    for e = 1, 4 do assert.are.equal(e, m.epochs[e].epoch) end
  end)
end)
