-- Every `lnn experiment` resumes (issue 20): a run killed with kill -9 in the
-- middle of an epoch, resumed with --resume, ends with the very parameters
-- and results of an uninterrupted run (times apart): a chapter 6 run, a
-- chapter 3 experiment of two runs (ch3_init) and the 6.8 ensemble, member by
-- member.  A checkpoint of another run is refused with --resume, an existing
-- one without it (--restart starts over), and runs that differ never share a
-- file.  The kills come while the run is held after a known epoch (H.hold, the
-- epoch driver's test hold) or a moment after it is let go, so what they
-- interrupt is known on any machine; the checkpoint is then checked to hold
-- the epoch before the kill.
local json = require "lnn.json"
local model = require "lnn.model"
local H = require "helpers"

local function decode(path) return json.decode(H.read_file(path)) end

-- a results file without what differs between two runs of the same run: times,
-- the machine and the command line (runinfo), and paths into its folder
local VARIES = {seconds = true, run = true, file = true, plot = true, plot_cost = true, plot_gradients = true,
                rank = true}
local function stable(t)
  if type(t) ~= "table" then return t end
  local o = {}
  for k, v in pairs(t) do if not VARIES[k] then o[k] = stable(v) end end
  return o
end

-- the epoch count a checkpoint holds
local function epoch_of(path)
  local _, md = model.load(path)
  return tonumber(md.epoch), md
end

describe("lnn experiment resumes #slow #process", function()
  assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup, job
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() if job then job:kill() end job = nil cleanup() end)

  local function lnn(args) return H.lnn(args) end

  -- starts `lnn ARGS` held after the process's from-th epoch; once held, kills
  -- it with SIGKILL (mid: a moment after letting it go, inside the next epoch)
  local function kill_after(args, from, mid)
    local run = dir .. "/killed"
    os.execute("mkdir -p " .. run)
    local hold = H.hold(run, from)
    job = H.background(run, hold.env .. "lua5.4 bin/lnn " .. args)
    local held = hold:wait(job)
    if mid then
      hold:release()
      os.execute("sleep 0.1")
    end
    os.execute("kill -KILL " .. job.pid)
    job:status()
    if not mid then hold:release() end
    return held
  end

  it("a chapter 6 run killed mid-epoch resumes to the parameters and results of an uninterrupted run", function()
    local d = H.mnist_subset(dir)
    local common = ("experiment ch6_4 --data %s --train-size 2000 --eval-size 100 --epochs 3 --quiet"):format(d)
    local out, status = lnn(("%s --out %s/a --save %s/a.lnn"):format(common, dir, dir))
    assert.are.equal(0, status, out)
    local id = "ch6_4.seed1.epochs3.train2000.eval100"
    assert.are.equal("", H.stdout(("ls -A %s/a | grep checkpoint || true"):format(dir))) -- removed at the end

    -- killed inside its second epoch: the checkpoint holds the first
    local b = ("%s --out %s/b --save %s/b.lnn"):format(common, dir, dir)
    assert.are.equal(1, kill_after(b, 1, true))
    local ckpt = ("%s/b/%s.checkpoint"):format(dir, id)
    assert.are.equal(1, epoch_of(ckpt), "the kill did not land inside epoch 2")
    assert.is_nil(io.open(dir .. "/b.lnn"))

    -- without --resume: refused before any work, naming the checkpoint, its epoch and both flags
    out, status = lnn(b)
    assert.are.equal(2, status, out)
    for _, s in ipairs {ckpt, "after epoch 1 of 3", "--resume continues it", "--restart starts over"} do
      assert.truthy(out:find(s, 1, true), out)
    end
    -- (on another thread count: the same bits whatever it is)
    out, status = lnn(b .. " --resume --threads 2")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("resuming " .. ckpt .. " after epoch 1 of 3", 1, true), out)
    assert.are.equal(H.read_file(dir .. "/a.lnn"), H.read_file(dir .. "/b.lnn"))
    assert.are.same(stable(decode(("%s/a/%s.json"):format(dir, id))), stable(decode(("%s/b/%s.json"):format(dir, id))))
    assert.is_nil(io.open(ckpt), "the checkpoint outlived the whole run")
  end)

  it("--restart discards the checkpoint and starts over; --resume without one says so and starts", function()
    local d = H.mnist_subset(dir)
    local common = ("experiment ch6_1 --data %s --train-size 500 --eval-size 100 --epochs 2 --quiet --out %s/o")
      :format(d, dir)
    local out, status = lnn(common .. " --save " .. dir .. "/a.lnn")
    assert.are.equal(0, status, out)
    kill_after(common .. " --save " .. dir .. "/b.lnn", 1, false)
    local ckpt = dir .. "/o/ch6_1.seed1.epochs2.train500.eval100.checkpoint"
    assert.are.equal(1, epoch_of(ckpt))
    out, status = lnn(common .. " --save " .. dir .. "/b.lnn --restart")
    assert.are.equal(0, status, out)
    assert.falsy(out:find("resuming", 1, true), out)
    assert.are.equal(H.read_file(dir .. "/a.lnn"), H.read_file(dir .. "/b.lnn"))
    assert.is_nil(io.open(ckpt))
    out, status = lnn(common .. " --save " .. dir .. "/c.lnn --resume")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("no checkpoint " .. ckpt .. ": starting from the beginning", 1, true), out)
    assert.are.equal(H.read_file(dir .. "/a.lnn"), H.read_file(dir .. "/c.lnn"))
    out, status = lnn(common .. " --resume --restart")
    assert.are.equal(2, status, out)
    assert.truthy(out:find("--resume and --restart contradict each other", 1, true), out)
  end)

  it("--resume refuses the checkpoint of another run, naming what differs", function()
    local d = H.mnist_subset(dir)
    local common = ("experiment ch6_1 --data %s --train-size 500 --eval-size 100 --epochs 2 --quiet --out %s/o")
      :format(d, dir)
    kill_after(common, 1, false)
    -- seed 1's checkpoint where seed 2's would be
    local mine = dir .. "/o/ch6_1.seed1.epochs2.train500.eval100.checkpoint"
    local other = dir .. "/o/ch6_1.seed2.epochs2.train500.eval100.checkpoint"
    assert(os.rename(mine, other))
    local out, status = lnn(common .. " --seed 2 --resume")
    assert.are.equal(2, status, out)
    assert.truthy(out:find("--resume: the checkpoint " .. other .. " is of another run (seed 1 there, 2 here)", 1,
      true), out)
    assert.truthy(H.read_file(other)) -- left as it was
  end)

  it("ch3_init (two runs) killed in its second run resumes to the results of an uninterrupted run", function()
    local d = H.mnist_subset(dir)
    local common = ("experiment ch3_init --data %s --train-size 1000 --epochs 3 --quiet"):format(d)
    local out, status = lnn(("%s --out %s/a"):format(common, dir))
    assert.are.equal(0, status, out)
    -- held after the 5th epoch of the process, the second of run 2, and killed
    -- there (an epoch of this small network is too short to land inside one)
    local b = ("%s --out %s/b"):format(common, dir)
    assert.are.equal(2, kill_after(b, 5, false))
    local id = "ch3_init.seed1.epochs3.train1000"
    local ckpt = ("%s/b/%s.checkpoint"):format(dir, id)
    local epoch, md = epoch_of(ckpt)
    assert.are.equal(2, epoch)
    assert.truthy(md.checkpoint:find("new initialisation", 1, true))
    out, status = lnn(b .. " --resume")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("after epoch 2 of 3 of run 'new initialisation'", 1, true), out)
    local ra, rb = decode(("%s/a/%s.json"):format(dir, id)), decode(("%s/b/%s.json"):format(dir, id))
    assert.are.equal(2, #rb.runs)
    assert.are.same(stable(ra), stable(rb))
    assert.is_nil(io.open(ckpt))
  end)

  it("the 6.8 ensemble killed in member 2 resumes: the same members and the same vote", function()
    local d = H.mnist_subset(dir)
    -- the ensemble trains on the expanded set: here the subset's own images stand in for it
    for _, k in ipairs {"images-idx3", "labels-idx1"} do
      os.execute(("ln -s train-%s-ubyte.gz %s/mnist-expanded-train-%s-ubyte.gz"):format(k, d, k))
    end
    local common = ("experiment ch6_8 --data %s --train-size 500 --eval-size 100 --epochs 2 --nets 3 --quiet")
      :format(d)
    local out, status = lnn(("%s --out %s/a --save-dir %s/ma"):format(common, dir, dir))
    assert.are.equal(0, status, out)
    -- held after the 3rd epoch of the process: member 2's first; killed inside its second
    local b = ("%s --out %s/b --save-dir %s/mb"):format(common, dir, dir)
    assert.are.equal(1, kill_after(b, 3, true))
    local id = "ch6_8.seed1.epochs2.train500.eval100.nets3"
    local ckpt = ("%s/b/%s.checkpoint"):format(dir, id)
    assert.are.equal(1, epoch_of(ckpt), "the kill did not land inside member 2's last epoch")
    assert.truthy(io.open(("%s/b/%s.members/member-1.lnn"):format(dir, id)), "member 1 was not kept whole")
    out, status = lnn(b .. " --resume")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("after epoch 1 of 2 of member 2 of 3", 1, true), out)
    for k = 1, 3 do
      local member = "%s/%s/member-%d.lnn"
      assert.are.equal(H.read_file(member:format(dir, "ma", k)), H.read_file(member:format(dir, "mb", k)))
    end
    local ra, rb = decode(("%s/a/%s.json"):format(dir, id)), decode(("%s/b/%s.json"):format(dir, id))
    assert.are.same(stable(ra), stable(rb))
    assert.are.equal(ra.vote_test_accuracy, rb.vote_test_accuracy)
    -- the whole run leaves its results only (a vote has no curve), and the
    -- temporary file of a save the kill interrupted, if it landed in one
    assert.are.equal(id .. ".json\n", H.stdout(("ls -A %s/b | grep -v '[.]tmp[.]'"):format(dir)))
  end)

  it("runs that differ keep their own files: seed 2 does not touch seed 1's; a rerun replaces only itself", function()
    local d = H.mnist_subset(dir)
    local common = ("experiment ch1_30_hidden --data %s --train-size 1000 --epochs 2 --quiet --out %s/o"):format(d, dir)
    local out, status = lnn(common)
    assert.are.equal(0, status, out)
    local one = dir .. "/o/ch1_30_hidden.seed1.epochs2.train1000.json"
    local before = H.read_file(one)
    out, status = lnn(common .. " --seed 2")
    assert.are.equal(0, status, out)
    assert.are.equal(before, H.read_file(one))
    local two = decode(dir .. "/o/ch1_30_hidden.seed2.epochs2.train1000.json")
    assert.are.equal(2, two.seed)
    assert.are.equal("lnn experiment ch1_30_hidden --data " .. d .. " --train-size 1000 --epochs 2 --quiet --out "
      .. dir .. "/o --seed 2", two.run.command)
    out, status = lnn(common .. " --epochs 1")
    assert.are.equal(0, status, out)
    assert.are.equal(before, H.read_file(one))
    assert.are.equal(table.concat({"ch1_30_hidden.seed1.epochs1.train1000", "ch1_30_hidden.seed1.epochs2.train1000",
      "ch1_30_hidden.seed2.epochs2.train1000"}, ".json\n") .. ".json\n",
      H.stdout(("ls %s/o | grep json"):format(dir)))
  end)
