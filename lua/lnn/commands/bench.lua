--- lnn bench: lnn's benchmark (not a test).  For each workload it times whole
-- training epochs over MNIST's 50,000 training images (W7: --w7-images of them;
-- median of --repeat), reports GFLOP/s of the products, the time to load MNIST
-- from gz and the peak RSS of a one-epoch `lnn train` run (W4: of a one-epoch
-- W4 run in a child process).  With --threads T > 1 it also times the workload
-- on one thread and measures what this machine can give: two one-thread runs
-- in two processes at once against one alone (the achievable speed-up), and
-- prints the speed-up as a fraction of it.  lnn bench --help
-- @internal lnn.commands.bench
local core = require "lnn.core"
local cli = require "lnn.cli"
local mnist_loader = require "lnn.mnist_loader"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local toolkit = require "lnn.commands.toolkit"

local M = {summary = "time lnn's workloads W1, W2, W4 and W7 on MNIST (a benchmark, not a test)"}
M.flags = {
  {name = "workload", kind = "string", default = "all", help = "W1, W2, W4, W7 or all",
   check = function(v)
     if not (v == "all" or v == "W1" or v == "W2" or v == "W4" or v == "W7") then return "must be W1, W2, W4, W7 or all" end
   end},
  {name = "w7-images", kind = "int", default = 5000, help = "W7 (the 6.7 network) trains on this many images", check = cli.positive},
  {name = "no-scaling", kind = "flag", help = "with --threads > 1: skip the one-thread and two-process runs"},
  {name = "repeat", kind = "int", default = 5, help = "epochs timed per workload (median reported)", check = cli.positive},
  {name = "data", kind = "string", help = "MNIST folder", arg = "DIR"},
  cli.threads_flag,
  {name = "no-rss", kind = "flag", help = "skip the peak-RSS runs (lnn train, and W4 in a child)"},
  {name = "print-rss", kind = "flag", help = "print this process's peak RSS at the end (used for W4)"},
}
M.about = "Times lnn's workloads on MNIST."

local function median(t)
  local s = {table.unpack(t)}
  table.sort(s)
  local n = #s
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

-- multiply-adds x 2 of one training step per item: forward W x, backward
-- dW = d x^T, and d_prev = W^T d below the first layer
local function dense_flops(sizes)
  local f = 0
  for l = 1, #sizes - 1 do
    local mn = sizes[l] * sizes[l + 1]
    f = f + 2 * mn + 2 * mn + (l > 1 and 2 * mn or 0)
  end
  return f
end

local workloads = {
  W1 = {about = "[784,30,10] sigmoid, quadratic cost, batch 10, eta 3.0 (network.py, ch. 1)",
        sizes = {784, 30, 10}, batch = 10, eta = 3.0},
  W2 = {about = "[784,100,10] sigmoid, cross-entropy, lambda 5.0, batch 10, eta 0.5 (network2.py, ch. 3)",
        sizes = {784, 100, 10}, batch = 10, eta = 0.5, lmbda = 5.0, cost = "CrossEntropyCost",
        monitor = true},
}
local order = {"W1", "W2"}

-- W4: the book's 6.4 network (network3.py) -- 20x1x5x5 and 40x20x5x5
-- conv-pool ReLU layers, FC 100 ReLU, softmax; batch 10, eta 0.03, lmbda 0.1.
-- Its FLOPs are counted as im2col + sgemm would do them (dense-equivalent):
-- forward products, weight gradients, and input gradients below the first
-- layer.  The engine's backward skips the deltas max-pooling zeroes, so it
-- does fewer; GFLOP/s here is work-equivalent, comparable with other libraries.
local function conv64_flops()
  local conv1 = 2 * 20 * 24 * 24 * 25  -- per item: filters x outputs x taps
  local conv2 = 2 * 40 * 8 * 8 * 500
  local fc, sm = 2 * 640 * 100, 2 * 100 * 10
  return (conv1 + conv2 + fc + sm) + (conv1 + conv2 + fc + sm) + (conv2 + fc + sm)
