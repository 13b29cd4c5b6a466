--- lnn bench: lnn's benchmark (not a test).  For each workload it times whole
-- training epochs over MNIST's 50,000 training images (median of --repeat),
-- reports GFLOP/s of the products, the time to load MNIST from gz and the peak
-- RSS of a one-epoch `lnn train` run (W4: of a one-epoch W4 run in a child
-- process).  lnn bench --help
-- @internal lnn.commands.bench
local core = require "lnn.core"
local cli = require "lnn.cli"
local mnist_loader = require "lnn.mnist_loader"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local toolkit = require "lnn.commands.toolkit"

local M = {summary = "time lnn's workloads W1, W2 and W4 on MNIST (a benchmark, not a test)"}
M.flags = {
  {name = "workload", kind = "string", default = "all", help = "W1, W2, W4 or all"},
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

-- W4 timed: network3's SGD epochs, then inference on the test set
local function run_w4(opts, training_data, validation_data, test_data)
  local network3 = require "lnn.network3"
  local tr, te = training_data, test_data -- the same bytes load_data gives (one-hot is a view)
  local mbs = 10
  local net = network3.Network({
    network3.ConvPoolLayer {image_shape = {mbs, 1, 28, 28}, filter_shape = {20, 1, 5, 5}, poolsize = {2, 2},
                            activation_fn = network3.ReLU},
    network3.ConvPoolLayer {image_shape = {mbs, 20, 12, 12}, filter_shape = {40, 20, 5, 5}, poolsize = {2, 2},
                            activation_fn = network3.ReLU},
    network3.FullyConnectedLayer {n_in = 640, n_out = 100, activation_fn = network3.ReLU},
    network3.SoftmaxLayer {n_in = 100, n_out = 10}}, mbs, {seed = 1})
  local times = {}
  for r = 1, opts["repeat"] do
    -- one epoch of network3's SGD (no shuffle, L2 over num_training_batches);
    -- info.seconds times its training step alone, not the validation pass
    net:SGD(tr, 1, mbs, 0.03, validation_data, nil, 0.1, {quiet = true,
      on_epoch = function(info) times[r] = info.seconds end})
  end
  local t = core.clock()
  local correct = math.floor(net:accuracy(te) * #te + 0.5)
  local tinf = core.clock() - t
  local med = median(times)
  print("W4 the book's 6.4 network: ConvPool 20x1x5x5 + ConvPool 40x20x5x5 + FC 100 + softmax, ReLU,"
    .. " batch 10, eta 0.03, lmbda 0.1 (network3.py)")
  print(("W4   epoch over %d images: median %.3f s (min %.3f, max %.3f, %d runs), %.1f GFLOP/s dense-equivalent"):format(
    #tr, med, math.min(table.unpack(times)), math.max(table.unpack(times)), #times, conv64_flops() * #tr / med / 1e9))
  print(("W4   inference on %d test images: %.3f s (%d correct after %d epochs)"):format(#te, tinf, correct, #times))
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

  for _, name in ipairs(order) do
    if opts.workload == "all" or opts.workload == name then
      run_dense(name, workloads[name], opts, training_data, validation_data, test_data)
    end
  end

  if opts.workload == "all" or opts.workload == "W4" then
    run_w4(opts, training_data, validation_data, test_data)
    if not opts.no_rss then
      local rss, out = child_rss(opts, {"bench", "--workload", "W4", "--repeat", "1", "--no-rss", "--print-rss"})
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
