-- --resume of the commands that train more than one network or in rounds
-- (issue 20): a run killed with SIGKILL (no handler runs) and resumed ends
-- bit for bit where the run that was never stopped ends.  The run is held
-- after a known epoch (LNN_TEST_HOLD, lua/lnn/face.lua), let go and killed
-- at once, so the kill lands in the next epoch or just after it: whichever,
-- the last whole epoch's checkpoint is what the resumed run starts from.
local json = require "lnn.json"
local network = require "lnn.network"
local H = require "helpers"

local sh, q = H.sh, H.q

describe("--resume after kill -9 #slow #mnist #process", function()
  local dir, cleanup, job, data
  before_each(function()
    dir, cleanup = H.tmpdir()
    data = H.mnist_subset(dir)
  end)
  after_each(function()
    if job then job:kill() end
    job = nil
    cleanup()
  end)

  -- held after the process's `from`-th epoch (the network then has `epoch`), let go and killed with SIGKILL at once
  local function kill_after(cmd, from, epoch)
    local run = dir .. "/killed"
    os.execute("mkdir -p " .. q(run))
    local hold = H.hold(run, from)
    job = H.background(run, hold.env .. cmd)
    assert.are.equal(epoch, hold:wait(job))
    hold:release()
    os.execute("kill -KILL " .. job.pid)
    local status, out = job:status()
    assert.are.equal(137, status, out)
    return out
  end

  it("lnn bootstrap-training: resumed from its checkpoint, the network and the lines are the uninterrupted run's", function()
    local args = ("lua5.4 bin/lnn bootstrap-training --data %s --train-size 2000 --per-round 2 --max-rounds 3 --save %%s")
      :format(q(data))
    local whole, status = sh(args:format(q(dir .. "/whole")))
    assert.are.equal(0, status, whole)
    -- killed in round 2 (held after epoch 3: one of its two epochs done)
    kill_after(args:format(q(dir .. "/b")), 3, 3)
    local ckpt = dir .. "/b.checkpoint"
    assert.truthy(io.open(ckpt), "no checkpoint after kill -9")
    -- without --resume the checkpoint is not overwritten: the run is refused
    local out, st = sh(args:format(q(dir .. "/b")))
    assert.are.equal(2, st, out)
    assert.truthy(out:find(ckpt .. ": a checkpoint of a run that did not finish: --resume continues it", 1, true), out)
    -- another run's options are refused by name
    out, st = sh(args:format(q(dir .. "/b")) .. " --resume --eta 2")
    assert.are.equal(2, st, out)
    assert.truthy(out:find("--resume: the checkpoint " .. ckpt .. " was made with --eta 3, this run has 2", 1, true), out)
    out, st = sh(args:format(q(dir .. "/b")) .. " --resume")
    assert.are.equal(0, st, out)
    local n = tonumber(out:match("resuming from " .. ckpt:gsub("%p", "%%%0") .. " after (%d+) epochs"))
    assert.truthy(n and n >= 3 and n <= 6, out)
    -- the same rounds, history and test accuracy, and the same network, byte for byte
    for _, pat in ipairs {"History [^\n]*", "Test accuracy[^\n]*", "Round 3:[^\n]*"} do
      assert.are.equal(whole:match(pat), out:match(pat), pat)
    end
    assert.are.equal(H.read_file(dir .. "/whole"), H.read_file(dir .. "/b"))
    assert.are.equal(6, network.load(dir .. "/b").epoch)
    assert.falsy(io.open(ckpt), "the checkpoint outlived the whole run")
    -- --resume without a checkpoint starts from the beginning; without --save it has nowhere to look
    out, st = sh(args:format(q(dir .. "/c")) .. " --resume")
    assert.are.equal(0, st, out)
    assert.are.equal(H.read_file(dir .. "/whole"), H.read_file(dir .. "/c"))
    out, st = sh(("lua5.4 bin/lnn bootstrap-training --data %s --resume"):format(q(data)))
    assert.are.equal(2, st, out)
    assert.truthy(out:find("--resume: expected with --save FILE (the checkpoint is FILE.checkpoint), got it alone", 1, true), out)
  end)

  it("lnn sweep: the points done are kept, the interrupted one resumes; the results are the uninterrupted sweep's", function()
    -- 6 points of 3 epochs, one after another
    local args = ("lua5.4 bin/lnn sweep --data %s --train-size 2000 --eta 0.5,1,3 --epochs 3 --sizes "
      .. "784,30,10:784,100,10 --out %%s"):format(q(data))
    local whole, status = sh(args:format(q(dir .. "/whole.json")))
    assert.are.equal(0, status, whole)
    -- killed in point 2 (held after its second epoch, the run's fifth)
    kill_after(args:format(q(dir .. "/s.json")), 5, 2)
    local ckpt = dir .. "/s.json.checkpoint"
    assert.truthy(io.open(ckpt), "no checkpoint after kill -9")
    local out, st = sh(args:format(q(dir .. "/s.json")))
    assert.are.equal(2, st, out)
    assert.truthy(out:find(ckpt .. ": a checkpoint of a run that did not finish: --resume continues it", 1, true), out)
    out, st = sh(args:format(q(dir .. "/s.json")) .. " --resume --epochs 4")
    assert.are.equal(2, st, out)
    assert.truthy(out:find("--resume: the checkpoint " .. ckpt .. " is of another sweep", 1, true), out)
    out, st = sh(args:format(q(dir .. "/s.json")) .. " --resume")
    assert.are.equal(0, st, out)
    local done, point, epochs = out:match("resuming from [^\n]-: (%d+) points? done, point (%d+) after (%d+) epochs?")
    assert.are.equal("1", done, out)
    assert.are.equal("2", point, out)
    assert.truthy(tonumber(epochs) >= 2, out)
    -- every point's figures as the uninterrupted sweep's; the table too but for the seconds
    local a, b = json.decode(H.read_file(dir .. "/whole.json")), json.decode(H.read_file(dir .. "/s.json"))
    assert.are.equal(6, #b.points)
    for i = 1, 6 do
      for _, k in ipairs {"final", "best", "total", "epochs", "eta", "lmbda"} do
        assert.are.equal(a.points[i][k], b.points[i][k], ("point %d: %s"):format(i, k))
      end
      assert.are.same(a.points[i].sizes, b.points[i].sizes)
    end
    local function table_of(text)
      local rows = {}
      for line in text:match("(sizes%s+eta.-)\nsweep:"):gmatch("[^\n]+") do
        rows[#rows + 1] = line:gsub("%s+[%d.]+%s+%d+$", "") -- without the seconds and the rank
      end
      return rows
    end
    local rows = table_of(whole)
    assert.are.equal(7, #rows)
    assert.are.same(rows, table_of(out))
    assert.falsy(io.open(ckpt), "the checkpoint outlived the whole sweep")
    -- a file of that name that is no sweep's checkpoint is refused, and left as it is
    H.write_file(ckpt, "not a checkpoint")
    out, st = sh(args:format(q(dir .. "/s.json")) .. " --resume")
    assert.are.equal(2, st, out)
    assert.truthy(out:find("--resume: " .. ckpt .. " is not a checkpoint of lnn sweep", 1, true), out)
    assert.are.equal("not a checkpoint", H.read_file(ckpt))
    -- points dealt over ranks keep no checkpoint: --resume with --mpi is a usage error, before any work
    out, st = sh("lua5.4 bin/lnn sweep --mpi --resume")
    assert.are.equal(2, st, out)
    assert.truthy(out:find("lnn sweep: --resume: expected without --mpi (a sweep over ranks does not resume)", 1, true), out)
  end)
end)