end

-- the peak RSS a child process `lnn ARGS...` prints (with --data when given), or nil and its output
local function child_rss(opts, args)
  if opts.data then args[#args + 1] = "--data=" .. opts.data end
  local p = io.popen(cli.self_command(args) .. " 2>&1")
  local out = p:read("a")
  p:close()
  local rss = out:match("peak RSS: (%d+) kB")
  return tonumber(rss), out
end

-- W7: the book's 6.7 network -- W4's conv-pool layers, FC 1000 and FC 1000
-- (ReLU), softmax, dropout 0.5 on the inputs of the last three; batch 10, eta
-- 0.03, no L2 (network3.py).  A step of 10 is one chunk: threads share it
-- inside the layers (docs/parallel.md).
local function conv67_flops()
  local conv1, conv2 = 2 * 20 * 24 * 24 * 25, 2 * 40 * 8 * 8 * 500
  local fc1, fc2, sm = 2 * 640 * 1000, 2 * 1000 * 1000, 2 * 1000 * 10
  return (conv1 + conv2 + fc1 + fc2 + sm) * 2 + (conv2 + fc1 + fc2 + sm)
end

-- the network3 workloads: their layers, hyper-parameters and FLOPs
local conv_workloads = {
  W4 = {title = "W4 the book's 6.4 network: ConvPool 20x1x5x5 + ConvPool 40x20x5x5 + FC 100 + softmax, ReLU,"
          .. " batch 10, eta 0.03, lmbda 0.1 (network3.py)", fc = {100}, p = 0.0, lmbda = 0.1, flops = conv64_flops},
  W7 = {title = "W7 the book's 6.7 network: ConvPool 20x1x5x5 + ConvPool 40x20x5x5 + FC 1000 + FC 1000 + softmax, ReLU,"
          .. " dropout 0.5, batch 10, eta 0.03, no L2 (network3.py)", fc = {1000, 1000}, p = 0.5, lmbda = 0.0,
        flops = conv67_flops},
}

-- W4 or W7 timed: network3's SGD epochs, then inference on the test set;
-- returns the median epoch's seconds
local function run_conv(name, opts, training_data, validation_data, test_data)
  local network3 = require "lnn.network3"
  local w = conv_workloads[name]
  -- the same bytes load_data gives (one-hot is a view)
  local tr = name == "W7" and training_data:slice(1, math.min(opts.w7_images, #training_data)) or training_data
  local te = test_data
  local mbs, relu = 10, network3.ReLU
  local layers, n_in = {
    network3.ConvPoolLayer {image_shape = {mbs, 1, 28, 28}, filter_shape = {20, 1, 5, 5}, poolsize = {2, 2},
                            activation_fn = relu},
    network3.ConvPoolLayer {image_shape = {mbs, 20, 12, 12}, filter_shape = {40, 20, 5, 5}, poolsize = {2, 2},
                            activation_fn = relu}}, 640
  for _, n in ipairs(w.fc) do
    layers[#layers + 1] = network3.FullyConnectedLayer {n_in = n_in, n_out = n, activation_fn = relu, p_dropout = w.p}
    n_in = n
  end
  layers[#layers + 1] = network3.SoftmaxLayer {n_in = n_in, n_out = 10, p_dropout = w.p}
  local net = network3.Network(layers, mbs, {seed = 1})
  local times = {}
  for r = 1, opts["repeat"] do
    -- one epoch of network3's SGD (no shuffle, L2 over num_training_batches);
    -- info.seconds times its training step alone, not the validation pass
    net:SGD(tr, 1, mbs, 0.03, validation_data, nil, w.lmbda, {quiet = true,
      on_epoch = function(info) times[r] = info.seconds end})
  end
  local t = core.clock()
  local correct = math.floor(net:accuracy(te) * #te + 0.5)
  local tinf = core.clock() - t
  local med = median(times)
  print(w.title)
  print(("%s   epoch over %d images: median %.3f s (min %.3f, max %.3f, %d runs), %.1f GFLOP/s dense-equivalent"):format(
    name, #tr, med, math.min(table.unpack(times)), math.max(table.unpack(times)), #times, w.flops() * #tr / med / 1e9))
  print(("%s   inference on %d test images: %.3f s (%d correct after %d epochs)"):format(name, #te, tinf, correct, #times))
  return med
end

-- a dense workload (W1, W2) timed: its face's SGD epochs, inference, and (W2) the monitored epoch
local function run_dense(name, w, opts, training_data, validation_data, test_data)
  local net = w.cost and network2.Network(w.sizes, network2[w.cost], {seed = 1})
    or network.Network(w.sizes, {seed = 1})
  -- one epoch of the face's SGD a run; info.seconds times its training step alone
  local times = {}
  local function timed(r) return function(info) times[r] = info.seconds end end
  for r = 1, opts["repeat"] do
    if w.cost then
      net:SGD(training_data, 1, w.batch, w.eta, {lmbda = w.lmbda, quiet = true, on_epoch = timed(r)})
    else
      net:SGD(training_data, 1, w.batch, w.eta, nil, {quiet = true, on_epoch = timed(r)})
    end
  end
  local t = core.clock()
  local correct = net:evaluate(test_data)
  local tinf = core.clock() - t
  local med = median(times)
  local gflops = dense_flops(w.sizes) * #training_data / med / 1e9
  print(("%s %s"):format(name, w.about))
  print(("%s   epoch over %d images: median %.4f s (min %.4f, max %.4f, %d runs), %.1f GFLOP/s"):format(
    name, #training_data, med, math.min(table.unpack(times)), math.max(table.unpack(times)), #times, gflops))
  print(("%s   inference on %d test images: %.4f s (%d correct after %d epochs)"):format(name,
    #test_data, tinf, correct, #times))
  local trained = med
  if w.monitor then
    -- network2's SGD epoch monitoring all four lists (training cost and
    -- accuracy over the 50k, evaluation cost and accuracy over validation)
    local whole = {}
    for r = 1, opts["repeat"] do
      local t = core.clock()
      net:SGD(training_data, 1, w.batch, w.eta, {lmbda = w.lmbda, evaluation_data = validation_data,
        monitor_evaluation_cost = true, monitor_evaluation_accuracy = true,
        monitor_training_cost = true, monitor_training_accuracy = true, quiet = true})
      whole[r] = core.clock() - t
    end
    local mw = median(whole)
    print(("%s   epoch monitoring all four lists: median %.4f s (+%.0f%% over training alone)"):format(
      name, mw, 100 * (mw - med) / med))
  end
  return trained
end

--- scaling(one, many, alone, pair): the speed-up of a threaded run and what
-- the machine can give.  Two one-thread runs in two processes at once do
-- twice the work of one alone in the time of the slower, so 2 alone / that
-- time is the speed-up two cores give to independent work (not 2 on a
-- machine whose cores share caches, memory or a power budget, or run other
-- jobs).
-- @tparam number one seconds on one thread
-- @tparam number many seconds on the threads
-- @tparam number alone seconds of a one-thread process alone
-- @tparam {number,number} pair seconds of each of two one-thread processes run at once
-- @treturn number the speed-up one / many
-- @treturn number the achievable speed-up
-- @treturn number the first as a fraction of the second
-- @usage local s, a, f = require("lnn.commands.bench").scaling(1.0, 0.6, 1.0, {1.2, 1.1})
-- assert(math.abs(s - 1 / 0.6) < 1e-12 and math.abs(a - 2 / 1.2) < 1e-12 and math.abs(f - 1.2 / 0.6 / 2) < 1e-12)
function M.scaling(one, many, alone, pair)
  local speedup, achievable = one / many, 2 * alone / math.max(pair[1], pair[2])
  return speedup, achievable, speedup / achievable
end

-- the median epoch a child `lnn bench --workload NAME --threads 1` prints, started
-- now (several run at once); returns a function that waits for it
local function start_child(opts, name, prog)
  local args = {"bench", "--workload", name, "--threads", "1", "--repeat", tostring(opts["repeat"]), "--no-rss"}
  if name == "W7" then args[#args + 1] = "--w7-images=" .. opts.w7_images end
  if opts.data then args[#args + 1] = "--data=" .. opts.data end
  local p = io.popen(cli.self_command(args) .. " 2>&1")
  return function()
    local out = p:read("a")
    p:close()
    local med = out:match(name .. "   epoch over %d+ images: median ([%d.]+) s")
    if not med then cli.refuse(prog, "the one-thread run of " .. name .. " in a child process printed no time:\n" .. out) end
    return tonumber(med)
  end
end

-- with threads > 1: the workload again on one thread, then one child alone
-- and two at once, and the line that compares them
local function scaling_line(name, many, opts, run_again, prog)
  local threads = core.threads()
  core.threads(1)
  local ok, one = pcall(run_again)
  core.threads(threads)
  if not ok then error(one, 0) end
  local alone = start_child(opts, name, prog)()
  local a, b = start_child(opts, name, prog), start_child(opts, name, prog)
  local pair = {a(), b()}
  local speedup, achievable, fraction = M.scaling(one, many, alone, pair)
  print(("%s   %d threads: %.2fx one thread (%.4f s vs %.4f s); achievable %.2fx (two one-thread processes at once,"
    .. " %.4f s and %.4f s, against one alone, %.4f s): %.0f%% of it"):format(name, threads, speedup, many, one,
    achievable, pair[1], pair[2], alone, 100 * fraction))
end

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about)
  cli.no_arguments(opts, prog)
  if opts.threads then core.threads(opts.threads) end

  print(("lnn %s bench: %s, kernels %s, threads %d"):format(core.version, _VERSION, core.simd(), core.threads()))

  local t0 = core.clock()
  local training_data, validation_data, test_data = mnist_loader.load_data_wrapper(opts.data)
  local tload = core.clock() - t0
  print(("load MNIST (70,000 images, gz): %.3f s"):format(tload))

  local scaling = core.threads() > 1 and not opts.no_scaling
  for _, name in ipairs(order) do
    if opts.workload == "all" or opts.workload == name then
      local function again() return run_dense(name, workloads[name], opts, training_data, validation_data, test_data) end
      local many = again()
      if scaling then scaling_line(name, many, opts, again, prog) end
    end
  end

  for _, name in ipairs({"W4", "W7"}) do
    if opts.workload == "all" or opts.workload == name then
      local function again() return run_conv(name, opts, training_data, validation_data, test_data) end
      local many = again()
      if scaling then scaling_line(name, many, opts, again, prog) end
    end
  end

  if opts.workload == "all" or opts.workload == "W4" then
    if not opts.no_rss then
      local rss, out = child_rss(opts, {"bench", "--workload", "W4", "--repeat", "1", "--no-rss", "--no-scaling", "--print-rss"})
      print(rss and ("W4   peak RSS of a one-epoch W4 run (MNIST loaded, train, test): %.1f MB"):format(rss / 1024)
        or ("W4   peak RSS: (not measured) " .. out))
    end
  end

  if opts.print_rss then print(("peak RSS: %d kB"):format(toolkit.peak_rss_kb() or -1)) end

  if not opts.no_rss and (opts.workload == "all" or opts.workload == "W1") then
    local rss, out = child_rss(opts, {"train", "--epochs", "1", "--quiet", "--rss"})
    if rss then
      print(("peak RSS of lnn train --epochs 1: %.1f MB"):format(rss / 1024))
    else
      print("peak RSS of lnn train --epochs 1: (not measured) " .. out)
    end
  end
  return 0
end

return M
