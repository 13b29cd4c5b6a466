-- Ctrl-C and SIGTERM during training (scripts/train.lua): the run stops at
-- the next safe point -- after the current epoch's checkpoint and metrics are
-- both written -- says "interrupted after epoch N" and the command that
-- resumes, and exits 130 (SIGINT) or 143 (SIGTERM).  A second Ctrl-C stops at
-- once and still leaves the last whole checkpoint (no temporary file).
-- Resuming with --metrics keeps the earlier epochs' entries.  The signals
-- come while the run is held between two epochs (H.hold, the epoch driver's
-- test hold), never after a delay: the run is still going on any machine.
local json = require "lnn.json"
local network = require "lnn.network"
local H = require "helpers"

local sh = H.stdout

-- whether the signal sig (a number) is pending for process pid: sent, not yet
-- delivered to it (/proc/PID/status, ShdPnd: a mask of signals, bit sig - 1)
local function pending(pid, sig)
  local f = io.open(("/proc/%d/status"):format(pid))
  if not f then return false end
  local mask = f:read("a"):match("ShdPnd:%s*(%x+)")
  f:close()
  return mask ~= nil and tonumber(mask:sub(-8), 16) & (1 << (sig - 1)) ~= 0
end

local epochs_in = H.epochs_in

describe("signals during scripts/train.lua #slow #process", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup, job, pid, hold
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function()
    if job then job:kill() end
    job, pid, hold = nil, nil, nil
    cleanup()
  end)

  -- starts train.lua in the background (H.background), held after its first
  -- epoch; returns that epoch once it is held there
  local function start(args)
    hold = H.hold(dir)
    job = H.background(dir, hold.env .. "lua5.4 scripts/train.lua " .. args)
    pid = job.pid
    return hold:wait(job)
  end
  local function status() return job:status() end

  local function subset() return H.mnist_subset(dir) end

  for _, case in ipairs {{"INT", 130}, {"TERM", 143}} do
    it(("SIG%s stops after the epoch's checkpoint and metrics, names the resume command, exits %d")
      :format(case[1], case[2]), function()
      local d = subset()
      local held = start(("--data %s --train-size 2000 --sizes 784,30,10 --epochs 1000 --quiet --save %s/ckpt "
        .. "--metrics %s/m.json"):format(d, dir, dir))
      os.execute(("kill -%s %d"):format(case[1], pid))
      hold:release()
      local s, out = status()
      assert.are.equal(case[2], s, out)
      -- the epoch's number as printed (Epoch 0 is the first): held after n + 1 epochs
      local n = tonumber(out:match("interrupted after epoch (%d+)"))
      assert.are.equal(held - 1, n, out)
      -- both files hold epochs 0..n: the checkpoint and the metrics agree
      assert.are.equal(n + 1, network.load(dir .. "/ckpt").epoch)
      assert.are.equal(n + 1, epochs_in(dir .. "/m.json"))
      assert.falsy(out:find("traceback", 1, true), out)
      assert.falsy(out:find("interrupted!", 1, true), out)
      -- the command it prints resumes from the checkpoint, keeping the metrics
      local cmd = out:match("resume with: ([^\n]+)")
      assert(cmd, out)
      assert.truthy(cmd:find("--load " .. dir .. "/ckpt", 1, true), cmd)
      cmd = cmd:gsub("%-%-epochs 1000", "--epochs " .. (n + 2))
      local out2, s2 = H.run_train(cmd:gsub("^lua5.4 scripts/train.lua ", ""))
      assert.are.equal(0, s2, out2)
      assert.are.equal(n + 2, network.load(dir .. "/ckpt").epoch)
      local m = json.decode(H.read_file(dir .. "/m.json"))
      assert.are.equal(n + 2, #m.epochs)
      for e = 1, n + 2 do assert.are.equal(e - 1, m.epochs[e].epoch) end -- as printed: Epoch 0 first
    end)
  end

  it("a second Ctrl-C stops at once, leaving the last whole checkpoint and no temporary file", function()
    local d = subset()
    -- the run is held after an epoch and never let go: only a stop "at once"
    -- can end it (one that waited for the next epoch would wait for ever)
    local held = start(("--data %s --train-size 2000 --sizes 784,30,10 --epochs 1000 --quiet --save %s/ckpt "
      .. "--metrics %s/m.json"):format(d, dir, dir))
    os.execute("kill -INT " .. pid)
    -- the second only once the first has reached the process (two pending
    -- SIGINTs would be one)
    job:wait_until(function() return not pending(pid, 2) end, "the first SIGINT to be delivered")
    assert.is_false(job:ended(), "the first SIGINT ended the run: " .. job:out())
    os.execute("kill -INT " .. pid)
    local s, out = status()
    assert.are.equal(130, s, out)
    assert.falsy(out:find("interrupted after", 1, true), out)
    assert.are.equal(held, network.load(dir .. "/ckpt").epoch)
    assert.are.equal(held, epochs_in(dir .. "/m.json"))
    local leftovers = sh(("ls -A %s | grep -c '[.]tmp[.]' || true"):format(dir))
    assert.are.equal("0", leftovers:match("%d+"), sh("ls -A " .. dir))
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
    for e = 1, 4 do assert.are.equal(e - 1, m.epochs[e].epoch) end -- as printed: Epoch 0 .. Epoch 3
  end)

  -- what the specs above stand on
  describe("the epoch driver's test hold (LNN_TEST_HOLD, lua/lnn/face.lua)", function()
    it("holds a run after its Nth epoch, checkpoint written, until DIR/hold is removed; then it goes on", function()
      local hold = H.hold(dir, 2)
      job = H.background(dir, hold.env .. ("lua5.4 scripts/train.lua --data %s --train-size 500 --epochs 3 --quiet "
        .. "--save %s/ckpt --metrics %s/m.json"):format(data, dir, dir))
      assert.are.equal(2, hold:wait(job))
      assert.are.equal(2, network.load(dir .. "/ckpt").epoch)
      assert.are.equal(2, epochs_in(dir .. "/m.json"))
      assert.is_false(job:ended())
      hold:release()
      local s, out = job:status()
      assert.are.equal(0, s, out)
      assert.are.equal(3, network.load(dir .. "/ckpt").epoch)
    end)

    it("holds nothing without DIR/hold", function()
      local out, s = H.sh(("LNN_TEST_HOLD=%s lua5.4 scripts/train.lua --data %s --train-size 500 --epochs 2 --quiet")
        :format(dir, data))
      assert.are.equal(0, s, out)
      assert.are.equal("", H.stdout("ls -A " .. dir))
    end)
  end)
end)
