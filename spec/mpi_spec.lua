-- mpi_spec.lua: data-parallel training over MPI ranks (lnn.mpi, lnn.distributed,
-- train_epoch's reducer and accumulate, the LNN_TEST_NET_DELAY_US hook).  The
-- runs start real OpenMPI jobs: `mpirun --allow-run-as-root --oversubscribe
-- -np 2` (root needs the first flag, two ranks on a 2-core machine the
-- second), each under `timeout` so a hang fails
-- (H.HANG_LIMIT, exit status 124): no spec here measures how long a job takes.
local H = require "helpers"
local distributed = require "lnn.distributed"

-- Under scripts/test-sanitized.sh the ranks inherit the ASan preload; OpenMPI's
-- own allocations live until exit, so leak checking is off for the MPI jobs
-- (ASan and UBSan still check every access of lnn's code in them).
local MPIRUN = (os.getenv("LNN_SANITIZED") and "ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 " or "")
  .. ("timeout %d mpirun --allow-run-as-root --oversubscribe"):format(H.HANG_LIMIT)
local have_mpirun = os.execute("command -v mpirun >/dev/null 2>&1")
local built = distributed.available()

-- output (stdout and stderr) and exit status of a shell command
local sh = H.sh

-- the env prefix that passes the sanitized build (if any) to every rank
local function env()
  local dir = os.getenv("LNN_BUILD_DIR")
  return dir and ("-x LNN_BUILD_DIR=" .. dir .. " ") or ""
end

-- mpirun -np np lua5.4 args, with LNN_DATA = data passed to every rank when given
local function mpirun(np, args, data)
  local pre = data and ("LNN_DATA=%s "):format(data) or ""
  local x = data and "-x LNN_DATA " or ""
  return sh(("%s%s %s%s-np %d lua5.4 %s"):format(pre, MPIRUN, x, env(), np, args))
end

local function lines(path)
  local t = {}
  for l in io.lines(path) do t[#t + 1] = l end
  return t
end

-- largest difference between two driver dumps (line 1 is the generator state)
local function maxdiff(a, b)
  assert.are.equal(#a, #b)
  local m = 0
  for i = 2, #a do m = math.max(m, math.abs(tonumber(a[i]) - tonumber(b[i]))) end
  return m
end

describe("train_epoch's reducer option (no MPI needed) #slow", function()
  it("must be an lnn.Reducer, and update takes none", function()
    local lnn = require "lnn"
    local n = lnn.network.Network({4, 3, 2}, {seed = 1})
    local d = lnn.Data({{0.1, 0.2, 0.3, 0.4}, {0.4, 0.3, 0.2, 0.1}}, {0, 1})
    H.error_matches(function() n._net:train_epoch(d, n.rng, {eta = 1, reducer = {}}) end,
      "bad option 'reducer' to 'train_epoch' (lnn.Reducer expected, got table)")
    H.error_matches(function() n:SGD(d, 1, 1, 1.0, nil, {reducer = 3, quiet = true}) end,
      "bad option 'reducer' to 'train_epoch' (lnn.Reducer expected, got number)")
  end)
end)

describe("scripts/sweep.lua (one process) #slow #process", function()
  it("trains every point of the grid, prints one table and writes one JSON; bad lists are refused", function()
    local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
    local dir, cleanup = H.tmpdir()
    local out, st = sh(("lua5.4 scripts/sweep.lua --data %s --eta 0.5,3 --lmbda 0,5 --sizes 784,20,10:784,10,10 "
      .. "--epochs 1 --train-size 1000 --out %s/s.json"):format(data, dir))
    assert.are.equal(0, st, out)
    assert.truthy(out:find("8 points (2 sizes x 2 eta x 2 lmbda)", 1, true), out)
    local r = require("lnn.json").decode(H.read_file(dir .. "/s.json"))
    assert.are.equal(8, #r.points)
    assert.are.same({784, 10, 10}, r.points[8].sizes)
    assert.are.equal(3, r.points[8].eta)
    assert.are.equal(5, r.points[8].lmbda)
    for _, p in ipairs(r.points) do
      assert.is_true(p.final > 0 and p.final <= p.best and p.best <= p.total)
      assert.truthy(out:find(("%d.%02d%%"):format(p.final * 100 // p.total, p.final * 10000 // p.total % 100), 1, true))
    end
    out, st = sh("lua5.4 scripts/sweep.lua --eta 1,x")
    assert.are.equal(2, st)
    assert.truthy(out:find("option '--eta': a list of positive numbers like 0.5,1,3 expected, got '1,x'", 1, true), out)
    cleanup()
  end)
end)

describe("lnn.mpi under mpirun -np 2 #slow #mpi #process", function()
  if not (built and have_mpirun) then
    pending(("lnn.mpi is not built%s: install openmpi-bin and libopenmpi-dev and rerun "
      .. "scripts/setup.sh; every MPI spec is skipped"):format(built and " (mpirun is missing)" or ""))
    return
  end
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup
  setup(function() dir, cleanup = H.tmpdir() end)
  teardown(function() cleanup() end)

  for _, face in ipairs {"network", "network2", "network3"} do
    it(face .. ": both ranks end bit-identical, and as one process does with the same global "
       .. "batch of 10 (same generator state, parameters within float rounding, same accuracy "
       .. "within noise)", function()
      local one, s1 = sh(("LNN_DATA=%s lua5.4 spec/support/mpi_driver.lua %s %s/one-"):format(data, face, dir))
      assert.are.equal(0, s1, one)
      local two, s2 = mpirun(2, ("spec/support/mpi_driver.lua %s %s/two- mpi"):format(face, dir), data)
      assert.are.equal(0, s2, two)
      local r0, r1 = H.read_file(dir .. "/two-rank-0"), H.read_file(dir .. "/two-rank-1")
      assert.is_true(r0 == r1, "the two ranks' parameters differ")
      local a, b = lines(dir .. "/one-rank-0"), lines(dir .. "/two-rank-0")
      assert.are.equal(a[1], b[1]) -- the same shuffles and dropout masks were drawn
      assert.is_true(maxdiff(a, b) < 1e-3, "parameters differ by " .. maxdiff(a, b))
      local c1 = tonumber(one:match("rank 0 correct (%d+)"))
      local c2 = tonumber(two:match("rank 0 correct (%d+)"))
      assert.is_true(c1 > 500 and math.abs(c1 - c2) <= 20, ("one process %s, two ranks %s correct of 2000")
        :format(c1, c2))
    end)
  end

  it("scripts/train.lua --mpi: rank 0 alone prints and writes; the run resumes with another number of ranks",
     function()
    local common = ("--data %s --train-size 2000 --seed 5"):format(data)
    -- straight: 3 epochs on 2 ranks
    local out, st = mpirun(2, ("scripts/train.lua --mpi %s --epochs 3 --save %s/a.lnn"):format(common, dir))
    assert.are.equal(0, st, out)
    local _, n = out:gsub("Epoch 0:", "")
    assert.are.equal(1, n, out)
    -- OpenMPI gives the ranks a pseudo-terminal: still no progress bar in the log (issue 22)
    assert.falsy(out:find("[\r\27]"), out)
    -- 2 epochs on 2 ranks, then the third in one process
    out, st = mpirun(2, ("scripts/train.lua --mpi %s --epochs 2 --save %s/b.lnn"):format(common, dir))
    assert.are.equal(0, st, out)
    out, st = H.run_train(("%s --load %s/b.lnn --epochs 3 --save %s/b.lnn --quiet"):format(common, dir, dir))
    assert.are.equal(0, st, out)
    -- 1 epoch in one process, then 2 more on 2 ranks
    out, st = H.run_train(("%s --epochs 1 --save %s/c.lnn --quiet"):format(common, dir))
    assert.are.equal(0, st, out)
    out, st = mpirun(2, ("scripts/train.lua --mpi %s --load %s/c.lnn --epochs 3 --save %s/c.lnn")
      :format(common, dir, dir))
    assert.are.equal(0, st, out)
    assert.truthy(out:find("resuming after epoch 0", 1, true), out) -- after "Epoch 0", as printed
    local network = require "lnn.network"
    local a = network.load(dir .. "/a.lnn")
    for _, f in ipairs {"b.lnn", "c.lnn"} do
      local x = network.load(dir .. "/" .. f)
      assert.are.equal(3, x.epoch)
      assert.are.equal(a.rng:state(), x.rng:state())
      local pa, px = a._net:params():totable(), x._net:params():totable()
      local m = 0
      for i = 1, #pa do m = math.max(m, math.abs(pa[i][1] - px[i][1])) end
      assert.is_true(m < 1e-3, f .. ": parameters differ by " .. m)
    end
  end)

  it("a rank killed with SIGKILL ends the whole job (no hang) with a clear message; rank 0's checkpoint stays intact",
     function()
    local ck = dir .. "/ck"
    -- killed once the first epoch's backup is written (the job trains far
    -- longer than any machine takes to get there); a job that does not end
    -- by itself is ended by its timeout, status 124.  Only the job runs with
    -- the sanitizer preload (if any): the tools that watch it do not
    local script = ([[
      pre="${LD_PRELOAD:-}"; unset LD_PRELOAD
      ( LD_PRELOAD="$pre" %s %s-np 2 lua5.4 scripts/train.lua --mpi --data %s --train-size 3000 --epochs 100000 --backups %s --quiet \
          > %s/kill.out 2>&1; echo $? > %s/kill.status ) &
      for i in $(seq %d); do [ -f %s/latest ] && break; sleep 0.05; done
      victim=
      for p in $(timeout 30 pgrep -f -- "--backups %s --quiet"); do
        if { tr '\0' '\n' < /proc/$p/environ; } 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1; then victim=$p; fi
      done
      [ -n "$victim" ] || { echo "no rank 1 found"; cat %s/kill.out; exit 3; }
      kill -9 "$victim"
      wait
    ]]):format(MPIRUN, env(), data, ck, dir, dir, H.HANG_LIMIT * 20, ck, ck, dir)
    local out, st = sh(script)
    assert.are.equal(0, st, out)
    local status = tonumber(H.read_file(dir .. "/kill.status"))
    local log = H.read_file(dir .. "/kill.out")
    assert.is_true(status ~= 0 and status ~= 124, "mpirun status " .. tostring(status) .. "\n" .. log)
    assert.truthy(log:find("rank 1", 1, true) and log:find("signal 9", 1, true), log)
    local net = require("lnn.network").load(ck .. "/latest")
    assert.is_true(net.epoch >= 1)
  end)

  it("parameters that differ across ranks stop every rank with an error naming them", function()
    H.write_file(dir .. "/differ.lua", [[
      loadfile("scripts/bootstrap.lua")()
      local distributed = require "lnn.distributed"
      local run <close> = distributed.start(true, "differ")
      local net = require("lnn.network").Network({4, 3, 2}, {seed = run.rank})
      run:check(net, "after epoch 7")
      print("not reached")
    ]])
    -- a rank the error did not stop would keep the other waiting past the
    -- job's timeout (the exit barrier's own is set longer): status 124
    local out, st = sh(("LNN_MPI_EXIT_TIMEOUT=%d %s -x LNN_MPI_EXIT_TIMEOUT %s-np 2 lua5.4 %s/differ.lua")
      :format(H.HANG_LIMIT * 2, MPIRUN, env(), dir))
    assert.are_not.equal(0, st, out)
    assert.are_not.equal(124, st, out)
    assert.falsy(out:find("not reached", 1, true), out)
    assert.truthy(out:find("same: parameters differ across ranks after epoch 7: rank 0 ", 1, true), out)
  end)

  it("ranks that disagree (architecture, data, batch, epochs) stop together with one lnn message each, status 2",
     function()
    -- MPMD: rank 0 and rank 1 start with other flags (what a job gets when its
    -- ranks see other data folders, or a hostfile starts other commands)
    local base = ("lua5.4 scripts/train.lua --mpi --data %s --train-size 1000 --quiet"):format(data)
    for _, c in ipairs {
      {"--sizes 784,30,10", "--sizes 784,20,10", "layer 1: rank 0 "},
      {"", "--train-size 1200", "training_images: rank 0 1000, rank 1 1200"},
      {"--batch 10", "--batch 20", "batch: rank 0 10, rank 1 20"},
      {"--epochs 1", "--epochs 2", "epochs: rank 0 1, rank 1 2"},
    } do
      local out, st = sh(("LNN_MPI_EXIT_TIMEOUT=%d %s -x LNN_MPI_EXIT_TIMEOUT %s-np 1 %s %s : %s-np 1 %s %s")
        :format(H.HANG_LIMIT * 2, MPIRUN, env(), base, c[1], env(), base, c[2]))
      -- each rank exits with status 2; mpirun's own status is Open MPI's: 2, or 1
      -- when it ended the other rank first
      assert.truthy(st == 2 or st == 1, out)
      local msg = "scripts/train.lua: --mpi: the ranks disagree, so they cannot train together: "
      local _, n = out:gsub(msg:gsub("%p", "%%%0"), "")
      assert.are.equal(2, n, out) -- one line on each rank
      assert.truthy(out:find(c[3], 1, true), out)
      assert.falsy(out:find("MPI_ERR", 1, true), out)
      assert.falsy(out:find("Epoch", 1, true), out)
    end
  end)

  it("generators that differ across ranks (parameters alike) stop every rank with an error naming them", function()
    H.write_file(dir .. "/rngs.lua", [[
      loadfile("scripts/bootstrap.lua")()
      local distributed = require "lnn.distributed"
      local run <close> = distributed.start(true, "rngs")
      local net = require("lnn.network").Network({4, 3, 2}, {seed = 1})
      net.rng = require("lnn.core").Rng(run.rank)
      run:check(net, "after epoch 7")
      print("not reached")
    ]])
    local out, st = sh(("LNN_MPI_EXIT_TIMEOUT=%d %s -x LNN_MPI_EXIT_TIMEOUT %s-np 2 lua5.4 %s/rngs.lua")
      :format(H.HANG_LIMIT * 2, MPIRUN, env(), dir))
    assert.are_not.equal(0, st, out)
    assert.are_not.equal(124, st, out)
    assert.falsy(out:find("not reached", 1, true), out)
    assert.truthy(out:find("same: generator states differ across ranks after epoch 7: rank 0 ", 1, true), out)
  end)

  it("broadcast, sum and gather; a finished rank does not wait for ever for one stopped by an error",
     function()
    H.write_file(dir .. "/ops.lua", [[
      loadfile("scripts/bootstrap.lua")()
      local core = require "lnn.core"
      local mpi = require "lnn.mpi"
      local comm = mpi.init()
      assert(mpi.init() == comm)
      local r = comm:rank()
      local m = core.Matrix(2, 2, r + 1)
      comm:sum(m)
      local g = comm:gather("r" .. r)
      local rng = core.Rng(r)
      comm:broadcast(rng)
      io.write(("rank %d size %d sum %s m %g bcast %s %s gather %s rng %s\n"):format(r, comm:size(),
        comm:sum(r + 1), m[1][1], comm:broadcast(r == 0 and "hello" or nil), comm:broadcast(41 + r),
        table.concat(g, ","), comm:same(rng)))
      if arg[1] == "fail" and r == 1 then error("rank 1 fails here") end
      comm:barrier()
    ]])
    local out, st = mpirun(2, dir .. "/ops.lua")
    assert.are.equal(0, st, out)
    for r = 0, 1 do
      assert.truthy(out:find(("rank %d size 2 sum 3 m 3 bcast hello 41 gather r0,r1 rng "):format(r), 1, true), out)
    end
    -- rank 1 raises without a <close> guard: rank 0 sits in the barrier; rank 1's
    -- exit barrier times out and aborts the job
    out, st = sh(("LNN_MPI_EXIT_TIMEOUT=3 %s -x LNN_MPI_EXIT_TIMEOUT %s-np 2 lua5.4 %s/ops.lua fail")
      :format(MPIRUN, env(), dir))
    assert.are_not.equal(0, st, out)
    assert.are_not.equal(124, st, out)
    assert.truthy(out:find("rank 1 fails here", 1, true), out)
    assert.truthy(out:find("other ranks did not within 3 s", 1, true), out)
  end)

  it("same and sum of matrices whose sizes differ across ranks, and a broadcast from no rank, raise on every rank", function()
    H.write_file(dir .. "/sizes.lua", [[
      loadfile("scripts/bootstrap.lua")()
      local core = require "lnn.core"
      local comm = require("lnn.mpi").init()
      local r = comm:rank()
      print(("rank %d same: %s"):format(r, select(2, pcall(comm.same, comm, core.Matrix(2 + r, 1)))))
      print(("rank %d sum: %s"):format(r, select(2, pcall(comm.sum, comm, core.Matrix(1, 3 + r)))))
      print(("rank %d root: %s"):format(r, select(2, pcall(comm.broadcast, comm, core.Matrix(1, 1), 2))))
      comm:barrier()
    ]])
    local out, st = mpirun(2, dir .. "/sizes.lua")
    assert.are.equal(0, st, out)
    for r = 0, 1 do
      assert.truthy(out:find(("rank %d same: same: the matrices differ in size across ranks (8 to 12 bytes)"):format(r), 1, true), out)
      assert.truthy(out:find(("rank %d sum: sum: the matrices differ in size across ranks (12 to 16 bytes)"):format(r), 1, true), out)
      assert.truthy(out:find(("rank %d root: bad argument #2 to 'broadcast' (rank 0 to 1 expected, got 2)"):format(r), 1, true), out)
    end
  end)
  it("sweep.lua --mpi deals the grid over the ranks and reports what one process reports", function()
    local args = ("--data %s --eta 0.5,3 --lmbda 0,5 --epochs 1 --train-size 1000"):format(data)
    local one, s1 = sh(("lua5.4 scripts/sweep.lua %s --out %s/s1.json"):format(args, dir))
    assert.are.equal(0, s1, one)
    local two, s2 = mpirun(2, ("scripts/sweep.lua --mpi %s --out %s/s2.json"):format(args, dir))
    assert.are.equal(0, s2, two)
    local json = require "lnn.json"
    local a, b = json.decode(H.read_file(dir .. "/s1.json")), json.decode(H.read_file(dir .. "/s2.json"))
    assert.are.equal(2, b.ranks)
    local ranks = {}
    for i, p in ipairs(b.points) do
      assert.are.equal(a.points[i].final, p.final)
      assert.are.equal(a.points[i].best, p.best)
      ranks[p.rank] = true
    end
    assert.is_true(ranks[0] and ranks[1])
    local _, n = two:gsub("sweep: 4 points", "")
    assert.are.equal(1, n, two)
  end)

  it("chapter 6 --mpi: 6.4 data-parallel as one process; 6.8 one member per rank, the same vote", function()
    -- 6.8 trains on the expanded set: a folder where it is MNIST's own training set
    local d = dir .. "/data"
    os.execute(("mkdir -p %s && for f in %s/*.gz; do ln -sf \"$(readlink -f \"$f\")\" %s/; done && "
      .. "ln -sf \"$(readlink -f %s/train-images-idx3-ubyte.gz)\" %s/mnist-expanded-train-images-idx3-ubyte.gz && "
      .. "ln -sf \"$(readlink -f %s/train-labels-idx1-ubyte.gz)\" %s/mnist-expanded-train-labels-idx1-ubyte.gz")
      :format(d, data, d, data, d, data, d))
    local json = require "lnn.json"
    local args = ("--data %s --train-size 400 --eval-size 300 --epochs 1 --quiet"):format(d)
    local out, st = mpirun(2, ("scripts/experiments/ch6_4.lua --mpi %s --out %s/c2"):format(args, dir))
    assert.are.equal(0, st, out)
    local _, n = out:gsub("6.4 test accuracy", "")
    assert.are.equal(1, n, out)
    local one
    one, st = sh(("lua5.4 scripts/experiments/ch6_4.lua %s --out %s/c1"):format(args, dir))
    assert.are.equal(0, st, one)
    local a, b = json.decode(H.read_file(dir .. "/c1/ch6_4.seed1.epochs1.train400.eval300.json")),
      json.decode(H.read_file(dir .. "/c2/ch6_4.seed1.epochs1.train400.eval300.json"))
    assert.are.equal(2, b.ranks)
    assert.is_true(math.abs(a.test_accuracy - b.test_accuracy) <= 0.02, a.test_accuracy .. " vs " .. b.test_accuracy)
    args = args .. " --nets 3"
    out, st = mpirun(2, ("scripts/experiments/ch6_8.lua --mpi %s --out %s/e2 --save-dir %s/m"):format(args, dir, dir))
    assert.are.equal(0, st, out)
    one, st = sh(("lua5.4 scripts/experiments/ch6_8.lua %s --out %s/e1"):format(args, dir))
    assert.are.equal(0, st, one)
    a, b = json.decode(H.read_file(dir .. "/e1/ch6_8.seed1.epochs1.train400.eval300.nets3.json")),
      json.decode(H.read_file(dir .. "/e2/ch6_8.seed1.epochs1.train400.eval300.nets3.json"))
    assert.are.equal(a.vote_test_accuracy, b.vote_test_accuracy)
    for k = 1, 3 do
      assert.are.equal((k - 1) % 2, b.members[k].rank)
      assert.are.equal(a.members[k].test_accuracy, b.members[k].test_accuracy)
      assert.truthy(io.open(("%s/m/member-%d.lnn"):format(dir, k)), "member file " .. k)
    end
  end)

  -- gradient accumulation (what it computes: mpi_accumulate_spec.lua) and the delay hook
  -- face, k, ranks, overlap: network3 has dropout and shuffles, network2 momentum
  -- and L2; 3 ranks sum through the gathered tree, 2 through MPI_Allreduce;
  -- k 32 makes 16 chunks of 2 mini-batches; overlap sends buckets during backward
  for _, case in ipairs {{"network", 4, 2}, {"network2", 8, 2}, {"network3", 2, 2, "overlap"},
                         {"network3", 6, 3, "overlap"}, {"network", 32, 2, "overlap"}} do
    local face, k, np, overlap = case[1], case[2], case[3], case[4]
    it(("%s, accumulate %d%s: %d ranks end with one process's bits"):format(face, k, overlap and ", overlap" or "", np), function()
      local tag = ("%s-%d-%d-%s"):format(face, k, np, overlap or "blocking")
      local one, s1 = H.sh(("LNN_DATA=%s lua5.4 spec/support/mpi_driver.lua %s %s/one-%s- one %d")
        :format(data, face, dir, tag, k))
      assert.are.equal(0, s1, one)
      local many, s2 = mpirun(np, ("spec/support/mpi_driver.lua %s %s/many-%s- mpi %d %s"):format(face, dir, tag, k,
        overlap or ""), data)
      assert.are.equal(0, s2, many)
      local want = H.read_file(("%s/one-%s-rank-0"):format(dir, tag))
      for r = 0, np - 1 do
        assert.is_true(H.read_file(("%s/many-%s-rank-%d"):format(dir, tag, r)) == want,
          ("rank %d's parameters or generator differ from one process's"):format(r))
      end
      -- and accumulation changed the run: not the parameters of k = 1
      local plain, s3 = H.sh(("LNN_DATA=%s lua5.4 spec/support/mpi_driver.lua %s %s/plain-%s- one 1")
        :format(data, face, dir, tag))
      assert.are.equal(0, s3, plain)
      assert.is_true(H.read_file(("%s/plain-%s-rank-0"):format(dir, tag)) ~= want)
    end)
  end

  it("--accumulate whose chunks the ranks cannot share: every rank refuses it, naming the flag", function()
    local out, st = mpirun(2, "scripts/train.lua --mpi --accumulate 3 --epochs 1 --train-size 100", data)
    assert.is_true(st ~= 0 and st ~= 124, out)
    assert.truthy(out:find("option '--accumulate': 2 processes cannot share its 3 chunks", 1, true), out)
  end)

  it("LNN_TEST_NET_DELAY_US delays every gradient sum by about that much (measured loosely)", function()
    local script = dir .. "/delay.lua"
    H.write_file(script, [[
      do local boot = loadfile("scripts/bootstrap.lua") if boot then boot() end end
      local core, comm = require "lnn.core", require("lnn.mpi").init()
      local m = core.Matrix(10, 1)
      comm:barrier()
      local t0 = core.clock()
      for _ = 1, 50 do comm:sum(m) end
      if comm:rank() == 0 then print(("seconds %.6f"):format(core.clock() - t0)) end
      require("lnn.mpi").finalize()
    ]])
    local function seconds(us)
      local out, st = sh(("LNN_TEST_NET_DELAY_US=%d %s -x LNN_TEST_NET_DELAY_US %s-np 2 lua5.4 %s")
        :format(us, MPIRUN, env(), script))
      assert.are.equal(0, st, out)
      return assert(tonumber(out:match("seconds ([%d.]+)")), out)
    end
    local plain, delayed = seconds(0), seconds(4000)
    -- 50 sums of 4 ms: at least 0.2 s more; loosely (a busy machine only adds time)
    assert.is_true(delayed >= 0.2 and delayed - plain >= 0.19, ("0 us: %.3f s, 4000 us: %.3f s"):format(plain, delayed))
  end)
end)
