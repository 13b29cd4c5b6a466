-- ch6_common.lua: what the chapter 6 runs (ch6_1 .. ch6_8) share: finding lnn
-- from the source tree, the flags, loading MNIST (or the expanded set), and
-- printing the book's figure beside ours.  Each ch6_N.lua only describes its
-- network and hyper-parameters.  Not a module of lnn: loaded with dofile.
if _VERSION ~= "Lua 5.4" then
  io.stderr:write(("lnn needs Lua 5.4 but this is %s; run the script with lua5.4\n"):format(_VERSION))
  os.exit(1)
end
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local root = here:match("^(.*)/scripts/experiments$") or (here .. "/../..")
do
  local f = io.open(root .. "/lua/lnn/init.lua")
  if f then
    f:close()
    package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
    package.cpath = root .. "/build/?.so;" .. package.cpath
  end
end

local core = require "lnn.core"
local cli = require "lnn.cli"
local mnist_loader = require "lnn.mnist_loader"
local network3 = require "lnn.network3"

local X = {network3 = network3, core = core, cli = cli}

local function die(prog, msg)
  io.stderr:write(prog, ": ", (tostring(msg):gsub("^[^:\n]+%.lua:%d+: ", "")), "\n")
  os.exit(1)
end
X.die = die

--- flags(run): the flags every chapter 6 script takes, with run's defaults.
function X.flags(run, extra)
  local f = {
    {name = "epochs", kind = "int", default = run.epochs, help = "epochs (the book's count by default)", check = cli.nonnegative},
    {name = "seed", kind = "int", default = 1, help = "random seed (initial weights, dropout masks)"},
    {name = "data", kind = "string", help = "MNIST folder (default: the tree's data/)", arg = "DIR"},
    {name = "train-size", kind = "int", help = "train on the first N images only (a quick run)", check = cli.positive, arg = "N"},
    {name = "eval-size", kind = "int", help = "validate and test on the first N images only", check = cli.positive, arg = "N"},
    {name = "save", kind = "string", help = "save the trained network here", arg = "FILE"},
    {name = "shuffle", kind = "flag", help = "shuffle the training data every epoch (network3.py does not)"},
    {name = "quiet", kind = "flag", help = "print only the result lines"},
  }
  for _, e in ipairs(extra or {}) do f[#f + 1] = e end
  return f
end

--- data(prog, opts, expanded): training, validation and test sets, cut to
--- --train-size / --eval-size.  The expanded set must have been written by
--- scripts/expand_mnist.lua; without it this stops with a message saying so.
function X.data(prog, opts, expanded)
  local ok, tr, va, te = pcall(mnist_loader.load_data, opts.data, expanded and {expanded = true} or nil)
  if not ok then
    if expanded then
      die(prog, ("the expanded training set is missing (%s).\nThis run needs the 250,000 images that "
        .. "scripts/expand_mnist.lua writes next to MNIST; run it first."):format(tr))
    end
    die(prog, tr)
  end
  if opts.train_size then tr = tr:slice(1, math.min(opts.train_size, #tr)) end
  if opts.eval_size then
    va = va:slice(1, math.min(opts.eval_size, #va))
    te = te:slice(1, math.min(opts.eval_size, #te))
  end
  return tr, va, te
end

local function pct(x) return x and ("%.2f%%"):format(100 * x) or "-" end
X.pct = pct

--- train(prog, run, opts, seed): builds run.layers(network3, mini_batch_size)
--- and trains it as the book does; returns the network, the best validation
--- accuracy, its iteration, the test accuracy there and the wall time.
function X.train(prog, run, opts, tr, va, te, seed)
  local mbs = run.mini_batch_size or 10
  local net = network3.Network(run.layers(network3, mbs), mbs, {seed = seed or opts.seed})
  local t0 = core.clock()
  local log = function(line) io.write(line, "\n") io.flush() end
  local ok, best, iter, test = pcall(net.SGD, net, tr, opts.epochs, mbs, run.eta, va, te, run.lmbda,
    {quiet = opts.quiet, shuffle = opts.shuffle, log = log})
  if not ok then die(prog, best) end
  return net, best, iter, test, core.clock() - t0
end

--- report(run, opts, test, seconds): the book's figure beside ours.
function X.report(run, opts, test, seconds, what)
  print(("%s %s: book %s after %d epochs | lnn %s after %d epochs (seed %d, %d training images, %.0f s)")
    :format(run.name, what or "test accuracy at the best validation accuracy", pct(run.book), run.epochs,
      pct(test), opts.epochs, opts.seed, opts.train_size or (run.expanded and 250000 or 50000), seconds))
end

--- conv_run(run): the networks of 6.2 to 6.8: run.convs (default 2) conv-pool
--- layers (20x1x5x5, then 40x20x5x5, 2x2 pools), FC layers of sizes run.fc
--- (default {100}), softmax, all with run.activation (a network3 name, default
--- "ReLU"); dropout run.p_dropout on the FC and softmax inputs.  ReLU runs use
--- eta 0.03 and lmbda 0.1 unless run says otherwise.
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
function X.dropout_run(run)
  run.fc, run.p_dropout, run.expanded, run.lmbda = {1000, 1000}, 0.5, true, 0.0
  run.epochs = run.epochs or 40
  return run
end

--- main(run): a whole chapter 6 run from the command line.
function X.main(run)
  local prog = "scripts/experiments/" .. run.script
  local opts = cli.parse(arg, X.flags(run), prog, run.about)
  if #opts > 0 then cli.fail(prog, ("unexpected argument '%s'"):format(opts[1])) end
  local tr, va, te = X.data(prog, opts, run.expanded)
  if not opts.quiet then print(run.about) end
  local net, _, _, test, seconds = X.train(prog, run, opts, tr, va, te)
  if opts.save then
    local ok, err = pcall(net.save, net, opts.save)
    if not ok then die(prog, err) end
  end
  X.report(run, opts, test, seconds)
  return net, test
end

return X
