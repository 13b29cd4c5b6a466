-- The seed's test module reborn: the C engine (lnn.network) against the plain
-- Lua twin (lnn.reference) on the seed's shapes, equal within float tolerance.
local core = require "lnn.core"
local network = require "lnn.network"
local R = require "lnn.reference"
local H = require "helpers"

local shapes = {
  {4, 2, 3}, {1, 1}, {10, 9, 8, 7, 6, 5, 4, 3, 2, 1},
  (function() local t = {} for x = 0, 9 do t[#t + 1] = (x + 3) * ((x % 2) + 3) end return t end)(),
  {500, 3, 400, 1000},
}

local function random_input(n, rng)
  local t = {}
  for i = 1, n do t[i] = rng:uniform() end
  return t
end

describe("lnn.network against lnn.reference #slow", function()
  it("feedforward agrees on the seed's shapes", function()
    local rng = core.Rng(7)
    for si, sizes in ipairs(shapes) do
      local net = network.Network(sizes, {seed = si})
      local ref = H.reference_of(net)
      for _ = 1, 3 do
        local x = random_input(sizes[1], rng)
        local a = net:feedforward(x)
        local b = ref:feedforward(x)
        local nout = sizes[#sizes]
        local ra, rb = a:numel(), #b
        assert.are.equal(nout, ra)
        assert.are.equal(nout, rb)
        assert.is_true(H.maxdiff(a, b) < 1e-5, table.concat(sizes, ",") .. ": " .. H.maxdiff(a, b))
      end
    end
  end)

  it("backprop agrees on the seed's shapes and {100,50,150}", function()
    local rng = core.Rng(8)
    local all = {table.unpack(shapes)}
    all[#all + 1] = {100, 50, 150}
    for si, sizes in ipairs(all) do
      local net = network.Network(sizes, {seed = 100 + si})
      local ref = H.reference_of(net)
      local data = H.get_dummy_training_data(sizes[1], sizes[#sizes], 2, rng)
      for _, p in ipairs(data) do
        local nb, nw = net:backprop(p[1], p[2])
        local rb, rw = ref:backprop(p[1], p[2])
        assert.are.equal(#sizes - 1, #nb)
        assert.are.equal(#sizes - 1, #nw)
        for l = 1, #sizes - 1 do
          local rows, cols = nw[l]:shape()
          assert.are.same({sizes[l + 1], sizes[l]}, {rows, cols})
          -- relative to the gradient's scale: 1000 outputs sum many float32 terms
          local scale = 1
          for _, row in ipairs(rw[l]) do for _, v in ipairs(row) do scale = math.max(scale, math.abs(v)) end end
          assert.is_true(H.maxdiff(nw[l], rw[l]) <= 2e-5 * scale, ("%s layer %d weights: %g"):format(
            table.concat(sizes, ","), l, H.maxdiff(nw[l], rw[l])))
          assert.is_true(H.maxdiff(nb[l], rb[l]) <= 2e-5 * scale, ("%s layer %d biases"):format(
            table.concat(sizes, ","), l))
        end
      end
    end
  end)

  it("update_mini_batch agrees over 7 iterations of random batch sizes 1-7", function()
    local rng = core.Rng(9)
    for si, sizes in ipairs {{100, 50, 20}, {4, 2, 3}, {30, 20, 10, 5}} do
      local net = network.Network(sizes, {seed = 200 + si})
      local ref = H.reference_of(net)
      for _ = 1, 7 do
        local batch = H.get_dummy_training_data(sizes[1], sizes[#sizes], rng:random(7), rng)
        net:update_mini_batch(batch, 3.0)
        ref:update_mini_batch(batch, 3.0)
      end
      for l = 1, #sizes - 1 do
        assert.is_true(H.maxdiff(net.weights[l], ref.weights[l]) < 1e-4, table.concat(sizes, ","))
        assert.is_true(H.maxdiff(net.biases[l], ref.biases[l]) < 1e-4, table.concat(sizes, ","))
      end
    end
  end)

  it("SGD on the first 100 MNIST images, [784,5,10], 20 epochs, batch 8, eta 3.0, same shuffle", function()
    local dir = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
    local loader = require "lnn.mnist_loader"
    local training_data, _, test_data = loader.load_data_wrapper(dir)
    local train100 = training_data:slice(1, 100)
    local test100 = test_data:slice(1, 100)
    local net = network.Network({784, 5, 10}, {seed = 3})
    local ref = H.reference_of(net)
    -- the reference draws the engine's shuffles from a copy of its generator
    local twin = net.rng:clone()
    local rtrain, rtest = H.reference_pairs(train100), H.reference_pairs(test100)
    local hist = net:SGD(train100, 20, 8, 3.0, test100, {quiet = true})
    local rhist = ref:SGD(rtrain, 20, 8, 3.0, {test_data = rtest,
      permutation = function(n) return twin:permutation(n) end})
    for l = 1, 2 do
      local d = H.maxdiff(net.weights[l], ref.weights[l])
      assert.is_true(d < 2e-3, "weights of layer " .. l .. " differ by " .. d)
      assert.is_true(H.maxdiff(net.biases[l], ref.biases[l]) < 2e-3)
    end
    for e = 1, 20 do
      assert.is_true(math.abs(hist[e].correct - rhist[e]) <= 1, ("epoch %d: %d vs %d"):format(e, hist[e].correct, rhist[e]))
    end
    assert.is_true(hist[20].correct > 25, "learned nothing: " .. hist[20].correct) -- chance is 10
  end)
end)

describe("gradients", function()
  it("backprop matches a central finite difference of the quadratic cost", function()
    local net = network.Network({5, 4, 3}, {seed = 11})
    local x = {0.1, 0.9, 0.4, 0.3, 0.7}
    local y = {0, 1, 0}
    local nb, nw = net:backprop(x, y)
    local X = core.Matrix(1, 5, x)
    local Y = core.Matrix(1, 3, y)
    local function cost()
      local _, c = net._net:gradient(X, Y)
      return c
    end
    local eps = 1e-2
    local worst = 0
    local function check(param, analytic)
      local rows, cols = param:shape()
      for j = 1, rows do
        for k = 1, cols do
          local old = param:get(j, k)
          param:set(j, k, old + eps)
          local cp = cost()
          param:set(j, k, old - eps)
          local cm = cost()
          param:set(j, k, old)
          local numeric = (cp - cm) / (2 * eps)
          local err = math.abs(numeric - analytic:get(j, k)) / math.max(1e-2, math.abs(numeric))
          worst = math.max(worst, err)
        end
      end
    end
    for l = 1, 2 do
      check(net.weights[l], nw[l])
      check(net.biases[l], nb[l])
    end
    assert.is_true(worst < 2e-2, "worst relative error " .. worst)
  end)
end)

-- every SIMD table against the naive one, bit for bit: spec/kernels_spec.lua

