-- lnn.network3 and the engine's conv-pool and dropout layers: finite-difference
-- gradients of every new layer (the fast convolution against its naive twin:
-- spec/kernels_spec.lua), dropout's masks and scaling, network3.py's
-- initialisation, L2 and reporting, save/load, ensembles, bad input.
local core = require "lnn.core"
local n3 = require "lnn.network3"
local model = require "lnn.model"
local json = require "lnn.json"
local H = require "helpers"

local function random_matrix(rows, cols, rng, scale)
  local m = core.Matrix(rows, cols)
  for i = 1, rows do for j = 1, cols do m:set(i, j, (rng:uniform() - 0.5) * (scale or 2)) end end
  return m
end

local function onehots(m, k, rng)
  local Y = core.Matrix(m, k)
  for i = 1, m do Y:set(i, rng:random(k), 1) end
  return Y
end

-- the fast conv-pool kernels against the naive ones, bit for bit: spec/kernels_spec.lua

-- central differences of the summed cost against the engine's gradient;
-- rng: the dropout generator (cloned per evaluation so every one sees the same
-- masks).  Max-pool and ReLU have kinks: where the one-sided differences
-- disagree the parameter sits on one (a tie in a pool window, a ReLU at 0)
-- and is skipped -- a wrong gradient has equal one-sided differences, both
-- away from it -- but at most a tenth of them may be.
local function fd_check(net, X, Y, rng, eps, tol)
  local function grad() return net:gradient(X, Y, rng and rng:clone() or nil) end
  local g, c0 = grad()
  local p = net:params()
  local worst, at, kinks = 0, 0, 0
  for i = 1, p:numel() do
    local old = p:get(i, 1)
    p:set(i, 1, old + eps)
    local _, cp = grad()
    p:set(i, 1, old - eps)
    local _, cm = grad()
    p:set(i, 1, old)
    local numeric = (cp - cm) / (2 * eps)
    if math.abs((cp - c0) - (c0 - cm)) / eps > 0.03 * math.abs(numeric) + 1e-3 then
      kinks = kinks + 1
    else
      local err = math.abs(numeric - g:get(i, 1)) / math.max(2e-2, math.abs(numeric))
      if err > worst then worst, at = err, i end
    end
  end
  assert.is_true(worst < tol, ("worst relative error %g at parameter %d of %d"):format(worst, at, p:numel()))
  assert.is_true(kinks <= p:numel() / 10, ("%d of %d parameters sit on a kink"):format(kinks, p:numel()))
  return g
end

-- N(0,1) weights spread the values of a pool window apart (few ties), scaled
-- so that tanh and softmax do not saturate to float32's 1
local function spread_init(net, rng)
  net:init(rng, "large")
  local p = net:params()
  for _, L in ipairs(net:layout().layers) do
    local f = L.kind == "dense" and 0.3 or 0.5
    for i = 1, L.nweights + L.nbiases do p:set(L.weights + i, 1, f * p:get(L.weights + i, 1)) end
  end
end

