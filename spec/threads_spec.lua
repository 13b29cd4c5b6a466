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