end)

-- What a checkpoint resumes from: SGD's state option (network2, network3).
-- One run split over several calls, each given the same state, is the run
-- of one call: the same parameters, epochs, eta schedule, stop and best.
describe("SGD's state option", function()
  local core = require "lnn.core"
  local network2, n3 = require "lnn.network2", require "lnn.network3"
  local function data(n, seed)
    local rng, xs, ys = core.Rng(seed), {}, {}
    for i = 1, n do
      xs[i] = {}
      for k = 1, 8 do xs[i][k] = rng:uniform() end
      ys[i] = rng:random(3) - 1
    end
    return core.Data(xs, ys)
  end
  local function params(net) return net:engine():params() end

  it("network2: a run in three calls is the run in one, early stopping and eta schedule included", function()
    local tr, ev = data(60, 1), data(30, 2)
    local function train(splits)
      local net = network2.Network({8, 5, 3}, nil, {seed = 7})
      local state, infos = {epoch = 0}, {}
      for _, upto in ipairs(splits) do
        net:SGD(tr:onehot(true), upto, 5, 2.0, {evaluation_data = ev, monitor_evaluation_accuracy = true,
          early_stopping_n = 5, schedule_n = 2, quiet = true, state = state,
          on_epoch = function(i) infos[#infos + 1] = {i.epoch, i.eta, i.evaluation_accuracy} end})
      end
      return net, infos, state
    end
    local a, ia, sa = train({40})
    local b, ib, sb = train({3, 7, 40})
    assert.are.same(ia, ib)
    assert.are.same(sa, sb)
    assert.are.equal(0, params(a):maxabsdiff(params(b)))
    -- the decisions crossed the calls: eta was halved, and the run stopped early
    assert.is_true(ia[#ia][2] < 2.0 and sa.stopped and #ia < 40, json.encode(ia))
    local more = {}
    b:SGD(tr:onehot(true), 50, 5, 2.0, {evaluation_data = ev, monitor_evaluation_accuracy = true, quiet = true,
      early_stopping_n = 5, state = sb, on_epoch = function(i) more[#more + 1] = i end})
    assert.are.same({}, more) -- stopped: a later call trains no more
  end)

  it("network3: a run in six calls is the run in one, shuffles, dropout and the best so far included", function()
    local tr, va, te = data(60, 3), data(30, 4), data(30, 5)
    local function train(splits)
      local net = n3.Network({n3.FullyConnectedLayer {n_in = 8, n_out = 6, p_dropout = 0.5},
                              n3.SoftmaxLayer {n_in = 6, n_out = 3}}, 5, {seed = 9})
      local state, r, epochs = {epoch = 0}, nil, {}
      for _, upto in ipairs(splits) do
        r = {net:SGD(tr, upto, 5, 0.3, va, te, 0.1, {quiet = true, shuffle = true, state = state,
          on_epoch = function(i) epochs[#epochs + 1] = {i.epoch, i.validation_accuracy, i.test_accuracy} end})}
      end
      return net, r, state, epochs
    end
    local a, ra, sa, ea = train({8})
    local b, rb, sb, eb = train({3, 4, 5, 6, 7, 8})
    assert.are.same(ra, rb)
    assert.are.same(sa, sb)
    assert.are.same(ea, eb)
    assert.are.equal(0, params(a):maxabsdiff(params(b)))
    assert.are.equal(8, sb.epoch)
    -- an epoch that began a call (epochs 3 to 7) was no new best: the best so far crossed the calls
    local nobest = 0
    for k = 4, 8 do if ea[k][3] == nil then nobest = nobest + 1 end end
    assert.is_true(nobest > 0, json.encode(ea))
  end)

  it("refuses a state that is not one", function()
    local net = network2.Network({8, 5, 3}, nil, {seed = 7})
    H.error_matches(function() net:SGD(data(10, 1):onehot(true), 1, 5, 1.0, {state = 5}) end,
      "bad option 'state' to 'SGD' (table expected, got number)")
    H.error_matches(function() net:SGD(data(10, 1):onehot(true), 1, 5, 1.0, {state = {epoch = 2}, mu = 0.5}) end,
      "bad option 'state' to 'SGD'", "mu > 0")
    local n = n3.Network({n3.SoftmaxLayer {n_in = 8, n_out = 3}}, 5)
    H.error_matches(function() n:SGD(data(10, 1), 1, 5, 0.1, data(5, 2), nil, 0, {state = {epoch = -1}}) end,
      "bad option 'state' to 'SGD' (epoch an integer >= 0 expected, got -1)")
  end)
end)

describe("lnn experiment ch6_8 and --resume #process", function()
  it("refuses --resume with --mpi (no checkpoint there) and with --members (nothing to train)", function()
    for flags, said in pairs {["--mpi --resume"] = "--resume: the ensemble resumes only without --mpi",
                              ["--members a.lnn,b.lnn --restart"] = "--restart: a vote of saved networks (--members)"} do
      local out, status = H.lnn("experiment ch6_8 " .. flags)
      assert.are.same({2, true}, {status, out:find(said, 1, true) ~= nil}, out)
    end
  end)
end)