describe("finite-difference gradients", function()
  it("conv-pool (tanh and sigmoid, two layers, ragged pools) + softmax log-likelihood", function()
    local rng = core.Rng(21)
    local net = core.Net {cost = "log-likelihood", layers = {
      {kind = "convpool", image = {2, 9, 8}, filters = {3, 2, 3, 2}, pool = {2, 3}, activation = "tanh"},
      {kind = "convpool", image = {3, 3, 2}, filters = {5, 3, 2, 1}, pool = {1, 2}, activation = "sigmoid"},
      {kind = "dense", n_in = 10, n_out = 4, activation = "softmax"}}}
    spread_init(net, rng)
    fd_check(net, random_matrix(4, 144, rng), onehots(4, 4, rng), nil, 1e-3, 3e-2)
  end)

  it("dropout with a fixed mask, before a dense layer and before softmax", function()
    local rng = core.Rng(22)
    local net = core.Net {cost = "log-likelihood", layers = {
      {kind = "dense", n_in = 6, n_out = 7, activation = "sigmoid"},
      {kind = "dropout", n_in = 7, p = 0.4},
      {kind = "dense", n_in = 7, n_out = 5, activation = "tanh"},
      {kind = "dropout", n_in = 5, p = 0.3},
      {kind = "dense", n_in = 5, n_out = 3, activation = "softmax"}}}
    spread_init(net, rng)
    local X, Y = random_matrix(5, 6, rng), onehots(5, 3, rng)
    local drop = core.Rng(5)
    local g = fd_check(net, X, Y, drop, 1e-2, 2e-2)
    -- the masks matter: at inference (no generator) the gradient differs
    assert.is_true(g:maxabsdiff(net:gradient(X, Y)) > 1e-3)
    -- and inference itself is a smooth function with its own right gradient
    fd_check(net, X, Y, nil, 1e-2, 2e-2)
  end)

  it("ReLU conv-pool then dropout then ReLU FC then softmax (the 6.7 stack, small)", function()
    local rng = core.Rng(23)
    local net = core.Net {cost = "log-likelihood", layers = {
      {kind = "convpool", image = {1, 8, 8}, filters = {4, 1, 3, 3}, pool = {2, 2}, activation = "relu"},
      {kind = "dropout", n_in = 36, p = 0.5},
      {kind = "dense", n_in = 36, n_out = 8, activation = "relu"},
      {kind = "dropout", n_in = 8, p = 0.5},
      {kind = "dense", n_in = 8, n_out = 3, activation = "softmax"}}}
    net:init(rng, "network3")
    local b = net:biases(1)
    for f = 1, 4 do b:set(f, 1, 0.5 + rng:uniform()) end -- keep the ReLUs away from their kink
    b = net:biases(3)
    for j = 1, 8 do b:set(j, 1, 0.5 + rng:uniform()) end
    local s = net:params()
    local lay = net:layout().layers[5]
    for i = 1, lay.nweights do s:set(lay.weights + i, 1, rng:uniform() - 0.5) end -- softmax starts at zero
    fd_check(net, random_matrix(3, 64, rng), onehots(3, 3, rng), core.Rng(8), 1e-3, 3e-2)
  end)
end)

describe("dropout", function()
  local function dropout_net(p)
    local net = core.Net {cost = "quadratic", layers = {
      {kind = "dropout", n_in = 1000, p = p},
      {kind = "dense", n_in = 1000, n_out = 1, activation = "linear"}}}
    local W = net:weights(2)
    for k = 1, 1000 do W:set(1, k, 1) end
    return net
  end

  it("keeps each input with probability 1 - p in training, scales by 1 - p at inference", function()
    local net = dropout_net(0.3)
    local X = core.Matrix(4, 1000, 1.0)
    -- with a generator: output = number of kept inputs, about 700 of 1000
    local g, cost = net:gradient(X, core.Matrix(4, 1, 0), core.Rng(1))
    local kept = math.sqrt(2 * cost / 4)
    assert.is_true(kept > 640 and kept < 760, "kept " .. kept)
    -- the weight gradient is the mask times the output: entries are 0 or shared values
    local zeros = 0
    for k = 1, 1000 do if g:get(k, 1) == 0 then zeros = zeros + 1 end end
    assert.is_true(zeros > 0, "no input was ever dropped in all four rows")
    -- inference: exactly 0.7 * 1000
    local out = net:forward(X)
    for i = 1, 4 do assert.is_true(math.abs(out:get(i, 1) - 700) < 1e-2, "inference gave " .. out:get(i, 1)) end
  end)

  it("the same seed gives the same masks and the same training, bit for bit", function()
    local function run(seed)
      local rng = core.Rng(3)
      local net = core.Net {cost = "log-likelihood", layers = {
        {kind = "dense", n_in = 12, n_out = 9, activation = "relu"},
        {kind = "dropout", n_in = 9, p = 0.5},
        {kind = "dense", n_in = 9, n_out = 4, activation = "softmax"}}}
      net:init(rng, "network3")
      local data = H.to_data(H.get_dummy_training_data(12, 4, 40, core.Rng(2)))
      local r = core.Rng(seed)
      for _ = 1, 3 do net:train_epoch(data, r, {eta = 0.1, batch = 4}) end
      return net:params():copy()
    end
    assert.are.equal(0, run(11):maxabsdiff(run(11)))
    assert.is_true(run(11):maxabsdiff(run(12)) > 0, "another seed should drop other inputs")
  end)
end)

