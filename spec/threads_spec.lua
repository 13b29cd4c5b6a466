-- spec/threads_spec.lua: training over threads.  A step cuts its mini-batch
-- into chunks that depend on the problem only (net:chunks(m)), threads take
-- the chunks, the chunk gradients are summed in a fixed tree: the parameters
-- after training are the same bits on 1, 2, 3 or 8 threads, dropout masks and
-- momentum included; and the chunked step is the one-pass step up to rounding.
local core = require "lnn.core"
local H = require "spec.helpers"

-- n items of d inputs in [0, 1) with k one-hot targets, from a seeded generator
local function data(n, d, k, seed)
  local rng = core.Rng(seed)
  local xs, ys = {}, {}
  for i = 1, n do
    local x = {}
    for j = 1, d do x[j] = rng:uniform() end
    xs[i], ys[i] = x, rng:random(k) - 1
  end
  return core.Data(xs, ys, k)
end

local function conv_net()
  return core.Net{cost = "log-likelihood", layers = {
    {kind = "convpool", image = {1, 20, 20}, filters = {10, 1, 5, 5}, pool = {2, 2}, activation = "relu"},
    {kind = "dropout", n_in = 640, p = 0.3},
    {kind = "convpool", image = {10, 8, 8}, filters = {16, 10, 3, 3}, pool = {2, 2}, activation = "relu"},
    {kind = "dense", n_in = 144, n_out = 50, activation = "relu"},
    {kind = "dropout", n_in = 50, p = 0.5},
    {kind = "dense", n_in = 50, n_out = 10, activation = "softmax"}}}
end

-- params after two epochs on `threads` threads, as a list of float bit patterns
local function trained(make, init, d, opts, threads)
  local net = make()
  local rng = core.Rng(7)
  net:init(rng, init)
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.threads = threads
  for _ = 1, 2 do assert.is_true(net:train_epoch(d, rng, o)) end
  return net:params():totable(true), net
end

