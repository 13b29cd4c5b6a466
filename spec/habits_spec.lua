-- What users of Lua, LuaRocks, Keras and PyTorch expect of lnn (issue 22):
-- "did you mean" for mistyped flags, commands and options; `lnn help CMD`;
-- the SVM's figures explained; a wrong file named for what it is; every
-- network file lnn writes read by `lnn visualize`.
local args = require "lnn.args"
local model = require "lnn.model"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local network3 = require "lnn.network3"
local H = require "helpers"

local ROOT = H.ROOT
local lnn = H.lnn
local q = H.q

describe("did you mean #process", function()
  it("args.suggest names the closest name: a prefix, a typo, a swap; nothing when none is near", function()
    assert.are.equal(" (did you mean '--epochs'?)", args.suggest("epoch", {"epochs", "eta", "seed"}, "--"))
    assert.are.equal(" (did you mean 'train'?)", args.suggest("trian", {"train", "data", "svm"}))
    assert.are.equal(" (did you mean 'lmbda'?)", args.suggest("lambda", {lmbda = true, eta = true}))
    assert.are.equal("", args.suggest("frobnicate", {"train", "data", "svm"}))
    assert.are.equal("", args.suggest("x", {"y", "z"}))
  end)

  it("unknown flags, commands and options say the near name", function()
    local out, status = lnn("train --epoch 3")
    assert.are.equal(2, status, out)
    assert.truthy(out:find("lnn train: unknown option '--epoch' (did you mean '--epochs'?)", 1, true), out)
    out, status = lnn("trian")
    assert.are.equal(2, status, out)
    assert.truthy(out:find("lnn: unknown command 'trian' (did you mean 'train'?)", 1, true), out)
    out, status = lnn("help trian")
    assert.are.equal(2, status, out)
    assert.truthy(out:find("(did you mean 'train'?)", 1, true), out)
    local net = network2.Network({2, 2})
    local d = H.to_data(H.get_dummy_training_data(2, 2, 4))
    H.error_matches(function() net:SGD(d, 1, 1, 1.0, {lmdba = 1}) end,
      "unknown option 'lmdba' to 'SGD' (did you mean 'lmbda'?)")
  end)

  it("lnn help CMD is lnn CMD --help", function()
    for _, cmd in ipairs {"train", "svm", "visualize"} do
      local a, sa = lnn("help " .. cmd)
      local b, sb = lnn(cmd .. " --help")
      assert.are.equal(0, sa, a)
      assert.are.equal(sb, sa)
      assert.are.equal(b, a)
      assert.truthy(a:find("usage: lnn " .. cmd, 1, true), a)
    end
    local top = lnn("help")
    assert.truthy(top:find("commands:", 1, true), top)
  end)
end)

describe("lnn svm", function()
  it("says how its training ended and what the gap is", function()
    local svm = require "lnn.commands.svm"
    local s = svm.convergence({passes = 20, gap = 0.706}, {epochs = 20, tol = 0.1})
    assert.truthy(s:find("stopped after 20 passes over the training images, the --epochs limit, before converging", 1, true), s)
    assert.truthy(s:find("optimality gap 0.706: the spread of the projected gradients in the last pass, 0 at the optimum", 1, true), s)
    s = svm.convergence({passes = 3, gap = 0.05}, {epochs = 20, tol = 0.1})
    assert.truthy(s:find("converged after 3 passes", 1, true), s)
    assert.truthy(s:find("below --tol 0.1", 1, true), s)
  end)
end)

