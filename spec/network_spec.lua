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

describe("lnn.network against lnn.reference", function()
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

describe("SIMD kernels against their naive twins", function()
  local rng = core.Rng(5)
  local tables = core.kernels()
  assert(tables[1] == "naive")

  local function random_matrix(r, c, scale)
    local m = core.Matrix(r, c)
    for i = 1, r do for j = 1, c do m:set(i, j, (rng:uniform() - 0.5) * (scale or 2)) end end
    return m
  end

  for t = 2, #tables do
    local which = tables[t]
    for _, n in ipairs {1, 7, 8, 9, 15, 16, 17, 31, 33, 1001} do
      it(which .. " element-wise kernels agree on " .. n .. " elements", function()
        local x = random_matrix(n, 1, 40)
        x[1][1] = -100 -- far tails
        if n > 1 then x[2][1] = 100 end
        for _, f in ipairs {"linear", "sigmoid", "tanh", "relu"} do
          local a = core.kernel_forward("naive", f, x)
          local b = core.kernel_forward(which, f, x)
          assert.is_true(a:maxabsdiff(b) < 2e-6, f .. " forward " .. a:maxabsdiff(b))
          local dy = random_matrix(n, 1)
          assert.is_true(core.kernel_backward("naive", f, dy, a):maxabsdiff(
            core.kernel_backward(which, f, dy, a)) < 1e-6, f .. " backward")
        end
        local bytes = {}
        for i = 1, n do bytes[i] = string.char(rng:random(256) - 1) end
        bytes = table.concat(bytes)
        local u1 = core.kernel_u8("naive", bytes, 1 / 255)
        assert.are.equal(0, u1:maxabsdiff(core.kernel_u8(which, bytes, 1 / 255)))
        assert.is_true(math.abs(u1[n][1] - bytes:byte(n) / 255) < 1e-7)
      end)
    end

    it(which .. " small products agree with the naive ones on odd shapes", function()
      for _, shp in ipairs {{1, 1, 1}, {10, 30, 784}, {5, 3, 7}, {9, 17, 33}, {4, 2, 16}, {3, 31, 50}, {7, 10, 30}} do
        local m, n, k = shp[1], shp[2], shp[3]
        local A, B, C0 = random_matrix(m, k), random_matrix(n, k), random_matrix(m, n)
        for _, beta in ipairs {0, 1, 0.5} do
          local a = core.kernel_gemm_nt("naive", A, B, C0, beta)
          local b = core.kernel_gemm_nt(which, A, B, C0, beta)
          assert.is_true(a:maxabsdiff(b) < 1e-4 * math.sqrt(k), ("nt %dx%dx%d: %g"):format(m, n, k, a:maxabsdiff(b)))
        end
        -- op(A) B with A transposed (k x m) and plain (m x k), B k x n
        local At, Ap, Bk, D0 = random_matrix(k, m), random_matrix(m, k), random_matrix(k, n), random_matrix(m, n)
        for _, ab in ipairs {{1, 0}, {1, 1}, {-0.3, 0.9}} do
          for _, tr in ipairs {true, false} do
            local AA = tr and At or Ap
            local a = core.kernel_gemm_xn("naive", AA, tr, Bk, D0, ab[1], ab[2])
            local b = core.kernel_gemm_xn(which, AA, tr, Bk, D0, ab[1], ab[2])
            assert.is_true(a:maxabsdiff(b) < 1e-4 * math.sqrt(k), ("xn %dx%dx%d"):format(m, n, k))
          end
        end
      end
    end)

    it(which .. ": a network trains the same as with the naive tables", function()
      local net1 = network.Network({33, 17, 9}, {seed = 4})
      local net2 = network.Network({33, 17, 9}, {seed = 4})
      net1._net:kernels("naive")
      net2._net:kernels(which)
      local data = H.to_data(H.get_dummy_training_data(33, 9, 50, core.Rng(3)))
      for _ = 1, 3 do
        net1._net:train_epoch(data, net1.rng, {eta = 0.5, batch = 7})
        net2._net:train_epoch(data, net2.rng, {eta = 0.5, batch = 7})
      end
      for l = 1, 2 do assert.is_true(net1.weights[l]:maxabsdiff(net2.weights[l]) < 1e-4) end
    end)
  end

  it("the best table is one of those listed", function()
    local best = core.simd()
    local found = false
    for _, t in ipairs(tables) do found = found or t == best end
    assert.is_true(found)
  end)
end)