local function same_bits(a, b)
  assert.are.equal(#a, #b)
  for i = 1, #a do
    if string.pack("<f", a[i]) ~= string.pack("<f", b[i]) then
      error(("parameter %d differs: %.9g vs %.9g"):format(i, a[i], b[i]), 2)
    end
  end
end

describe("training over threads #slow #mnist", function()
  it("gives the same parameters, bit for bit, on 1, 2, 3 and 8 threads (dense, momentum, L2)", function()
    local make = function() return core.Net{sizes = {400, 100, 10}, cost = "cross-entropy"} end
    local opts = {eta = 0.5, batch = 400, mu = 0.7, lmbda = 2.0}
    assert.is_true(make():chunks(400) >= 4, "the step must be cut into chunks for this to test threads")
    local d = data(900, 400, 10, 3)
    local p1 = trained(make, "default", d, opts, 1)
    for _, t in ipairs({2, 3, 8}) do same_bits(p1, (trained(make, "default", d, opts, t))) end
  end)

  it("gives the same parameters on 1, 2, 3 and 8 threads with conv-pool and dropout layers", function()
    local opts = {eta = 0.05, batch = 40, mu = 0.5, lmbda = 0.1}
    assert.is_true(conv_net():chunks(40) >= 4)
    assert.are.equal(1, conv_net():chunks(10)) -- the last mini-batch: one pass
    local d = data(90, 400, 10, 4)
    local p1 = trained(conv_net, "network3", d, opts, 1)
    for _, t in ipairs({2, 3, 8}) do same_bits(p1, (trained(conv_net, "network3", d, opts, t))) end
  end)

  it("steps a chunked mini-batch as the one-pass update does, up to rounding", function()
    local net = core.Net{sizes = {400, 100, 10}, cost = "cross-entropy"}
    net:init(core.Rng(9), "default")
    local twin = core.Net{sizes = {400, 100, 10}, cost = "cross-entropy"}
    local p = net:params():copy()
    for i = 1, p:shape() do twin:params():set(i, 1, p:get(i, 1)) end
    -- 400 items: at least 4 chunks, so the sum tree has two levels (reduce.c's pairing)
    local m = 400
    local d = data(m, 400, 10, 5)
    assert.is_true(net:chunks(m) >= 4)
    net:train_epoch(d, core.Rng(1), {eta = 0.5, batch = m, mu = 0.5, lmbda = 1.0, shuffle = false, threads = 2})
    local X, Y = core.Matrix(m, 400), core.Matrix(m, 10, 0)
    for i = 1, m do
      local x, y = d:get(i)
      for j = 1, 400 do X:set(i, j, x:get(j, 1)) end
      Y:set(i, y + 1, 1)
    end
    twin:update(X, Y, {eta = 0.5, mu = 0.5, lmbda = 1.0, n = m})
    local diff, moved = H.maxdiff(net:params():totable(true), twin:params():totable(true)), 0
    for i = 1, p:shape() do moved = math.max(moved, math.abs(net:params():get(i, 1) - p:get(i, 1))) end
    assert.is_true(moved > 1e-3, "the step moved the parameters by only " .. moved)
    assert.is_true(diff < 1e-6, "chunked and one-pass steps differ by " .. diff)
  end)

  it("runs a step too small to share as one chunk", function()
    assert.are.equal(1, core.Net{sizes = {784, 30, 10}}:chunks(10))
    assert.are.equal(1, core.Net{sizes = {784, 100, 10}}:chunks(10))
  end)

  it("rejects a bad thread count", function()
    local net = core.Net{sizes = {4, 3, 2}}
    local d = data(10, 4, 2, 1)
    H.error_matches(function() net:train_epoch(d, core.Rng(1), {eta = 1, threads = 0}) end,
      "bad option 'threads' to 'train_epoch' (integer 1 to 256 expected, got 0)")
    H.error_matches(function() net:train_epoch(d, core.Rng(1), {eta = 1, threads = "2"}) end,
      "bad option 'threads' to 'train_epoch' (integer expected, got string)")
    H.error_matches(function() net:chunks(0) end, "bad argument #1 to 'chunks'")
  end)
end)

-- A step too small to cut into chunks (net:chunks(m) == 1, the book's batch of
-- 10) is shared inside the layers instead: each layer worth it
-- (lnn_layer_splits) is cut into parts, a conv-pool layer by items and filters,
-- a dense one by columns and rows, every output computed by one thread in one
-- thread's order.  train_epoch's second result counts the steps so shared, so
-- a step that silently stays on thread 0 fails here.  spec/tables_spec.lua
-- runs this file again under every other kernel table.
describe("a step of one chunk shared by threads inside the layers", function()
  -- the book's 6.7 network (network3.py): two conv-pool layers, FC 1000 and
  -- FC 1000 with dropout 0.5 on their inputs and the softmax's
  local function net67()
    return core.Net{cost = "log-likelihood", layers = {
      {kind = "convpool", image = {1, 28, 28}, filters = {20, 1, 5, 5}, pool = {2, 2}, activation = "relu"},
      {kind = "convpool", image = {20, 12, 12}, filters = {40, 20, 5, 5}, pool = {2, 2}, activation = "relu"},
      {kind = "dropout", n_in = 640, p = 0.5},
      {kind = "dense", n_in = 640, n_out = 1000, activation = "relu"},
      {kind = "dropout", n_in = 1000, p = 0.5},
      {kind = "dense", n_in = 1000, n_out = 1000, activation = "relu"},
      {kind = "dropout", n_in = 1000, p = 0.5},
      {kind = "dense", n_in = 1000, n_out = 10, activation = "softmax"}}}
  end
  -- a dense layer small enough to share (64,000 weights, 1.28 MFLOP at 10 items)
  local function dense_net() return core.Net{sizes = {256, 250, 10}, cost = "cross-entropy"} end

  -- params (bit patterns) and train_epoch's counts after one epoch on t threads
  local function run(make, init, d, opts, t)
    local net = make()
    local rng = core.Rng(7)
    net:init(rng, init)
    local o = {threads = t}
    for k, v in pairs(opts) do o[k] = v end
    local ok, stats = net:train_epoch(d, rng, o)
    assert.is_true(ok)
    return net:params():totable(true), stats
  end

  -- 1, 2 and 3 threads give the same bits, and 2 and 3 did share every step
  local function shared(make, init, d, opts)
    assert.are.equal(1, make():chunks(opts.batch), "a step of one chunk is what this tests")
    local p1, s1 = run(make, init, d, opts, 1)
    assert.are.same({steps = #d // opts.batch, chunked = 0, layered = 0, threads = 1}, s1)
    for _, t in ipairs({2, 3}) do
      local p, st = run(make, init, d, opts, t)
      same_bits(p1, p)
      assert.are.same({steps = #d // opts.batch, chunked = 0, layered = #d // opts.batch, threads = t}, st)
    end
  end

  it("the 6.7 network at batch 10: the same parameters on 1, 2 and 3 threads (plain SGD, fused step)", function()
    shared(net67, "network3", data(60, 784, 10, 11), {eta = 0.03, batch = 10})
  end)

  it("the 6.7 network at batch 10 with momentum and L2 (gradient block, then the step by ranges)", function()
    shared(net67, "network3", data(40, 784, 10, 12), {eta = 0.03, batch = 10, mu = 0.5, lmbda = 0.1})
  end)

  it("a conv net with dropout at batch 10, plain and with momentum", function()
    shared(conv_net, "network3", data(50, 400, 10, 13), {eta = 0.05, batch = 10})
    shared(conv_net, "network3", data(50, 400, 10, 14), {eta = 0.05, batch = 10, mu = 0.5, lmbda = 0.1})
  end)

  it("a dense layer shared by rows and columns, plain and with momentum", function()
    shared(dense_net, "default", data(50, 256, 10, 15), {eta = 0.5, batch = 10})
    shared(dense_net, "default", data(50, 256, 10, 16), {eta = 0.5, batch = 10, mu = 0.7, lmbda = 2.0})
  end)

  it("keeps a step whose layers are all too small, or too large to move between cores, on one thread", function()
    for _, sizes in ipairs({{784, 30, 10}, {784, 100, 10}}) do -- W1, W2
      local d = data(30, 784, 10, 17)
      local p1 = run(function() return core.Net{sizes = sizes} end, "default", d, {eta = 3.0, batch = 10}, 1)
      local p2, st = run(function() return core.Net{sizes = sizes} end, "default", d, {eta = 3.0, batch = 10}, 2)
      same_bits(p1, p2)
      assert.are.same({steps = 3, chunked = 0, layered = 0, threads = 1}, st)
    end
  end)

  it("shares a last, shorter mini-batch too, and cuts a larger one into chunks as before", function()
    local d = data(45, 400, 10, 18) -- 4 steps of 10, then one of 5 (shuffled: a short step stays short)
    local p1 = run(conv_net, "network3", d, {eta = 0.05, batch = 10}, 1)
    local p2, st = run(conv_net, "network3", d, {eta = 0.05, batch = 10}, 2)
    same_bits(p1, p2)
    -- the step of 5 has no layer worth sharing (conv_net's are 1.0-1.3 MFLOP at 10 items)
    assert.are.same({steps = 5, chunked = 0, layered = 4, threads = 2}, st)
    local _, big = run(conv_net, "network3", data(80, 400, 10, 19), {eta = 0.05, batch = 40}, 2)
    assert.are.same({steps = 2, chunked = 2, layered = 0, threads = 2}, big)
  end)
end)

-- The faces drive the same engine: their SGD takes a threads option (lnn.face
-- forwards it), and core.threads() is left as it was.
describe("each face trained over threads #slow #mnist", function()
  local mnist_loader = require "lnn.mnist_loader"
  local network, network2, network3 = require "lnn.network", require "lnn.network2", require "lnn.network3"
  local dir = H.mnist_dir()
  local wrapped = mnist_loader.load_data_wrapper(dir)
  local plain, valid = mnist_loader.load_data(dir)
  local tr, tr3, va3 = wrapped:slice(1, 600), plain:slice(1, 280), valid:slice(1, 50)

  local function over_threads(train)
    local saved, first = core.threads(), nil
    for _, t in ipairs({1, 2, 3}) do
      local ok, p = pcall(train, t)
      assert(ok, p)
      assert.are.equal(saved, core.threads())
      if first then same_bits(first, p) else first = p end
    end
  end

  local function params(face_net) return face_net._net:params():totable(true) end

  it("network: the same parameters on 1, 2 and 3 threads", function()
    assert.is_true(core.Net{sizes = {784, 60, 10}}:chunks(200) >= 2)
    over_threads(function(t)
      local net = network.Network({784, 60, 10}, {seed = 3})
      net:SGD(tr, 2, 200, 3.0, nil, {quiet = true, threads = t})
      return params(net)
    end)
  end)

  it("network2 with momentum and L2: the same parameters on 1, 2 and 3 threads", function()
    over_threads(function(t)
      local net = network2.Network({784, 60, 10}, network2.CrossEntropyCost, {seed = 4})
      net:SGD(tr, 2, 200, 0.5, {lmbda = 1.0, mu = 0.6, quiet = true, threads = t})
      return params(net)
    end)
  end)

  it("network3 with conv-pool and dropout: the same parameters on 1, 2 and 3 threads", function()
    local mbs = 40
    local layers = function()
      return {
        network3.ConvPoolLayer {image_shape = {mbs, 1, 28, 28}, filter_shape = {8, 1, 5, 5}, poolsize = {2, 2},
                                activation_fn = network3.ReLU},
        network3.FullyConnectedLayer {n_in = 8 * 12 * 12, n_out = 40, activation_fn = network3.ReLU, p_dropout = 0.3},
        network3.SoftmaxLayer {n_in = 40, n_out = 10, p_dropout = 0.2}}
    end
    assert.is_true(network3.Network(layers(), mbs, {seed = 5})._net:chunks(mbs) >= 2)
    over_threads(function(t)
      local net = network3.Network(layers(), mbs, {seed = 5})
      net:SGD(tr3, 2, mbs, 0.1, va3, nil, 0.1, {quiet = true, threads = t})
      return params(net)
    end)
  end)
end)