describe("a wrong file #slow #process", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  local function files()
    H.write_file(dir .. "/metrics.json", '{"epochs":[{"epoch":0,"seconds":0.1,"correct":9000,"total":10000}]}\n')
    network2.Network({784, 5, 10}, nil, {seed = 1}):save(dir .. "/n2.json")
    network3.Network({network3.ConvPoolLayer {image_shape = {10, 1, 28, 28}, filter_shape = {2, 1, 5, 5},
      poolsize = {2, 2}}, network3.SoftmaxLayer {n_in = 2 * 12 * 12, n_out = 10}}, 10, {seed = 1}):save(dir .. "/conv.lnn")
    network.Network({784, 5, 10}, {seed = 1}):save(dir .. "/n1.lnn")
  end

  it("is named for what it is: metrics JSON, network2 JSON, a conv net", function()
    files()
    for _, c in ipairs {
      {"metrics.json", "is a metrics JSON file (the per-epoch figures --metrics and the experiments write), not a network"},
      {"n2.json", "is a network2 JSON file (network2.py's layout: sizes, weights, biases, cost)"},
      {"conv.lnn", "is a chapter 6 conv net (an lnn model saved by lnn.network3)"},
    } do
      local out, status = lnn(("train --epochs 1 --load %s/%s"):format(dir, c[1]))
      assert.are.equal(1, status, out)
      assert.truthy(out:find(("lnn train: --load %s/%s %s; --load takes a network saved by lnn train --save or --backups")
        :format(dir, c[1], c[2]), 1, true), out)
      assert.falsy(out:find("header length", 1, true), out)
    end
    -- the library says it too
    H.error_matches(function() network.load(dir .. "/metrics.json") end,
      "not an lnn model file: it is a metrics JSON file")
    H.error_matches(function() network2.load(dir .. "/metrics.json") end,
      'no "sizes": not a network (it is a metrics JSON file')
  end)

  it("lnn visualize reads every network file lnn writes", function()
    assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
    files()
    -- 100 test images: an untrained network's 90 wrong ones are quick to draw
    local data = dir .. "/data"
    assert(os.execute(("mkdir %s && lua5.4 scripts/mnist_subset.lua %s 10100 100 >/dev/null"):format(data, data)))
    for _, f in ipairs {"n1.lnn", "n2.json", "conv.lnn"} do
      local out, status = lnn(("visualize %s/%s --data %s --out %s/vis-%s"):format(dir, f, data, dir, f))
      assert.are.equal(0, status, out)
      assert.truthy(out:find("\n%d+ / 100\n"), out)
      assert.truthy(io.open(("%s/vis-%s/weights.png"):format(dir, f)), f)
    end
    assert.truthy(io.open(dir .. "/vis-conv.lnn/weights/neuron-1.png"))
    local out, status = lnn(("visualize %s/metrics.json --data %s --out %s/vis"):format(dir, data, dir))
    assert.are.equal(1, status, out)
    assert.truthy(out:find("is a metrics JSON file", 1, true), out)
    -- --checkpoints scores them all and says what the others are
    os.execute(("mkdir %s/ck && cp %s/metrics.json %s/n2.json %s/conv.lnn %s/ck/"):format(dir, dir, dir, dir, dir))
    out, status = lnn(("visualize --checkpoints %s/ck --data %s"):format(dir, data))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("n2.json%s+after%s+0 epochs: %d+ / 100"), out)
    assert.truthy(out:find("conv.lnn%s+after%s+0 epochs: %d+ / 100"), out)
    assert.truthy(out:find("metrics.json%s+skipped: it is a metrics JSON file"), out)
    assert.are.same(model.load_any(dir .. "/n2.json").weights[1]:totable(), network2.load(dir .. "/n2.json").weights[1]:totable())
  end)
end)

