--- lnn.chapter6: the book's chapter 6 runs (network3.py), 6.1 to 6.8, one
-- entry each, and the pieces a run is made of (data, train, write_results,
-- report).  Every run prints network3.py's lines and, at the end, the book's
-- figure beside its own.  6.5 to 6.8 train on the expanded set `lnn expand`
-- writes and say so when it is missing.  Like lnn.experiments, each run
-- writes <out>/<id>.json (every epoch's figures) and <id>.svg (the
-- validation accuracy curve), id naming the run (lnn.registry.run_id), and
-- keeps <out>/<id>.checkpoint while it trains (lnn.resume).  The command line (`lnn experiment ch6_N`,
-- scripts/experiments/ch6_N.lua) lives in lnn.commands.experiment; errors
-- here are raised, never printed and exited.
-- @internal lnn.chapter6
local core = require "lnn.core"
local json = require "lnn.json"
local mnist_loader = require "lnn.mnist_loader"
local network3 = require "lnn.network3"
local plot = require "lnn.plot"
local runinfo = require "lnn.runinfo"
local distributed = require "lnn.distributed"

local X = {}

--- data(opts, expanded): training, validation and test sets from opts.data,
--- cut to opts.train_size / opts.eval_size.  The expanded set must have been
--- written by `lnn expand`; without it the error says so.
-- @param opts options table (the keys are listed above)
-- @param expanded whether to read the expanded training set
-- @return training, validation and test sets from opts.data, cut to opts.train_size /
--  opts.eval_size
function X.data(opts, expanded)
  local ok, tr, va, te = pcall(mnist_loader.load_data, opts.data, expanded and {expanded = true} or nil)
  if not ok then
    if expanded and tostring(tr):find("expanded", 1, true) then
      error(("the expanded training set is missing (%s).\nThis run needs the 250,000 images that "
        .. "`lnn expand` (in a checkout: lua scripts/expand_mnist.lua) writes next to MNIST; run it first.")
        :format(tostring(tr)), 0)
    end
    error(tr, 0)
  end
  if opts.train_size then tr = tr:slice(1, math.min(opts.train_size, #tr)) end
  if opts.eval_size then
    va = va:slice(1, math.min(opts.eval_size, #va))
    te = te:slice(1, math.min(opts.eval_size, #te))
  end
  return tr, va, te
end

local function pct(x) return x and ("%.2f%%"):format(100 * x) or "-" end

--- train(run, opts, tr, va, te [, seed [, dist [, part]]]): builds run.layers(network3,
--- mini_batch_size) and trains it as the book does (data-parallel over dist's
--- ranks, an lnn.distributed run; opts.stop, a run's catch_signals(), stops it
--- after an epoch); returns the network, the best validation accuracy, its
--- iteration, the test accuracy there, the wall time and the epochs' infos.
--- part, to checkpoint and resume: {sgd = network3's SGD state, epochs = the
--- infos of the epochs run, seconds = their wall time, restore = function(net)
--- (puts a checkpoint's network in place) or nil, checkpoint = function(net,
--- part) (called after every whole epoch, on rank 0)}.
-- @param run a chapter 6 run (lnn.chapter6.list entry)
-- @param opts options table (the keys are listed above)
-- @param tr the training set
-- @param va the validation set
-- @param te the test set
-- @param seed a random seed
-- @param dist the lnn.distributed run to train over (its ranks share each mini-batch)
-- @param part where the run is, and its checkpoint hooks (above)
-- @return builds run.layers(network3, mini_batch_size) and trains it as the book does
--  (data-parallel over dist's ranks, an lnn.distributed run); returns the network, the best
--  validation accuracy, its iteration, the test accuracy there and the wall time
function X.train(run, opts, tr, va, te, seed, dist, part)
  local mbs = run.mini_batch_size or 10
  if #tr < mbs then -- the command's flag, said before any work (SGD's own check names SGD's argument)
    error(("--train-size %d: fewer training images than one mini-batch of %d"):format(#tr, mbs), 0)
  end
  local net = network3.Network(run.layers(network3, mbs), mbs, {seed = seed or opts.seed})
  part = part or {}
  if part.restore then part.restore(net) end
  dist = dist or distributed.start(false)
  -- ranks that would train on other data or for other steps stop here, together (lnn.distributed)
  dist:share(net, function()
    local f = {training_images = #tr, training_checksum = tr:checksum(), epochs = opts.epochs, batch = mbs,
               eta = run.eta, lmbda = run.lmbda, seed = seed or opts.seed, shuffle = opts.shuffle and true or false}
    if va then f.validation_images, f.validation_checksum = #va, va:checksum() end
    if te then f.test_images, f.test_checksum = #te, te:checksum() end
    return f
  end)
  local t0 = core.clock()
  local log = function(line) io.write(line, "\n") io.flush() end
  local epochs = part.epochs or {}
  part.epochs, part.sgd, part.seconds = epochs, part.sgd or {epoch = 0}, part.seconds or 0
  local best, iter, test = net:SGD(tr, opts.epochs, mbs, run.eta, va, te, run.lmbda,
    dist:sgd(net, {quiet = opts.quiet, shuffle = opts.shuffle, log = log, progress = opts.progress,
                   -- data-parallel ranks stop together; a network a rank trains alone, alone
                   should_stop = opts.stop and (dist.comm and opts.stop.should_stop or opts.stop.should_stop_here),
                   state = part.sgd,
                   on_epoch = function(info)
                     epochs[#epochs + 1] = info
                     if part.checkpoint then
                       part.seconds = part.seconds + (core.clock() - t0)
                       t0 = core.clock()
                       part.checkpoint(net, part)
                     end
                   end}))
  return net, best, iter, test, part.seconds + (core.clock() - t0), epochs
end

--- curves(metrics): the charts of a run's metrics (as write_results gets them
--- or its JSON file holds them): a list of {suffix = "", field = "plot", spec =}
--- with the plot.svg spec of the validation accuracy per epoch and the test
--- accuracy at each new best, the book's figure as the reference line.  Empty
--- when the run has no epochs (a vote of saved networks).
-- @param metrics the metrics table to write
-- @return the charts of a run's metrics (as write_results gets them or its JSON file holds them): a
--  list of {suffix = "", field = "plot", spec =} with the plot.svg spec of the validation accuracy
--  per epoch and the test accuracy at each new best, the book's figure as the reference line
function X.curves(metrics)
  if not (metrics.epochs and #metrics.epochs > 0) then return {} end
  local run = X.by_name[metrics.experiment] or {}
  local val, test = {}, {}
  for _, e in ipairs(metrics.epochs) do
    val[#val + 1] = {e.epoch, 100 * e.validation_accuracy}
    if e.test_accuracy then test[#test + 1] = {e.epoch, 100 * e.test_accuracy} end
  end
  return {{suffix = "", field = "plot", spec = {title = metrics.about or run.about, xlabel = "epoch",
    ylabel = "accuracy (%)", reference = run.book and {y = 100 * run.book, label = ("book: %.2f%%"):format(100 * run.book)},
    series = {{name = "validation", set = "validation", points = val},
              {name = "test (at a new best validation)", set = "test", points = test}}}}}
end

--- command(run, opts): the command line that runs run with opts.
-- @param run a chapter 6 run (lnn.chapter6.list entry)
-- @param opts options table (the keys are listed above)
-- @return the command line that runs run with opts
function X.command(run, opts)
  local w = {"lnn", "experiment", run.name}
  if opts.epochs ~= run.epochs then w[#w + 1] = "--epochs" w[#w + 1] = tostring(opts.epochs) end
  for _, f in ipairs {"train_size", "eval_size", "nets", "data"} do
    if opts[f] and not (f == "nets" and opts.nets == 5) then
      w[#w + 1] = "--" .. f:gsub("_", "-")
      w[#w + 1] = tostring(opts[f])
    end
  end
  if opts.seed ~= 1 then w[#w + 1] = "--seed" w[#w + 1] = tostring(opts.seed) end
  if opts.shuffle then w[#w + 1] = "--shuffle" end
  if opts.members then w[#w + 1] = "--members" w[#w + 1] = opts.members end
  if opts.mpi then w[#w + 1] = "--mpi" end
  return runinfo.command(w)
end

--- write_results(run, opts, metrics): <out>/<id>.json and, when
--- metrics.epochs has any, <out>/<id>.svg (id: lnn.registry.run_id of the
--- run and opts); returns the JSON's path.
-- @param run a chapter 6 run (lnn.chapter6.list entry)
-- @param opts options table (the keys are listed above)
-- @param metrics the metrics table to write
-- @return <out>/<id>.json and, when metrics.epochs has any, <out>/<id>.svg; returns the JSON's
--  path
function X.write_results(run, opts, metrics)
  local out = opts.out or "results/experiments"
  metrics.experiment, metrics.about, metrics.book = run.name, run.about, run.book
  metrics.seed, metrics.shuffle = opts.seed, opts.shuffle and true or false
  metrics.options = {epochs = opts.epochs, train_size = opts.train_size, eval_size = opts.eval_size,
                     nets = opts.nets, members = opts.members}
  -- the command line that ran (lnn experiment records its argv), else one made from opts
  metrics.run = runinfo.describe(opts.command or X.command(run, opts))
  core.tools.mkdir(out)
  local id = require("lnn.registry").run_id(run.name, opts)
  for _, c in ipairs(X.curves(metrics)) do
    metrics[c.field] = ("%s/%s%s.svg"):format(out, id, c.suffix)
    plot.write(metrics[c.field], c.spec)
  end
  metrics.file = ("%s/%s.json"):format(out, id)
  core.write_file(metrics.file, json.encode(metrics) .. "\n")
  return metrics.file
end

--- report(run, opts, test, ntrain, seconds [, epochs]): the book's figure
--- beside ours (epochs: those run, when fewer than opts.epochs).
-- @param run a chapter 6 run (lnn.chapter6.list entry)
-- @param opts options table (the keys are listed above)
-- @param test the test accuracy (0..1)
-- @param ntrain training images used
-- @param seconds wall time in seconds
-- @param epochs the epochs run (default opts.epochs)
function X.report(run, opts, test, ntrain, seconds, epochs)
  print(("%s test accuracy at the best validation accuracy: book %s after %d epochs | lnn %s after %d epochs (seed %d, %d training images, %s)")
    :format(run.name6, pct(run.book), run.epochs, pct(test), epochs or opts.epochs, opts.seed, ntrain,
      require("lnn.progress").seconds(seconds)))
end

--- conv_run(run): the networks of 6.2 to 6.8: run.convs (default 2) conv-pool
--- layers (20x1x5x5, then 40x20x5x5, 2x2 pools), FC layers of sizes run.fc
--- (default {100}), softmax, all with run.activation (a network3 name, default
--- "ReLU"); dropout run.p_dropout on the FC and softmax inputs.  ReLU runs use
--- eta 0.03 and lmbda 0.1 unless run says otherwise.
-- @param run a chapter 6 run (lnn.chapter6.list entry)
-- @return the networks of 6.2 to 6.8: run.convs (default 2) conv-pool layers (20x1x5x5, then
--  40x20x5x5, 2x2 pools), FC layers of sizes run.fc (default {100}), softmax, all with
--  run.activation (a network3 name, default "ReLU"); dropout run.p_dropout on the FC and softmax
--  inputs
function X.conv_run(run)
  local act = run.activation or "ReLU"
  if act == "ReLU" then
    run.eta = run.eta or 0.03
    if run.lmbda == nil then run.lmbda = 0.1 end
  end
  local fc, p = run.fc or {100}, run.p_dropout or 0.0
  run.layers = function(n3, mbs)
    local f = n3[act]
    local layers = {
      n3.ConvPoolLayer {image_shape = {mbs, 1, 28, 28}, filter_shape = {20, 1, 5, 5}, poolsize = {2, 2},
                        activation_fn = f}}
    local n_in = 20 * 12 * 12
    if (run.convs or 2) == 2 then
      layers[2] = n3.ConvPoolLayer {image_shape = {mbs, 20, 12, 12}, filter_shape = {40, 20, 5, 5},
                                    poolsize = {2, 2}, activation_fn = f}
      n_in = 40 * 4 * 4
    end
    for _, n in ipairs(fc) do
      layers[#layers + 1] = n3.FullyConnectedLayer {n_in = n_in, n_out = n, activation_fn = f, p_dropout = p}
      n_in = n
    end
    layers[#layers + 1] = n3.SoftmaxLayer {n_in = n_in, n_out = 10, p_dropout = p}
    return layers
  end
  return run
end

--- dropout_run(run): the 6.7 family: two FC layers of 1000, dropout 0.5,
--- expanded data, 40 epochs, no L2 (the book's call passes no lmbda).
-- @param run a chapter 6 run (lnn.chapter6.list entry)
-- @return the 6.7 family: two FC layers of 1000, dropout 0.5, expanded data, 40 epochs, no L2 (the
--  book's call passes no lmbda)
function X.dropout_run(run)
  run.fc, run.p_dropout, run.expanded, run.lmbda = {1000, 1000}, 0.5, true, 0.0
  run.epochs = run.epochs or 40
  return run
end

X.list = {
  {name = "ch6_1", name6 = "6.1", book = 0.9780, epochs = 60, eta = 0.1,
   about = "6.1: FullyConnectedLayer(784, 100, sigmoid) + SoftmaxLayer(100, 10); batch 10, eta 0.1 (book: 97.80%)",
   layers = function(n3)
     return {n3.FullyConnectedLayer {n_in = 784, n_out = 100},
             n3.SoftmaxLayer {n_in = 100, n_out = 10}}
   end},
  X.conv_run {name = "ch6_2", name6 = "6.2", book = 0.9878, epochs = 60, eta = 0.1, lmbda = 0.0,
   activation = "sigmoid", convs = 1,
   about = "6.2: ConvPoolLayer(20x1x5x5, pool 2x2) + FC(2880, 100) + Softmax(100, 10), sigmoid; batch 10, eta 0.1 (book: 98.78%)"},
  X.conv_run {name = "ch6_3", name6 = "6.3", book = 0.9906, epochs = 60, eta = 0.1, lmbda = 0.0,
   activation = "sigmoid", convs = 2,
   about = "6.3: ConvPool(20x1x5x5) + ConvPool(40x20x5x5) + FC(640, 100) + Softmax, sigmoid; batch 10, eta 0.1 (book: 99.06%)"},
  X.conv_run {name = "ch6_4", name6 = "6.4", book = 0.9923, epochs = 60,
   about = "6.4: ConvPool(20x1x5x5) + ConvPool(40x20x5x5) + FC(640, 100) + Softmax, ReLU; batch 10, eta 0.03, lmbda 0.1 (book: 99.23%)"},
  X.conv_run {name = "ch6_5", name6 = "6.5", book = 0.9937, epochs = 60, expanded = true,
   about = "6.5: the 6.4 network on the 250,000 expanded training images (book: 99.37%)"},
  X.conv_run {name = "ch6_6", name6 = "6.6", book = 0.9943, epochs = 60, expanded = true, fc = {100, 100},
   about = "6.6: ConvPool x2 + FC(640, 100) + FC(100, 100) + Softmax, ReLU, expanded data (book: 99.43%)"},
  X.conv_run(X.dropout_run {name = "ch6_7", name6 = "6.7", book = 0.9960,
   about = "6.7: ConvPool x2 + FC(640, 1000) + FC(1000, 1000) + Softmax, ReLU, dropout 0.5, expanded data, 40 epochs (book: 99.60%)"}),
  X.conv_run(X.dropout_run {name = "ch6_8", name6 = "6.8", book = 0.9967, ensemble = true,
   about = "6.8: a plurality vote of five 6.7 networks (book: 99.67%)"}),
}
X.by_name = {}
for _, r in ipairs(X.list) do
  r.script = r.name .. ".lua"
  X.by_name[r.name] = r
end

return X
