-- Crash-safe checkpoints and bit-identical resume.  Children are killed with
-- SIGKILL at random moments: a saver that does nothing but save, and
-- scripts/train.lua saving a checkpoint and backups every epoch.  Each kill
-- comes a random time after an event the child reports (the saver's first
-- save; the run's first epoch, through the epoch driver's test hold), never a
-- fixed time after its start: on any machine it lands while the child saves.
-- After every kill the last checkpoint must load and be one whole save (never
-- a mix of two); a training run killed again and again and resumed each time
-- with --load must end with the very bytes of an uninterrupted run.
local core = require "lnn.core"
local network = require "lnn.network"
local H = require "helpers"

-- seeded from the clock on purpose (the moments must differ run to run), and
-- printed so a failure can be replayed
local SEED = tonumber(os.getenv("LNN_KILL_SEED") or "") or os.time()
local rng = core.Rng(SEED)
local function uniform(lo, hi) return lo + (hi - lo) * rng:uniform() end

local LUA = "lua5.4"

-- SIGKILLs job (H.background) a random time (up to most seconds) from now,
-- unless it ended already; waits for its end
local function kill_soon(job, most)
  os.execute(("sleep %.3f"):format(uniform(0, most)))
  os.execute(("kill -KILL %d 2>/dev/null"):format(job.pid))
  job:status()
end

local leftovers = H.leftovers

describe("checkpoints under kill -9 #slow #process", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("a saver killed at 40 random moments always leaves a whole, loadable checkpoint", function()
    -- every save writes parameters all equal to its epoch, so a checkpoint
    -- mixing two saves (or holding a torn one) is caught, not just one that fails to load
    H.write_file(dir .. "/saver.lua", ([[
      package.path = %q
      package.cpath = %q
      local network = require "lnn.network"
      local net = network.Network({784, 100, 10}, {seed = 1})
      local params = net._net:params()
      local k = 0
      while true do
        k = k + 1
        params:fill(k)
        net.epoch = k
        net:save(arg[1] .. "/ckpt")
        if k == 1 then print("saved") io.stdout:flush() end
      end
    ]]):format(package.path, package.cpath))
    local kills, loads, last = 40, 0, 0
    for i = 1, kills do
      local run = ("%s/run%d"):format(dir, i)
      os.execute("mkdir " .. run)
      local job = H.background(run, ("%s %s/saver.lua %s"):format(LUA, dir, dir))
      job:wait_until(function() return job:out():find("saved", 1, true) end, "the saver's first save")
      kill_soon(job, 0.3)
      if io.open(dir .. "/ckpt") then
        local ok, net = pcall(network.load, dir .. "/ckpt")
        assert(ok, ("kill %d (seed %d): the checkpoint does not load: %s"):format(i, SEED, tostring(net)))
        local p = net._net:params()
        local n = p:numel()
        assert(p:sum() == net.epoch * n and p:get(1, 1) == net.epoch and p:get(n, 1) == net.epoch,
          ("kill %d (seed %d): checkpoint of epoch %d holds other parameters"):format(i, SEED, net.epoch))
        assert(net.epoch >= 1)
        loads, last = loads + 1, net.epoch
      end
    end
    -- the kills must really have landed inside saves for this to mean anything:
    -- each one that did leaves its temporary file behind
    local torn = leftovers(dir)
    print(("\n  checkpoint kill loop: %d kills (seed %d), %d checkpoints loaded, %d kills inside a save"
      .. " (temporary files left), last epoch %d"):format(kills, SEED, loads, torn, last))
    assert.are.equal(kills, loads)
    assert.is_true(torn >= 1, "no kill landed inside a save")
  end)

  it("train.lua killed at random moments, resumed with --load each time, ends bit-identical to an uninterrupted run", function()
    local data = dir .. "/mnist"
    os.execute("mkdir -p " .. data)
    assert(os.execute(("%s scripts/mnist_subset.lua %s 13000 1000"):format(LUA, data)))
    local common = ("--data %s --train-size 3000 --sizes 784,100,10 --seed 5 --epochs 400 --quiet"):format(data)
    local out, status = H.run_train(("%s --save %s/straight"):format(common, dir))
    assert.are.equal(0, status, out)

    local ckpt, kills, resumed = dir .. "/ckpt", 12, 0
    local epochs = {}
    for i = 1, kills do
      local load = io.open(ckpt) and (" --load " .. ckpt) or ""
      if load ~= "" then resumed = resumed + 1 end
      -- held after this run's first epoch, let go, killed a moment later
      local run = ("%s/run%d"):format(dir, i)
      os.execute("mkdir " .. run)
      local hold = H.hold(run)
      local job = H.background(run, ("%s%s scripts/train.lua %s%s --save %s --backups %s/bk"):format(
        hold.env, LUA, common, load, ckpt, dir))
      hold:wait(job)
      hold:release()
      kill_soon(job, 0.5)
      for _, f in ipairs {ckpt, dir .. "/bk/latest"} do
        if io.open(f) then
          local ok, net = pcall(network.load, f)
          assert(ok, ("kill %d (seed %d): %s does not load: %s"):format(i, SEED, f, tostring(net)))
          if f == ckpt then epochs[#epochs + 1] = net.epoch end
        end
      end
    end
    out, status = H.run_train(("%s --load %s --save %s"):format(common, ckpt, ckpt))
    assert.are.equal(0, status, out)
    print(("\n  train.lua kill loop: %d kills (seed %d), %d resumed runs, checkpoint epochs after each kill: %s")
      :format(kills, SEED, resumed, table.concat(epochs, " ")))
    assert.are.equal(H.read_file(dir .. "/straight"), H.read_file(ckpt))
  end)
end)

describe("resume #slow #process", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("--load from any epoch's backup, continued to N epochs, saves the bytes of a straight N-epoch run", function()
    local common = ("--data %s --train-size 3000 --sizes 784,30,10 --seed 11 --quiet"):format(data)
    local out, status = H.run_train(("%s --epochs 4 --save %s/straight --backups %s/bk --backup-every 1")
      :format(common, dir, dir))
    assert.are.equal(0, status, out)
    local straight = H.read_file(dir .. "/straight")
    assert.are.equal(straight, H.read_file(dir .. "/bk/latest"))
    assert.are.equal(straight, H.read_file(dir .. "/bk/epoch-4"))
    for _, from in ipairs {"initial", "epoch-1", "epoch-2", "epoch-3"} do
      out, status = H.run_train(("%s --epochs 4 --load %s/bk/%s --save %s/%s"):format(common, dir, from, dir, from))
      assert.are.equal(0, status, out)
      assert(H.read_file(dir .. "/" .. from) == straight, "resuming from " .. from .. " differs")
    end
    -- and through the API: the weights themselves, float for float
    local a, b = network.load(dir .. "/straight"), network.load(dir .. "/epoch-2")
    assert.are.equal(4, b.epoch)
    for l = 1, 2 do
      assert.are.equal(0, a.weights[l]:maxabsdiff(b.weights[l]))
      assert.are.equal(0, a.biases[l]:maxabsdiff(b.biases[l]))
    end
  end)
end)