describe("output folders named by a flag #slow #mnist #process", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("are created (README's --metrics results/train/mine.json), with a clear error only when impossible", function()
    local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
    local out, status = H.sh(("cd %s && lua5.4 %s/bin/lnn train --epochs 1 --train-size 1000 --data %s/%s --quiet"
      .. " --metrics results/train/mine.json --save nets/a/b/net.lnn"):format(dir, ROOT, ROOT, data))
    assert.are.equal(0, status, out)
    assert.truthy(H.read_file(dir .. "/results/train/mine.json"):find('"epochs"', 1, true))
    assert.truthy(network.load(dir .. "/nets/a/b/net.lnn"))
    -- a file on the way: a usage error naming the flag, and nothing made
    H.write_file(dir .. "/plain", "x")
    out, status = lnn(("train --epochs 1 --metrics %s/plain/sub/m.json"):format(dir))
    assert.are.equal(2, status, out)
    assert.truthy(out:find("lnn train: option '--metrics': ", 1, true), out)
    assert.falsy(out:find("%.lua:%d+:"), out)
    -- --help makes nothing
    out, status = lnn(("train --metrics %s/never/m.json --help"):format(dir))
    assert.are.equal(0, status, out)
    assert.falsy(io.open(dir .. "/never"))
  end)
end)

describe("before scripts/setup.sh #process", function()
  it("train.lua, bin/lnn and require 'lnn' say in one line that lnn.core is missing and what builds it", function()
    local dir, cleanup = H.tmpdir()
    -- a checkout's files without build/
    assert(os.execute(("mkdir -p %s/src/scripts && cp -r lua bin train.lua %s/src/ && cp scripts/bootstrap.lua scripts/setup.sh %s/src/scripts/")
      :format(dir, dir, dir)))
    local src = dir .. "/src"
    for _, cmd in ipairs {
      ("cd %s && lua5.4 train.lua --epochs 1"):format(src),
      ("cd %s && lua5.4 bin/lnn --help"):format(src),
      ("cd / && lua5.4 %s/bin/lnn train --epochs 1"):format(src),
      ("cd %s && env -u LUA_CPATH LUA_PATH='lua/?.lua;lua/?/init.lua;;' lua5.4 -e 'require \"lnn\"'"):format(src),
    } do
      local out, status = H.sh(cmd)
      assert.are.equal(1, status, cmd .. ": " .. out)
      assert.are.equal(1, select(2, out:gsub("\n", "")), cmd .. ": " .. out) -- one line
      assert.truthy(out:find("lnn's C core (lnn.core, build/lnn/core.so) is not built yet: run ", 1, true), out)
      assert.truthy(out:find("scripts/setup.sh\n", 1, true), out)
    end
    cleanup()
  end)
end)

