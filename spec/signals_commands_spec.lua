-- Ctrl-C and SIGTERM in every command that trains, not only `lnn train`
-- (signals_spec.lua): `lnn experiment` (a chapter 3 run and a chapter 6 run),
-- `lnn sweep`, `lnn bootstrap-training`, and `lnn train --mpi` when the signal
-- reaches one rank or both.  Each stops after an epoch, prints "interrupted
-- after epoch N" with the command that resumes or what was saved, exits 130
-- (SIGINT) or 143 (SIGTERM), and what it wrote holds exactly N epochs (the
-- 6.8 ensemble, which cannot vote without all its members, writes no results:
-- its checkpoint resumes it).  A
-- second signal that lands while a checkpoint is being written stops the
-- process at once and leaves the last whole checkpoint, no temporary file.
-- Every signal comes while the runs are held between two known epochs (H.hold,
-- the epoch driver's test hold), or while a save's temporary file exists,
-- never after a delay: what it interrupts is still going on any machine.
local json = require "lnn.json"
local network = require "lnn.network"
local network3 = require "lnn.network3"
local distributed = require "lnn.distributed"
local H = require "helpers"

local sh = H.stdout

local function count(s, pattern)
  local n = 0
  for _ in s:gmatch(pattern) do n = n + 1 end
  return n
end

local function decode(path) return json.decode(H.read_file(path)) end

local epochs_in = H.epochs_in

describe("signals in every training command #slow #process #mpi", function()
  local mnist = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  assert(mnist)
  local dir, cleanup, job
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function()
    if job then job:kill() end
    job = nil
    cleanup()
  end)

  local function subset() return H.mnist_subset(dir) end

  local function stopped(out, prog, signame)
    assert.falsy(out:find("traceback", 1, true), out)
    assert.falsy(out:find("interrupted!", 1, true), out)
    local line = out:match(prog:gsub("%-", "%%-") .. ": " .. signame .. ": interrupted after epoch [^\n]+")
    assert(line, out)
    return line
  end

  -- lnn COMMAND...: starts it held after the process's from-th epoch (H.hold),
  -- sends SIG<sig> there and lets it go; checks the exit status (128 + the
  -- signal's number) and the line that says so; returns that line, the whole
  -- output and the epoch it was held after
  local function interrupt(command, from, sig)
    local hold = H.hold(dir, from)
    job = H.background(dir, hold.env .. "lua5.4 bin/lnn " .. command)
    local held = hold:wait(job)
    os.execute(("kill -%s %d"):format(sig, job.pid))
    hold:release()
    local s, out = job:status()
    assert.are.equal(sig == "INT" and 130 or 143, s, out)
    local prog = "lnn " .. (command:match("^experiment %S+") or command:match("^%S+"))
    return stopped(out, prog, "SIG" .. sig), out, held
  end


  it("lnn experiment ch3_ce_30: SIGINT stops after an epoch; the metrics hold exactly its epochs; exit 130", function()
    local d = subset()
    local line, out, held = interrupt(("experiment ch3_ce_30 --data %s --train-size 2000 --epochs 1000 --out %s/o")
      :format(d, dir), 2, "INT")
    -- epochs are numbered as printed, from 0: held after held epochs, the last is held - 1
    local n = tonumber(line:match("after epoch (%d+)"))
    assert.are.equal(held - 1, n, line)
    local id = dir .. "/o/ch3_ce_30.seed1.epochs1000.train2000"
    assert.truthy(line:find("the metrics of the epochs run are in " .. id .. ".json", 1, true), line)
    assert.truthy(line:find(("resume with: lnn experiment ch3_ce_30 --data %s --train-size 2000 --epochs 1000 "
      .. "--out %s/o --resume"):format(d, dir), 1, true), line)
    assert.truthy(io.open(id .. ".checkpoint"), "the checkpoint of the last epoch is gone")
    local m = decode(id .. ".json")
    assert.are.equal(held, #m.runs[1].epochs)
    assert.are.equal(n, m.runs[1].epochs[held].epoch)
    assert.are.same({signal = "SIGINT", run = "cross-entropy, 30 hidden", epoch = n}, m.interrupted)
    assert.are.equal(held, count(out, "%] epoch %d+:"))
    assert.truthy(out:find("] epoch " .. n .. ":", 1, true), out)
  end)

  it("lnn experiment ch6_1: SIGTERM stops after an epoch, saves that network, writes its metrics; exit 143", function()
    local d = subset()
    local line, out, held = interrupt(("experiment ch6_1 --data %s --train-size 1000 --eval-size 200 "
      .. "--epochs 1000 --out %s/o --save %s/net6"):format(d, dir, dir), 2, "TERM")
    local n = tonumber(line:match("after epoch (%d+)"))
    assert.are.equal(held - 1, n, line) -- as printed: "Epoch n: validation accuracy"
    assert.truthy(out:find("Epoch " .. n .. ": validation", 1, true), out)
    assert.truthy(line:find("the network after it is saved in " .. dir .. "/net6", 1, true), line)
    assert.are.equal(held, network3.load(dir .. "/net6").epoch)
    assert.truthy(line:find("resume with: lnn experiment ch6_1 ", 1, true), line)
    local m = decode(dir .. "/o/ch6_1.seed1.epochs1000.train1000.eval200.json")
    assert.are.equal(held, #m.epochs)
    assert.are.same({signal = "SIGTERM", epoch = n}, m.interrupted)
    assert.truthy(out:find("after " .. held .. " epochs", 1, true), out)
  end)

  it("lnn experiment ch6_8: SIGINT stops the member in training after an epoch; no vote, nothing saved; exit 130", function()
    local d = subset()
    -- the ensemble trains on the expanded set: here the subset's own images stand in for it
    for _, k in ipairs {"images-idx3", "labels-idx1"} do
      os.execute(("ln -s train-%s-ubyte.gz %s/mnist-expanded-train-%s-ubyte.gz"):format(k, d, k))
    end
    local line, out = interrupt(("experiment ch6_8 --data %s --train-size 200 --eval-size 100 "
      .. "--epochs 1000 --nets 3 --out %s/o --save-dir %s/members"):format(d, dir, dir), 1, "INT")
    local n = tonumber(line:match("after epoch (%d+) of member 1;"))
    assert.are.equal(0, n, line) -- its first, "Epoch 0"
    assert.are.equal(n + 1, count(out, "Epoch %d+: validation"))
    assert.truthy(line:find("the members trained whole are kept in", 1, true), line)
    assert.truthy(line:find("resume with: lnn experiment ch6_8 ", 1, true), line)
    assert.falsy(out:find("-- member 2", 1, true), out)
    -- no vote, no results: the checkpoint of member 1's epoch alone
    assert.are.equal("", sh(("ls -A %s/members 2>/dev/null"):format(dir)))
    assert.are.equal("ch6_8.seed1.epochs1000.train200.eval100.nets3.checkpoint\n", sh(("ls -A %s/o"):format(dir)))
  end)

  it("lnn sweep: SIGINT stops the point in training; the results of the points done are written, the resume command said; exit 130", function()
    local d = subset()
    -- 6 points of 3 epochs, one after another: held after the 5th epoch, in point 2
    local hold = H.hold(dir, 5)
    job = H.background(dir, hold.env .. ("lua5.4 bin/lnn sweep --data %s --train-size 2000 --eta 0.5,1,3 --epochs 3 "
      .. "--out %s/s.json --sizes 784,30,10:784,100,10"):format(d, dir))
    assert.are.equal(2, hold:wait(job))
    os.execute("kill -INT " .. job.pid)
    hold:release()
    local s, out = job:status()
    assert.are.equal(130, s, out)
    local line = stopped(out, "lnn sweep", "SIGINT")
    local e, k = line:match("after epoch (%d+) of point (%d+)")
    assert.are.same({"1", "2"}, {e, k}, line) -- its second epoch, "Epoch 1"
    assert.truthy(line:find("the results of the points done are in " .. dir .. "/s.json; resume with: lnn sweep --data "
      .. d .. " --train-size 2000 --eta 0.5,1,3 --epochs 3 --out " .. dir .. "/s.json --sizes 784,30,10:784,100,10 --resume",
      1, true), line)
    local r = decode(dir .. "/s.json")
    assert.are.equal("SIGINT", r.interrupted)
    assert.are.equal(6, #r.points)
    assert.are.equal(3, r.points[1].epochs)
    assert.are.equal(2, r.points[2].epochs)
    for i = 3, 6 do assert.is_true(r.points[i].not_run, json.encode(r.points[i])) end
  end)

  it("lnn bootstrap-training: SIGTERM saves the network after the epoch and prints the command that resumes", function()
    local d = subset()
    -- held after epoch 3: round 2, one of its 2 epochs done
    local line = interrupt(("bootstrap-training --data %s --train-size 2000 --per-round 2 "
      .. "--threshold 0 --max-rounds 1000 --save %s/b"):format(d, dir), 3, "TERM")
    local n, round, of = line:match("after epoch (%d+) %(round (%d+), (%d+) of its 2 epochs%)")
    n, round, of = tonumber(n), tonumber(round), tonumber(of)
    assert.are.same({2, 2, 1}, {n, round, of}, line) -- epochs 0, 1 (round 1), 2
    assert.are.equal(n + 1, network.load(dir .. "/b").epoch)
    assert.truthy(line:find(("continue with: lnn bootstrap-training --data %s --train-size 2000 --per-round 2 "
      .. "--threshold 0 --max-rounds 1000 --save %s/b --resume"):format(d, dir), 1, true), line)
    -- the command continues from the checkpoint beside b: round 2 is finished (and stops there)
    local cmd = line:match("continue with: lnn (.+)$"):gsub("%-%-max%-rounds 1000", "--max-rounds 2")
    local out2 = sh(("lua5.4 bin/lnn %s 2>&1; echo status=$?"):format(cmd))
    assert.truthy(out2:find("status=0", 1, true), out2)
    assert.truthy(out2:find(("resuming from %s/b.checkpoint after %d epochs"):format(dir, n + 1), 1, true), out2)
    assert.truthy(out2:find("Round 2:", 1, true), out2)
    assert.truthy(out2:find("Stopped at --max-rounds after 2 rounds (4 epochs", 1, true), out2)
  end)

  it("a second Ctrl-C during a checkpoint's save stops at once: the last whole checkpoint stays, no temporary file", function()
    local d = subset()
    -- a wide network: its checkpoint takes a measurable time to write (31 MB,
    -- fsync'd).  The process is frozen (SIGSTOP) while the temporary file of a
    -- save exists, gets its second SIGINT there, and is let go.
    local tries, caught = 0, false
    while not caught do
      tries = tries + 1
      assert(tries <= 5, "the save was never caught in progress in 5 tries")
      local run = dir .. "/try" .. tries
      os.execute("mkdir -p " .. run)
      job = H.background(run, ("lua5.4 scripts/train.lua --data %s --train-size 300 --sizes 784,10000,10 "
        .. "--epochs 1000 --quiet --save %s/ckpt --metrics %s/m.json"):format(d, run, run))
      job:wait_until(function() return epochs_in(run .. "/m.json") >= 1 end, "one epoch")
      local before = epochs_in(run .. "/m.json")
      os.execute("kill -INT " .. job.pid) -- the first: stop after this epoch
      -- waits for the temporary file, then freezes the process; bash's own
      -- glob (compgen, no process per poll: under the sanitizers every ls
      -- carried the ASan runtime and a save could pass between two polls); the
      -- event or the process's end stops the wait, the hang limit only bounds it
      os.execute(("bash -c 'end=$((SECONDS + %d)); while ((SECONDS < end)); do "
        .. "compgen -G \"%s/ckpt.tmp.*\" >/dev/null && { kill -STOP %d; break; }; "
        .. "kill -0 %d 2>/dev/null || break; done'"):format(H.HANG_LIMIT, run, job.pid, job.pid))
      local tmp = sh(("ls %s | grep '^ckpt[.]tmp[.]' || true"):format(run)):match("%S+")
      if tmp and not job:ended() then
        caught = true
        os.execute(("kill -INT %d; kill -CONT %d"):format(job.pid, job.pid))
        local s, out = job:status()
        assert.are.equal(130, s, out) -- the default action: ended by SIGINT
        assert.falsy(out:find("interrupted after", 1, true), out)
        local net = network.load(run .. "/ckpt")
        assert.are.equal(before, net.epoch)
        assert.are.equal(before, epochs_in(run .. "/m.json"))
        assert.are.equal("", sh(("ls -A %s | grep '[.]tmp[.]' || true"):format(run)))
      else
        os.execute("kill -CONT " .. job.pid .. " 2>/dev/null")
        job:status()
      end
    end
  end)

  describe("lnn train --mpi (mpirun -np 2)", function()
    local have = distributed.available() and os.execute("command -v mpirun >/dev/null 2>&1")
    local MPIRUN = (os.getenv("LNN_SANITIZED") and "ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 " or "")
      .. ("timeout %d mpirun --allow-run-as-root --oversubscribe"):format(H.HANG_LIMIT)
    local build = os.getenv("LNN_BUILD_DIR")

    -- starts `lnn ARGS` on 2 ranks (each records its pid and, at its end, its
    -- status), each held after its first epoch (H.hold); the ranks' pids and
    -- the hold
    local function start(args)
      local hold = H.hold(dir)
      local rank_cmd = ("%slua5.4 bin/lnn %s & echo $! >%s/pid.$OMPI_COMM_WORLD_RANK; wait $!; "
        .. "echo $? >%s/status.$OMPI_COMM_WORLD_RANK"):format(hold.env:gsub("'", ""), args, dir, dir)
      job = H.background(dir, ("%s %s-np 2 sh -c '%s'"):format(MPIRUN,
        build and ("-x LNN_BUILD_DIR=" .. build .. " ") or "", rank_cmd))
      local pids = {}
      job:wait_until(function()
        for r = 0, 1 do pids[r] = pids[r] or tonumber(io.open(("%s/pid.%d"):format(dir, r)) and
          H.read_file(("%s/pid.%d"):format(dir, r)):match("%d+")) end
        return pids[0] and pids[1]
      end, "the ranks")
      return pids, hold
    end

    -- data-parallel training on 2 ranks, both held after epoch 1
    local function start_train(d)
      local pids, hold = start(("train --mpi --data %s --train-size 2000 --epochs 1000 --quiet --save %s/ckpt "
        .. "--metrics %s/m.json"):format(d, dir, dir))
      for r = 0, 1 do assert.are.equal(1, hold:wait(job, pids[r])) end
      return pids, hold
    end

    -- the job ended, each rank by itself with status (none killed or timed out);
    -- the line rank 0 printed
    local function ended(prog, signame, status)
      -- (the job's own status is the wrappers', 0: without them mpirun ends
      -- with the ranks' 130 or 143)
      local s, out = job:status()
      assert.are.equal(0, s, out)
      for r = 0, 1 do assert.are.equal(tostring(status), H.read_file(("%s/status.%d"):format(dir, r)):match("%d+"), out) end
      assert.are.equal(1, count(out, "SIG%u+: interrupted after epoch"), out)
      return stopped(out, prog, signame)
    end

    local function check(signame, status)
      local line = ended("lnn train", signame, status)
      local n = tonumber(line:match("after epoch (%d+)"))
      assert.are.equal(0, n, line) -- the first, "Epoch 0"
      assert.are.equal(n + 1, network.load(dir .. "/ckpt").epoch)
      assert.are.equal(n + 1, epochs_in(dir .. "/m.json"))
      assert.truthy(line:find("resume with: mpirun -np 2 lnn train --mpi", 1, true), line)
      assert.truthy(line:find("--load " .. dir .. "/ckpt", 1, true), line)
    end

    it("lnn experiment ch6_4 --mpi killed (kill -9, both ranks) after epoch 1 resumes to the same bits", function()
      if not have then pending("lnn.mpi or mpirun is missing") return end
      local d = subset()
      local args = ("experiment ch6_4 --mpi --data %s --train-size 1000 --eval-size 100 --epochs 2 --quiet"):format(d)
      local out, st = H.sh(("%s -np 2 lua5.4 bin/lnn %s --out %s/a --save %s/a.lnn"):format(MPIRUN, args, dir, dir))
      assert.are.equal(0, st, out)
      local pids, hold = start(("%s --out %s/b --save %s/b.lnn"):format(args, dir, dir))
      for r = 0, 1 do assert.are.equal(1, hold:wait(job, pids[r])) end
      os.execute(("kill -KILL %d %d"):format(pids[0], pids[1]))
      job:status()
      hold:release()
      local id = "ch6_4.seed1.epochs2.train1000.eval100"
      assert.truthy(io.open(("%s/b/%s.checkpoint"):format(dir, id)), "no checkpoint after the kill")
      assert.is_nil(io.open(dir .. "/b.lnn"))
      out, st = H.sh(("%s -np 2 lua5.4 bin/lnn %s --out %s/b --save %s/b.lnn --resume"):format(MPIRUN, args, dir, dir))
      assert.are.equal(0, st, out)
      assert.are.equal(1, count(out, "resuming "), out) -- rank 0 says it
      assert.are.equal(H.read_file(dir .. "/a.lnn"), H.read_file(dir .. "/b.lnn"))
      local a, b = decode(("%s/a/%s.json"):format(dir, id)), decode(("%s/b/%s.json"):format(dir, id))
      assert.are.same({a.test_accuracy, a.best_iteration, #a.epochs}, {b.test_accuracy, b.best_iteration, #b.epochs})
      assert.is_nil(io.open(("%s/b/%s.checkpoint"):format(dir, id)))
    end)

    it("SIGINT to rank 1 only: both ranks stop after the same epoch, exit 130", function()
      if not have then pending("lnn.mpi or mpirun is missing") return end
      local pids, hold = start_train(subset())
      os.execute("kill -INT " .. pids[1])
      hold:release()
      check("SIGINT", 130)
    end)

    it("SIGTERM to both ranks: they stop after the same epoch, exit 143", function()
      if not have then pending("lnn.mpi or mpirun is missing") return end
      local pids, hold = start_train(subset())
      os.execute(("kill -TERM %d %d"):format(pids[0], pids[1]))
      hold:release()
      check("SIGTERM", 143)
    end)

    it("lnn sweep --mpi, SIGINT to rank 1 only: it stops its point, rank 0 finishes its own, both exit 130", function()
      if not have then pending("lnn.mpi or mpirun is missing") return end
      -- points 1 and 3 on rank 0, 2 and 4 on rank 1; each rank held after
      -- the first epoch of its first point
      local pids, hold = start(("sweep --mpi --data %s --train-size 2000 --eta 0.5,1,2,3 --epochs 5 --out %s/s.json")
        :format(subset(), dir))
      assert.are.equal(1, hold:wait(job, pids[1]))
      os.execute("kill -INT " .. pids[1])
      hold:release()
      local line = ended("lnn sweep", "SIGINT", 130)
      local r = decode(dir .. "/s.json")
      assert.truthy(line:find("after epoch 0 of point 2", 1, true), line)
      assert.are.equal(1, r.points[2].rank)
      assert.are.equal(1, r.points[2].epochs)
      assert.are.equal(5, r.points[1].epochs)
      assert.are.equal(5, r.points[3].epochs)
      assert.is_true(r.points[4].not_run)
    end)
  end)
end)