-- the network of the book's 6.4, at mini-batch size mbs
local function net64(mbs, seed, extra)
  local layers = {
    n3.ConvPoolLayer {image_shape = {mbs, 1, 28, 28}, filter_shape = {20, 1, 5, 5}, poolsize = {2, 2},
                      activation_fn = n3.ReLU},
    n3.ConvPoolLayer {image_shape = {mbs, 20, 12, 12}, filter_shape = {40, 20, 5, 5}, poolsize = {2, 2},
                      activation_fn = n3.ReLU},
    n3.FullyConnectedLayer {n_in = 640, n_out = 100, activation_fn = n3.ReLU, p_dropout = extra or 0},
    n3.SoftmaxLayer {n_in = 100, n_out = 10, p_dropout = extra or 0}}
  return n3.Network(layers, mbs, {seed = seed})
end

describe("lnn.network3", function()
  it("exports the activation functions, callable on numbers and matrices", function()
    assert.are.equal(0, n3.ReLU(-2))
    assert.are.equal(3, n3.ReLU(3))
    assert.are.equal(0.5, n3.sigmoid(0))
    assert.are.equal(-1.5, n3.linear(-1.5))
    assert.is_true(math.abs(n3.tanh(0.5) - 0.46211715726) < 1e-9)
    local m = n3.ReLU(core.Matrix {{-1, 2}})
    assert.are.same({{0, 2}}, m:totable())
    H.error_matches(function() n3.ReLU("x") end, "bad argument #1 to 'ReLU'", "number or lnn.Matrix expected, got string")
  end)

  it("initialises as network3.py: N(0, 1/n_out) weights, N(0,1) biases, a zero softmax", function()
    local net = net64(10, 1)
    local lay = net._net:layout().layers
    local function sd(l)
      local W = net._net:weights(l)
      local s, n = 0, 0
      for _, row in ipairs(W:totable()) do for _, v in ipairs(row) do s, n = s + v * v, n + 1 end end
      return math.sqrt(s / n)
    end
    -- conv n_out = filters * filter area / pool area
    assert.is_true(math.abs(sd(1) - math.sqrt(1 / (20 * 25 / 4))) < 0.03)
    assert.is_true(math.abs(sd(2) - math.sqrt(1 / (40 * 25 / 4))) < 0.005)
    assert.is_true(math.abs(sd(3) - math.sqrt(1 / 100)) < 0.005)
    assert.are.equal(0, sd(4))
    assert.are.equal(0, net._net:biases(4):maxabsdiff(core.Matrix(10, 1)))
    assert.are.same({20, 25}, {net._net:weights(1):shape()})
    assert.are.same({"convpool", "convpool", "dense", "dense"}, {lay[1].kind, lay[2].kind, lay[3].kind, lay[4].kind})
    -- the same seed, the same network
    assert.are.equal(0, net._net:params():maxabsdiff(net64(10, 1)._net:params()))
  end)

  it("checks shapes when the network is built, naming the layer", function()
    local C = n3.ConvPoolLayer {image_shape = {10, 1, 28, 28}, filter_shape = {20, 1, 5, 5}}
    H.error_matches(function()
      n3.Network({C, n3.FullyConnectedLayer {n_in = 2000, n_out = 100}, n3.SoftmaxLayer {n_in = 100, n_out = 10}}, 10)
    end, "bad argument #1 to 'Network'", "layer 2, FullyConnectedLayer, takes 2000 inputs", "layer 1, ConvPoolLayer, gives 20x12x12 = 2880")
    H.error_matches(function()
      n3.Network({C, n3.ConvPoolLayer {image_shape = {10, 20, 11, 11}, filter_shape = {40, 20, 5, 5}},
                  n3.SoftmaxLayer {n_in = 640, n_out = 10}}, 10)
    end, "layer 2, ConvPoolLayer, takes 20x11x11 = 2420 inputs", "gives 20x12x12 = 2880")
    H.error_matches(function() n3.Network({n3.FullyConnectedLayer {n_in = 784, n_out = 10}}, 10) end,
      "the last layer must be a SoftmaxLayer", "got FullyConnectedLayer")
    H.error_matches(function()
      n3.Network({n3.SoftmaxLayer {n_in = 784, n_out = 10}, n3.SoftmaxLayer {n_in = 10, n_out = 10}}, 10)
    end, "layer 1: a SoftmaxLayer can only be the last layer")
    H.error_matches(function() n3.Network({C, 5}, 10) end, "layer 2: ConvPoolLayer, FullyConnectedLayer or SoftmaxLayer expected, got number")
    H.error_matches(function() n3.Network({}, 10) end, "bad argument #1 to 'Network'", "non-empty list of layers expected, got an empty table")
    H.error_matches(function() n3.Network({n3.SoftmaxLayer {n_in = 4, n_out = 2}}, 0) end,
      "bad argument #2 to 'Network'", "positive integer mini_batch_size expected, got 0")
    H.error_matches(function() n3.Network({n3.SoftmaxLayer {n_in = 4, n_out = 2}}, 10, {sede = 1}) end,
      "unknown option 'sede' to 'Network'")
  end)

  it("rejects bad layer options with the function, option, expectation and value", function()
    H.error_matches(function() n3.ConvPoolLayer {image_shape = {10, 1, 28, 28}, filter_shape = {20, 2, 5, 5}} end,
      "bad option 'filter_shape' to 'ConvPoolLayer'", "filters of 1 channels expected", "got 2")
    H.error_matches(function() n3.ConvPoolLayer {image_shape = {10, 1, 4, 4}, filter_shape = {20, 1, 5, 5}} end,
      "filters of at most 4x4 expected for a 4x4 image, got 5x5")
    H.error_matches(function() n3.ConvPoolLayer {image_shape = {10, 1, 6, 6}, filter_shape = {2, 1, 5, 5}, poolsize = {3, 3}} end,
      "bad option 'poolsize' to 'ConvPoolLayer'", "at most 2x2 expected", "got 3x3")
    H.error_matches(function() n3.ConvPoolLayer {image_shape = {1, 28}, filter_shape = {20, 1, 5, 5}} end,
      "bad option 'image_shape' to 'ConvPoolLayer'", "a list of 4 positive integers expected, got {1, 28}")
    H.error_matches(function() n3.ConvPoolLayer {image_shape = {10, 1, 28, 28}, filter_shape = {20, 1, 5, 5.5}} end,
      "bad option 'filter_shape'", "list of 4 positive integers expected, got {20, 1, 5, 5.5}")
    H.error_matches(function() n3.ConvPoolLayer {image_shape = {10, 1, 28, 28}, filter_shape = {20, 1, 5, 5}, activation_fn = "swish"} end,
      "bad option 'activation_fn' to 'ConvPoolLayer'", "linear, ReLU, sigmoid or tanh (of lnn.network3, or their names) expected, got 'swish'")
    H.error_matches(function() n3.ConvPoolLayer {image_shape = {10, 1, 28, 28}, filter_shape = {20, 1, 5, 5}, pool = {2, 2}} end,
      "unknown option 'pool' to 'ConvPoolLayer'")
    H.error_matches(function() n3.FullyConnectedLayer {n_in = 0, n_out = 3} end,
      "bad option 'n_in' to 'FullyConnectedLayer'", "a positive integer expected, got 0")
    H.error_matches(function() n3.FullyConnectedLayer {n_in = 4, n_out = 3, p_dropout = 1} end,
      "bad option 'p_dropout' to 'FullyConnectedLayer'", "a number in [0, 1) expected, got 1")
    H.error_matches(function() n3.SoftmaxLayer {n_in = 4, n_out = 3, activation_fn = n3.ReLU} end,
      "unknown option 'activation_fn' to 'SoftmaxLayer'")
    H.error_matches(function() n3.SoftmaxLayer(5) end, "bad argument #1 to 'SoftmaxLayer'", "options table expected, got number")
  end)

  it("the engine rejects bad layer lists with the layer's number, never crashes", function()
    H.error_matches(function() core.Net {layers = {{kind = "convpool", image = {1, 5, 5}, filters = {2, 1, 6, 1}, pool = {1, 1}}}} end,
      "Net", "layer 1: filter height is 6 (expected 1 to 5)")
    H.error_matches(function() core.Net {layers = {{kind = "convpool", image = {1, 5, 5}, filters = {2, 2, 3, 3}, pool = {1, 1}}}} end,
      "layer 1: filters of 2 channels but an image of 1")
    H.error_matches(function() core.Net {layers = {{kind = "dense", n_in = 3, n_out = 2}, {kind = "dense", n_in = 4, n_out = 2}}} end,
      "layer 2 takes 4 inputs but layer 1 gives 2")
    H.error_matches(function() core.Net {layers = {{kind = "dropout", n_in = 3, p = 1.5}, {kind = "dense", n_in = 3, n_out = 2}}} end,
      "layer 1: dropout probability 1.5 is not in [0, 1)")
    H.error_matches(function() core.Net {layers = {{kind = "dense", n_in = 3, n_out = 2}, {kind = "dropout", n_in = 2, p = 0.5}}} end,
      "layer 2: dropout cannot be the output layer")
    H.error_matches(function() core.Net {layers = {{kind = "pool", n_in = 3}}} end, "bad option 'kind' to 'Net'", "got 'pool'")
    H.error_matches(function() core.Net {layers = {{kind = "convpool", image = {1, 5}, filters = {2, 1, 3, 3}, pool = {1, 1}}}} end,
      "layer 1: 'image' must be a list of 3 integers")
    H.error_matches(function() core.Net {layers = {{kind = "convpool", image = {1, 5, "x"}, filters = {2, 1, 3, 3}, pool = {1, 1}}}} end,
      "layer 1: 'image'[3] must be an integer 1 to 2^24, got x")
    H.error_matches(function() core.Net {layers = {{kind = "dense", n_in = 3}}} end, "layer 1: 'n_out' must be an integer")
    H.error_matches(function() core.Net {layers = {{kind = "dense", n_in = 3, n_out = 2, bias = 1}}} end, "unknown option 'bias' to 'Net'")
    H.error_matches(function() core.Net {layers = {}, cost = "log-likelihood"} end, "1 to 32 layers expected, got 0")
    H.error_matches(function() core.Net {layers = {{kind = "dense", n_in = 3, n_out = 2}}, sizes = {3, 2}} end,
      "either 'layers' or 'sizes'")
    local net = core.Net {layers = {{kind = "dropout", n_in = 3, p = 0.5}, {kind = "dense", n_in = 3, n_out = 2}}}
    H.error_matches(function() net:weights(1) end, "bad argument #1 to 'weights'", "layer 1 is dropout, which has no parameters")
  end)

  describe("on MNIST #slow #mnist", function()
    local dir = H.mnist_dir()
    local loader = require "lnn.mnist_loader"
    local tr, va, te
    if dir then tr, va, te = loader.load_data(dir) end

    it("SGD prints and returns as network3.py: best validation, its iteration, test there", function()
      assert(dir, "MNIST is missing: run scripts/setup.sh")
      local net = net64(10, 2)
      local lines = {}
      local best, iter, test = net:SGD(tr:slice(1, 1005), 2, 10, 0.03, va:slice(1, 300), te:slice(1, 300), 0.1,
        {log = function(s) lines[#lines + 1] = s end})
      assert.are.equal(199, iter) -- 100 batches of 10 (the last 5 items left out), 2 epochs
      assert.is_true(best > 0.6 and best <= 1, "validation accuracy " .. best)
      assert.is_true(test > 0.6, "test accuracy " .. test)
      assert.are.equal(math.tointeger(best * 300), net._net:evaluate(va:slice(1, 300)))
      assert.matches("^Epoch 0: validation accuracy %d+%.%d%d%%$", lines[1])
      assert.are.equal("This is the best validation accuracy to date.", lines[2])
      assert.matches("^The corresponding test accuracy is %d+%.%d%d%%$", lines[3])
      assert.are.equal("Finished training network.", lines[#lines - 2])
      assert.are.equal(("Best validation accuracy of %.2f%% obtained at iteration 199"):format(100 * best), lines[#lines - 1])
      assert.are.equal(("Corresponding test accuracy of %.2f%%"):format(100 * test), lines[#lines])
    end)

    it("SGD's L2 term is network3.py's: 0.5 lmbda sum(w^2) / num_training_batches", function()
      assert(dir, "MNIST is missing: run scripts/setup.sh")
      -- with eta tiny the gradient of the cost barely moves w; the decay is
      -- w -= eta lmbda / num_training_batches * w, so two runs differing in
      -- lmbda differ by that factor
      local a, b = net64(10, 3), net64(10, 3)
      local data = tr:slice(1, 40) -- 4 batches
      local w0 = a._net:weights(2):copy()
      a:SGD(data, 1, 10, 1e-3, va:slice(1, 10), nil, 0.0, {quiet = true})
      b:SGD(data, 1, 10, 1e-3, va:slice(1, 10), nil, 50.0, {quiet = true})
      -- 4 steps of factor (1 - 1e-3 * 50 / 4) on the weights
      local factor = (1 - 1e-3 * 50 / 4) ^ 4
      local wa, wb = a._net:weights(2):totable(), b._net:weights(2):totable()
      local worst, w0t = 0, w0:totable()
      for i = 1, #wa do for j = 1, #wa[i] do
        local expected = wa[i][j] - (1 - factor) * w0t[i][j]
        worst = math.max(worst, math.abs(wb[i][j] - expected))
      end end
      assert.is_true(worst < 2e-5, "L2 decay off by " .. worst)
      -- biases are not decayed
      assert.is_true(a._net:biases(2):maxabsdiff(b._net:biases(2)) < 1e-4)
    end)

    it("rejects bad SGD arguments naming the argument, never crashing", function()
      assert(dir, "MNIST is missing: run scripts/setup.sh")
      local net = n3.Network({n3.FullyConnectedLayer {n_in = 784, n_out = 10}, n3.SoftmaxLayer {n_in = 10, n_out = 10}}, 10)
      local v = va:slice(1, 10)
      H.error_matches(function() net:SGD(5, 1, 10, 0.1, v) end, "bad argument #1 to 'SGD'", "lnn.Data", "got number")
      H.error_matches(function() net:SGD({}, 1, 10, 0.1, v) end, "bad argument #1 to 'SGD'", "empty list")
      H.error_matches(function() net:SGD(tr, 1.5, 10, 0.1, v) end, "bad argument #2 to 'SGD'", "epochs must be an integer >= 0, got 1.5")
      H.error_matches(function() net:SGD(tr, 1, 0, 0.1, v) end, "bad argument #3 to 'SGD'", "got 0")
      H.error_matches(function() net:SGD(tr, 1, 10, -1, v) end, "bad argument #4 to 'SGD'", "positive learning rate expected, got -1")
      H.error_matches(function() net:SGD(tr, 1, 10, 0 / 0, v) end, "bad argument #4 to 'SGD'")
      H.error_matches(function() net:SGD(tr, 1, 10, 0.1, nil) end, "bad argument #5 to 'SGD'", "got nil")
      H.error_matches(function() net:SGD(tr, 1, 10, 0.1, v, v, -0.1) end, "bad argument #7 to 'SGD'", "lmbda must be a number >= 0, got -0.1")
      H.error_matches(function() net:SGD(tr, 1, 10, 0.1, v, v, 0, {quite = true}) end, "unknown option 'quite' to 'SGD'")
      H.error_matches(function() net:SGD(tr:slice(1, 5), 1, 10, 0.1, v) end, "bad argument #1 to 'SGD'", "at least mini_batch_size = 10 items expected, got 5 items")
      local small = n3.Network({n3.SoftmaxLayer {n_in = 100, n_out = 10}}, 10)
      H.error_matches(function() small:SGD(tr, 1, 10, 0.1, v) end, "bad argument #1 to 'SGD'", "items of 100 inputs expected, got 784")
      local five = n3.Network({n3.SoftmaxLayer {n_in = 784, n_out = 5}}, 10)
      H.error_matches(function() five:accuracy(v) end, "bad argument #1 to 'accuracy'", "5 classes or targets expected, got 10")
      H.error_matches(function() net:feedforward({1, 2}) end, "bad argument #1 to 'feedforward'", "784 values expected, got 2")
    end)

    it("saves and loads any layered network: same architecture, exactly the same predictions", function()
      assert(dir, "MNIST is missing: run scripts/setup.sh")
      local tmp, cleanup = H.tmpdir()
      local net = net64(10, 4, 0.5)
      net:SGD(tr:slice(1, 100), 1, 10, 0.03, va:slice(1, 10), nil, 0.1, {quiet = true})
      net:save(tmp .. "/n3.safetensors")
      local back = n3.load(tmp .. "/n3.safetensors")
      assert.are.equal(tostring(net), tostring(back))
      assert.are.equal(0, net._net:params():maxabsdiff(back._net:params()))
      local t = te:slice(1, 500)
      assert.are.same(net:predict(t), back:predict(t))
      local x = t:get(1)
      assert.are.equal(0, net:feedforward(x):maxabsdiff(back:feedforward(x)))
      -- safetensors as numpy and PyTorch read it: conv weights [f, c, kh, kw]
      local bytes = H.read_file(tmp .. "/n3.safetensors")
      local hlen = string.unpack("<I8", bytes)
      local header = json.decode(bytes:sub(9, 8 + hlen))
      assert.are.same({20, 1, 5, 5}, header["layers.1.weight"].shape)
      assert.are.same({40, 20, 5, 5}, header["layers.2.weight"].shape)
      assert.are.same({40}, header["layers.2.bias"].shape)
      assert.is_nil(header["layers.3.weight"]) -- engine layer 3 is the dropout
      assert.are.same({100, 640}, header["layers.4.weight"].shape)
      local w = header["layers.2.weight"]
      local second = string.unpack("<f", bytes, 9 + hlen + w.data_offsets[1] + 4)
      assert.are.equal(net._net:weights(2):get(1, 2), second)
      local layout = json.decode(header.__metadata__.layout)
      assert.are.equal("dropout", layout.layers[3].kind)
      assert.are.equal(0.5, layout.layers[3].p)
      assert.are.equal("network3", header.__metadata__.face)
      -- a damaged layout is a clear error
      local good = bytes:sub(9, 8 + hlen)
      H.write_file(tmp .. "/bad", bytes:sub(1, 8) .. good:gsub('\\"filters\\":%[40,20,5,5%]', '\\"filters\\":[40,21,5,5]')
        .. bytes:sub(9 + hlen))
      H.error_matches(function() n3.load(tmp .. "/bad") end, tmp .. "/bad", "bad layout", "filters of 21 channels but an image of 20")
      -- a network.py model is not a network3 one
      local network = require "lnn.network"
      network.Network({784, 30, 10}):save(tmp .. "/dense")
      H.error_matches(function() n3.load(tmp .. "/dense") end, "not a network3 model")
      H.error_matches(function() n3.load(5) end, "bad argument #1 to 'load'")
      cleanup()
    end)

    it("an ensemble votes by plurality", function()
      assert(dir, "MNIST is missing: run scripts/setup.sh")
      local tmp, cleanup = H.tmpdir()
      local small = function(seed)
        local net = n3.Network({n3.FullyConnectedLayer {n_in = 784, n_out = 20}, n3.SoftmaxLayer {n_in = 20, n_out = 10}}, 10, {seed = seed})
        net:SGD(tr:slice(1, 2000), 1, 10, 0.1, va:slice(1, 10), nil, 0, {quiet = true})
        return net
      end
      local a, b, c = small(1), small(2), small(3)
      c:save(tmp .. "/c")
      local t = te:slice(1, 300)
      local e = n3.ensemble {a, b, tmp .. "/c"}
      local pa, pb, pc, pe = a:predict(t), b:predict(t), c:predict(t), e:predict(t)
      local disagreements = 0
      for j = 1, #t do
        if pa[j] == pb[j] or pa[j] == pc[j] then assert.are.equal(pa[j], pe[j])
        elseif pb[j] == pc[j] then assert.are.equal(pb[j], pe[j])
        else
          disagreements = disagreements + 1
          assert.are.equal(math.min(pa[j], pb[j], pc[j]), pe[j]) -- three-way tie: the smallest class
        end
      end
      local right = 0
      for j = 1, #t do if pe[j] == t:label(j) then right = right + 1 end end
      assert.are.equal(right / #t, e:accuracy(t))
      H.error_matches(function() n3.ensemble {} end, "bad argument #1 to 'ensemble'")
      H.error_matches(function() n3.ensemble {a, 7} end, "item 2: Network or file name expected, got number")
      cleanup()
    end)

    it("scripts/experiments/ch6_4.lua runs short and prints the book's figure beside its own", function()
      assert(dir, "MNIST is missing: run scripts/setup.sh")
      local tmp, cleanup = H.tmpdir()
      local p = io.popen(("lua5.4 scripts/experiments/ch6_4.lua --epochs 2 --train-size 500 --eval-size 100 --seed 3 --out '%s/res' 2>&1"):format(tmp))
      local out = p:read("a")
      p:close()
      assert.matches("Epoch 0: validation accuracy", out)
      assert.matches("6%.4 test accuracy at the best validation accuracy: book 99%.23%% after 60 epochs | lnn %d+%.%d%d%% after 2 epochs", out)
      -- the metrics: every epoch's validation accuracy, the result, and a curve
      local m = json.decode(H.read_file(tmp .. "/res/ch6_4.seed3.epochs2.train500.eval100.json"))
      assert.are.equal(2, #m.epochs)
      assert.are.equal("ch6_4", m.experiment)
      assert.are.equal(3, m.seed)
      assert.are.equal(500, m.training_images)
      local test = out:match("lnn (%d+%.%d%d)%% after 2 epochs")
      assert.are.equal(test, ("%.2f"):format(100 * m.test_accuracy))
      for _, e in ipairs(m.epochs) do assert.truthy(e.validation_accuracy > 0 and e.validation_accuracy <= 1) end
      assert.matches("<svg", H.read_file(tmp .. "/res/ch6_4.seed3.epochs2.train500.eval100.svg"))
      -- 6.8 votes with saved networks (--members) and records them
      local a = n3.Network({n3.SoftmaxLayer {n_in = 784, n_out = 10}}, 10, {seed = 1})
      a:SGD(tr:slice(1, 200), 1, 10, 0.1, va:slice(1, 10), nil, 0, {quiet = true})
      a:save(tmp .. "/a.lnn")
      p = io.popen(("lua5.4 scripts/experiments/ch6_8.lua --members '%s/a.lnn,%s/a.lnn,%s/a.lnn' --eval-size 100 --out '%s/res' 2>&1")
        :format(tmp, tmp, tmp, tmp))
      out = p:read("a")
      p:close()
      local single = ("%.2f"):format(100 * a:accuracy(te:slice(1, 100)))
      assert.matches("member 3 %(.-a%.lnn%): test accuracy " .. single:gsub("%.", "%%.") .. "%%", out)
      -- three copies of one network vote as that network
      assert.matches("6%.8 ensemble of 3, plurality vote on the test set: book 99%.67%% | lnn " .. single:gsub("%.", "%%.") .. "%%", out)
      m = json.decode(H.read_file(tmp .. "/res/ch6_8.seed1.eval100.vote.json"))
      assert.are.equal(3, #m.members)
      assert.is_nil(m.training_images)
      -- 6.5 needs the expanded set: a clear message when it is missing
      for _, f in ipairs {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} do
        os.execute(("ln -s '%s/%s/%s.gz' '%s/%s.gz'"):format(os.getenv("PWD"), dir, f, tmp, f))
      end
      p = io.popen(("lua5.4 scripts/experiments/ch6_5.lua --epochs 1 --data '%s' 2>&1; echo status $?"):format(tmp))
      out = p:read("a")
      p:close()
      cleanup()
      assert.matches("expanded training set is missing", out)
      assert.matches("scripts/expand_mnist%.lua", out)
      assert.matches("status 1", out)
    end)
  end)
end)