describe("data sets as Lua sequences", function()
  local core = require "lnn.core"
  local d = core.Data({{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, 9}}, {0, 1, 0, 1, 1}, 2)

  it("ipairs and # see every item, an index past either end is nil", function()
    local seen = {}
    for i, item in ipairs(d:slice(2, 4)) do seen[i] = {item[1]:totable(true)[1], item[2]} end
    assert.are.same({{2, 1}, {4, 0}, {6, 1}}, seen)
    assert.are.equal(3, #d:slice(2, 4))
    assert.is_nil(d[0])
    assert.is_nil(d[6])
    assert.is_nil(d[-1])
    assert.are.equal(8, d[5.0][1]:totable(true)[1])
    -- an explicit get still says what is wrong
    H.error_matches(function() d:get(6) end, "index 6 out of range 1..5")
    H.error_matches(function() return d[{}] end, "item index or method name expected, got table")
    H.error_matches(function() return d[2.5] end, "item index expected (an integer), got 2.5")
  end)

  it("batches(size) gives the mini-batches in order, the last one the rest", function()
    local got = {}
    for k, batch in d:batches(2) do
      got[k] = {}
      for i, item in ipairs(batch) do got[k][i] = item[2] end
    end
    assert.are.same({{0, 1}, {0, 1}, {1}}, got)
    local n = 0
    for _ in d:batches(10) do n = n + 1 end
    assert.are.equal(1, n)
  end)
end)

describe("predict on one input", function()
  it("gives the class of a table or Matrix input, as predict on a data set does, on every face", function()
    local core = require "lnn.core"
    local mynet = require "lnn.mynet"
    local rng = core.Rng(7)
    local xs = {}
    for i = 1, 4 do
      xs[i] = {}
      for j = 1, 16 do xs[i][j] = rng:uniform() end
    end
    local d = core.Data(xs, {0, 1, 2, 0}, 3)
    local nets = {
      network.Network({16, 5, 3}, {seed = 1}),
      network2.Network({16, 5, 3}, nil, {seed = 2}),
      mynet.Network({16, 5, 3}, {seed = 3, backupDir = false}),
      network3.Network({network3.ConvPoolLayer {image_shape = {1, 1, 4, 4}, filter_shape = {2, 1, 3, 3}, poolsize = {2, 2}},
        network3.SoftmaxLayer {n_in = 2, n_out = 3}}, 1, {seed = 4}),
    }
    nets[5] = network3.ensemble {nets[4], nets[4]}
    for n, net in ipairs(nets) do
      local all = net:predict(d)
      assert.are.equal(4, #all)
      for i = 1, 4 do
        assert.are.equal(all[i], net:predict(xs[i]), n)                      -- a table
        assert.are.equal(all[i], net:predict(core.Matrix(16, 1, 0):copy_from(core.Matrix({xs[i]}):reshape(16, 1))), n)
        assert.are.equal(all[i], net:predict(core.Matrix({xs[i]})), n)      -- a 1x16 row
      end
      assert.are.same(all, net:predict(core.Matrix(xs)), n)                  -- rows of inputs: a list
      H.error_matches(function() net:predict({1, 2, 3}) end, "bad argument #1 to 'predict'",
        "16 input values (or rows of 16) expected, got 3x1")
      H.error_matches(function() net:predict(core.Matrix(2, 5)) end, "got 2x5")
      H.error_matches(function() net:predict(5) end, "bad argument #1 to 'predict'")
    end
  end)
end)

describe("the progress bar #slow #process", function()
  local have_script = os.execute("command -v script >/dev/null 2>&1")
  local dir, cleanup, data
  setup(function()
    assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
    dir, cleanup = H.tmpdir()
    data = dir .. "/data"
    assert(os.execute(("mkdir %s && lua5.4 scripts/mnist_subset.lua %s 12000 100 >/dev/null"):format(data, data)))
  end)
  teardown(function() cleanup() end)

  -- the output of a command run on a terminal (script's pseudo-terminal)
  -- (the sanitized suite preloads ASan: lua needs it, script must not carry it,
  -- or LeakSanitizer reports script's own allocations and fails the run)
  local function on_tty(env, args)
    local inner, preload = ("lua5.4 %s/bin/lnn %s"):format(ROOT, args), os.getenv("LD_PRELOAD")
    if preload and preload ~= "" then inner = ("LD_PRELOAD=%s %s"):format(preload, inner) end
    return H.sh(("%s env -u LD_PRELOAD script -qec %s /dev/null"):format(env, q(inner)))
  end
  local BAR = "\r\27[K["

  it("is drawn by every training command on a terminal, never in a pipe or on an MPI rank unless asked", function()
    if not have_script then pending("script (util-linux) is missing: no pseudo-terminal to test on") return end
    local train = ("train --epochs 2 --train-size 2000 --data %s"):format(data)
    local exp = ("experiment ch3_ce_30 --epochs 1 --train-size 1000 --data %s --out %s/exp"):format(data, dir)
    local ch6 = ("experiment ch6_1 --epochs 1 --train-size 1000 --eval-size 100 --data %s --out %s/exp"):format(data, dir)
    local sweep = ("sweep --epochs 1 --train-size 1000 --data %s --out %s/sweep.json"):format(data, dir)
    local boot = ("bootstrap-training --per-round 1 --max-rounds 1 --train-size 1000 --data %s"):format(data)
    for _, cmd in ipairs {train, exp, ch6, sweep, boot} do
      local out, status = on_tty("", cmd)
      assert.are.equal(0, status, cmd .. ": " .. out)
      assert.truthy(out:find(BAR, 1, true), cmd .. ": no bar on a terminal:\n" .. out)
      out = on_tty("", cmd .. " --no-progress")
      assert.falsy(out:find("\27", 1, true), cmd .. " --no-progress:\n" .. out)
      out = on_tty("", cmd .. " --quiet")
      assert.falsy(out:find("\27", 1, true), cmd .. " --quiet:\n" .. out)
    end
    -- a rank of mpirun has a pseudo-terminal (OpenMPI's): no bar unless --progress, and then on rank 0 alone
    local out = on_tty("OMPI_COMM_WORLD_RANK=0 OMPI_COMM_WORLD_SIZE=2", train)
    assert.falsy(out:find("\27", 1, true), out)
    out = on_tty("OMPI_COMM_WORLD_RANK=0 OMPI_COMM_WORLD_SIZE=2", train .. " --progress")
    assert.truthy(out:find(BAR, 1, true), out)
    out = on_tty("OMPI_COMM_WORLD_RANK=1 OMPI_COMM_WORLD_SIZE=2", train .. " --progress")
    assert.falsy(out:find("\27", 1, true), out)
    -- a pipe: plain lines, unless --progress
    out = lnn(train)
    assert.falsy(out:find("[\r\27]"), out)
    out = lnn(train .. " --progress")
    assert.truthy(out:find(BAR, 1, true), out)
    local bad, st = lnn(train .. " --progress --no-progress")
    assert.are.equal(2, st, bad)
    assert.truthy(bad:find("lnn train: --progress and --no-progress contradict each other", 1, true), bad)
  end)

  it("durations read as seconds, never '0 s'", function()
    local p = require "lnn.progress"
    assert.are.equal("0.04 s", p.seconds(0.04))
    assert.are.equal("12.3 s", p.seconds(12.34))
    assert.are.equal("95 s", p.seconds(95.2))
  end)
end)

describe("one epoch numbering #slow #process", function()
  it("the printed Epoch j is info.epoch, the metrics' epoch and the charts' x; net.epoch counts", function()
    local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
    local dir, cleanup = H.tmpdir()
    local out, status = lnn(("train --epochs 2 --train-size 1000 --data %s --metrics %s/m.json --save %s/n.lnn")
      :format(data, dir, dir))
    assert.are.equal(0, status, out)
    local printed = {}
    for j in out:gmatch("\nEpoch (%d+): ") do printed[#printed + 1] = tonumber(j) end
    assert.are.same({0, 1}, printed)
    local m = require("lnn.json").decode(H.read_file(dir .. "/m.json"))
    assert.are.same({0, 1}, {m.epochs[1].epoch, m.epochs[2].epoch})
    assert.are.equal(2, network.load(dir .. "/n.lnn").epoch) -- a count: 2 epochs trained
    out = lnn(("train --epochs 3 --train-size 1000 --data %s --metrics %s/m.json --load %s/n.lnn")
      :format(data, dir, dir))
    assert.truthy(out:find("resuming after epoch 1", 1, true), out)
    assert.truthy(out:find("\nEpoch 2: ", 1, true), out)
    m = require("lnn.json").decode(H.read_file(dir .. "/m.json"))
    assert.are.same({0, 1, 2}, {m.epochs[1].epoch, m.epochs[2].epoch, m.epochs[3].epoch})
    -- on_epoch, face by face: the number the face prints
    local d = H.to_data(H.get_dummy_training_data(4, 2, 20))
    for _, c in ipairs {
      {network.Network({4, 3, 2}, {seed = 1}), function(n, o) return n:SGD(d, 2, 5, 1.0, nil, o) end, "Epoch %d complete"},
      {network2.Network({4, 3, 2}, nil, {seed = 1}), function(n, o) return n:SGD(d, 2, 5, 1.0, o) end, "Epoch %d training complete"},
    } do
      local lines, seen = {}, {}
      c[2](c[1], {log = function(l) lines[#lines + 1] = l end, on_epoch = function(info) seen[#seen + 1] = info.epoch end})
      assert.are.same({0, 1}, seen)
      assert.are.equal(c[3]:format(0), lines[1])
    end
    cleanup()
  end)
end)
