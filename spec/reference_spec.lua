-- reference_spec.lua -- tests of lnn.reference itself: hand-computed values, finite-difference
-- gradients, the update rule and a small learning problem, so the twin is trusted before the engine
-- is compared against it. It does not touch the C engine.

package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
local R = require "lnn.reference"

-- An explicit, seedable generator (64-bit LCG, integers wrap in Lua 5.4): the specs must not depend
-- on math.random's state or algorithm.
local function make_rng(seed)
  local state = seed
  return function()
    state = state * 6364136223846793005 + 1442695040888963407
    return (state >> 11) * 2.0 ^ -53 -- uniform in [0, 1)
  end
end

local function random_params(sizes, rng, scale)
  local W, B = {}, {}
  for l = 1, #sizes - 1 do
    W[l], B[l] = {}, {}
    for j = 1, sizes[l + 1] do
      B[l][j] = scale * (2 * rng() - 1)
      W[l][j] = {}
      for k = 1, sizes[l] do W[l][j][k] = scale * (2 * rng() - 1) end
    end
  end
  return W, B
end

local function random_vector(n, rng, lo, hi)
  local v = {}
  for i = 1, n do v[i] = lo + (hi - lo) * rng() end
  return v
end

local function close(a, b, rel, abs)
  return math.abs(a - b) <= rel * math.max(math.abs(a), math.abs(b)) + (abs or 0)
end

-- Central differences of cost.fn(feedforward(x), y) against backprop for every parameter.
-- Returns the number of parameters checked and a list of mismatches.
local function gradient_check(net, x, y)
  local h = 1e-5
  local function C() return net.cost.fn(net:feedforward(x), y) end
  local nabla_b, nabla_w = net:backprop(x, y)
  local checked, bad = 0, {}
  local function check(tbl, i, analytic, name)
    local saved = tbl[i]
    tbl[i] = saved + h
    local plus = C()
    tbl[i] = saved - h
    local minus = C()
    tbl[i] = saved
    local numeric = (plus - minus) / (2 * h)
    checked = checked + 1
    if not close(analytic, numeric, 1e-6, 1e-10) then
      bad[#bad + 1] = ("%s: backprop %.12g, finite difference %.12g"):format(name, analytic, numeric)
    end
  end
  for l = 1, net.num_layers - 1 do
    for j = 1, net.sizes[l + 1] do
      check(net.biases[l], j, nabla_b[l][j], ("b[%d][%d]"):format(l, j))
      for k = 1, net.sizes[l] do
        check(net.weights[l][j], k, nabla_w[l][j][k], ("w[%d][%d][%d]"):format(l, j, k))
      end
    end
  end
  return checked, bad
end

local function count_params(sizes)
  local n = 0
  for l = 1, #sizes - 1 do n = n + sizes[l + 1] * (sizes[l] + 1) end
  return n
end

describe("lnn.reference", function()
  describe("sigmoid", function()
    it("has the textbook values", function()
      assert.are.equal(0.5, R.sigmoid(0))
      assert.is_true(close(R.sigmoid(1), 0.7310585786300049, 1e-15))
      assert.is_true(close(R.sigmoid(-1), 0.2689414213699951, 1e-15))
      assert.is_true(close(R.sigmoid(2), 0.8807970779778823, 1e-15))
      for _, z in ipairs({ -3.5, -0.25, 0.7, 4 }) do
        assert.is_true(close(R.sigmoid(z) + R.sigmoid(-z), 1.0, 1e-15))
      end
    end)

    it("saturates without overflow or nan", function()
      assert.are.equal(1.0, R.sigmoid(800))
      assert.are.equal(0.0, R.sigmoid(-800))
      assert.are.equal(0.0, R.sigmoid(-1e308))
      assert.are.equal(0.0, R.sigmoid_prime(800))
      assert.are.equal(0.0, R.sigmoid_prime(-800))
    end)

    it("has sigmoid_prime = s(1-s), 0.25 at 0, and matching finite differences", function()
      assert.are.equal(0.25, R.sigmoid_prime(0))
      for _, z in ipairs({ -5, -1, -0.3, 0.2, 1.5, 6 }) do
        local s = R.sigmoid(z)
        assert.is_true(close(R.sigmoid_prime(z), s * (1 - s), 1e-15))
        local fd = (R.sigmoid(z + 1e-5) - R.sigmoid(z - 1e-5)) / 2e-5
        assert.is_true(close(R.sigmoid_prime(z), fd, 1e-8))
      end
    end)
  end)

  describe("costs", function()
    it("QuadraticCost is 0.5*||a-y||^2 with delta (a-y)*sigmoid'(z)", function()
      assert.are.equal(2.5, R.QuadraticCost.fn({ 1, 2 }, { 0, 0 }))
      assert.are.equal(0.0, R.QuadraticCost.fn({ 0.3, 0.7 }, { 0.3, 0.7 }))
      local d = R.QuadraticCost.delta({ 0, 1 }, { 0.5, 0.25 }, { 1, 0 })
      assert.are.equal(-0.5 * 0.25, d[1])
      assert.is_true(close(d[2], 0.25 * R.sigmoid_prime(1), 1e-15))
    end)

    it("CrossEntropyCost is -y log a - (1-y) log(1-a) with delta a-y", function()
      assert.is_true(close(R.CrossEntropyCost.fn({ 0.5 }, { 0.5 }), math.log(2), 1e-15))
      local a, y = { 0.2, 0.9 }, { 0, 1 }
      assert.is_true(close(R.CrossEntropyCost.fn(a, y), -math.log(0.8) - math.log(0.9), 1e-15))
      local d = R.CrossEntropyCost.delta({ 7, -7 }, a, y)
      assert.are.same({ 0.2 - 0, 0.9 - 1 }, d)
    end)

    it("CrossEntropyCost is nan-safe like np.nan_to_num", function()
      -- y == a == 0 and y == a == 1 are 0*log(0) = nan terms: they count as 0
      local c = R.CrossEntropyCost.fn({ 0, 1, 0, 1 }, { 0, 1, 0, 1 })
      assert.are.equal(0.0, c)
      c = R.CrossEntropyCost.fn({ 0, 0.5, 1 }, { 0, 0.5, 1 })
      assert.is_true(c == c)
      assert.is_true(close(c, math.log(2), 1e-15))
      -- a confidently wrong output is +inf, which nan_to_num turns into the largest double
      c = R.CrossEntropyCost.fn({ 1 }, { 0 })
      assert.are.equal(1.7976931348623157e308, c)
    end)
  end)

  describe("Network", function()
    -- {2,2,1}: hidden = sigmoid({x1 - x2, 0.5 x1 + 2 x2 - 1}), out = sigmoid(2 h1 - 3 h2 + 0.5)
    local W = { { { 1, -1 }, { 0.5, 2 } }, { { 2, -3 } } }
    local B = { { 0, -1 }, { 0.5 } }

    it("keeps the sizes and the default cost", function()
      local net = R.Network({ 2, 2, 1 }, { weights = W, biases = B })
      assert.are.same({ 2, 2, 1 }, net.sizes)
      assert.are.equal(3, net.num_layers)
      assert.are.equal(R.QuadraticCost, net.cost)
      assert.are.equal(R.CrossEntropyCost,
        R.Network({ 2, 2, 1 }, { weights = W, biases = B, cost = R.CrossEntropyCost }).cost)
    end)

    it("computes a {2,2,1} network by hand", function()
      local net = R.Network({ 2, 2, 1 }, { weights = W, biases = B })
      -- x = {1, 1}: z1 = {0, 1.5}, h = {0.5, sigmoid(1.5)}, z2 = 1 - 3 sigmoid(1.5) + 0.5
      local h2 = 1 / (1 + math.exp(-1.5))
      local expect = 1 / (1 + math.exp(-(2 * 0.5 - 3 * h2 + 0.5)))
      local out = net:feedforward({ 1, 1 })
      assert.are.equal(1, #out)
      assert.is_true(close(out[1], expect, 1e-15))
      assert.is_true(close(out[1], 0.2783374484514777, 1e-14))
      -- x = {0, 0}: z1 = {0, -1}, z2 = 1 - 3 sigmoid(-1) + 0.5
      local h2b = 1 / (1 + math.exp(1))
      out = net:feedforward({ 0, 0 })
      assert.is_true(close(out[1], 1 / (1 + math.exp(-(1.5 - 3 * h2b))), 1e-15))
    end)

    it("deep-copies weights and biases", function()
      local W2 = { { { 1, -1 }, { 0.5, 2 } }, { { 2, -3 } } }
      local B2 = { { 0, -1 }, { 0.5 } }
      local net = R.Network({ 2, 2, 1 }, { weights = W2, biases = B2 })
      local before = net:feedforward({ 1, 1 })[1]
      W2[1][1][1], B2[2][1] = 100, -100
      assert.are.equal(before, net:feedforward({ 1, 1 })[1])
      assert.are_not.equal(W2[1], net.weights[1])
      net:update_mini_batch({ { { 1, 1 }, { 1 } } }, 1.0)
      assert.are.equal(100, W2[1][1][1])
    end)

    it("rejects bad shapes and unknown options", function()
      assert.error_matches(function() R.Network({ 2, 2, 1 }, { weights = W, biases = B, lamda = 1 }) end,
        "unknown option 'lamda' to 'Network'")
      assert.error_matches(function() R.Network({ 2, 3, 1 }, { weights = W, biases = B }) end,
        "weights%[1%] to 'Network' must have 3 rows")
      assert.error_matches(function() R.Network({ 2, 2, 1 }, {}) end, "no random init")
      local net = R.Network({ 2, 2, 1 }, { weights = W, biases = B })
      assert.error_matches(function() net:feedforward({ 1, 2, 3 }) end,
        "input to 'feedforward' has 3 numbers, expected 2")
      assert.error_matches(function() net:SGD({ { { 1, 1 }, { 1 } } }, 1, 1, 1.0, { lamda = 1 }) end,
        "unknown option 'lamda' to 'SGD'")
    end)

    describe("backprop matches central finite differences for every parameter", function()
      local cases = {
        { sizes = { 3, 4, 2 }, cost = "QuadraticCost", seed = 1 },
        { sizes = { 3, 4, 2 }, cost = "CrossEntropyCost", seed = 2 },
        { sizes = { 2, 3, 3, 2 }, cost = "QuadraticCost", seed = 3 },
        { sizes = { 2, 3, 3, 2 }, cost = "CrossEntropyCost", seed = 4 },
      }
      for _, case in ipairs(cases) do
        it(("%s on {%s}"):format(case.cost, table.concat(case.sizes, ",")), function()
          local rng = make_rng(case.seed)
          local Wr, Br = random_params(case.sizes, rng, 1.5)
          local net = R.Network(case.sizes, { weights = Wr, biases = Br, cost = R[case.cost] })
          for _ = 1, 3 do
            local x = random_vector(case.sizes[1], rng, -2, 2)
            local y = random_vector(case.sizes[#case.sizes], rng, 0, 1)
            local checked, bad = gradient_check(net, x, y)
            assert.are.equal(count_params(case.sizes), checked)
            assert.are.same({}, bad)
          end
        end)
      end

      it("and the check itself catches a wrong gradient", function()
        -- quadratic cost with the cross-entropy delta: the sigmoid'(z) factor is missing
        local wrong = { fn = R.QuadraticCost.fn, delta = R.CrossEntropyCost.delta }
        local rng = make_rng(5)
        local Wr, Br = random_params({ 3, 4, 2 }, rng, 1.5)
        local net = R.Network({ 3, 4, 2 }, { weights = Wr, biases = Br, cost = wrong })
        local _, bad = gradient_check(net, { 0.5, -1, 2 }, { 1, 0 })
        assert.is_true(#bad > 0)
      end)
    end)

    describe("update_mini_batch", function()
      local sizes = { 3, 4, 2 }
      local function setup(cost)
        local rng = make_rng(11)
        local Wr, Br = random_params(sizes, rng, 1.0)
        local batch = {}
        for i = 1, 5 do batch[i] = { random_vector(3, rng, -1, 1), random_vector(2, rng, 0, 1) } end
        return R.Network(sizes, { weights = Wr, biases = Br, cost = cost }),
          R.Network(sizes, { weights = Wr, biases = Br, cost = cost }), batch
      end

      -- mean gradient over batch, from backprop of one example at a time
      local function mean_gradient(net, batch)
        local mb, mw = {}, {}
        for l = 1, #sizes - 1 do
          mb[l], mw[l] = {}, {}
          for j = 1, sizes[l + 1] do
            mb[l][j], mw[l][j] = 0, {}
            for k = 1, sizes[l] do mw[l][j][k] = 0 end
          end
        end
        for _, ex in ipairs(batch) do
          local nb, nw = net:backprop(ex[1], ex[2])
          for l = 1, #sizes - 1 do
            for j = 1, sizes[l + 1] do
              mb[l][j] = mb[l][j] + nb[l][j] / #batch
              for k = 1, sizes[l] do mw[l][j][k] = mw[l][j][k] + nw[l][j][k] / #batch end
            end
          end
        end
        return mb, mw
      end

      for _, cost in ipairs({ "QuadraticCost", "CrossEntropyCost" }) do
        it("is parameter - eta * mean gradient (" .. cost .. ")", function()
          local net, ref, batch = setup(R[cost])
          local mb, mw = mean_gradient(ref, batch)
          local eta = 0.7
          net:update_mini_batch(batch, eta)
          for l = 1, #sizes - 1 do
            for j = 1, sizes[l + 1] do
              assert.is_true(close(net.biases[l][j], ref.biases[l][j] - eta * mb[l][j], 1e-12, 1e-15))
              for k = 1, sizes[l] do
                assert.is_true(close(net.weights[l][j][k], ref.weights[l][j][k] - eta * mw[l][j][k],
                  1e-12, 1e-15))
              end
            end
          end
        end)
      end

      it("decays weights (not biases) by 1 - eta*lmbda/n", function()
        local net, ref, batch = setup(R.CrossEntropyCost)
        local mb, mw = mean_gradient(ref, batch)
        local eta, lmbda, n = 0.5, 2.0, 50
        net:update_mini_batch(batch, eta, lmbda, n)
        for l = 1, #sizes - 1 do
          for j = 1, sizes[l + 1] do
            assert.is_true(close(net.biases[l][j], ref.biases[l][j] - eta * mb[l][j], 1e-12, 1e-15))
            for k = 1, sizes[l] do
              local expect = (1 - eta * lmbda / n) * ref.weights[l][j][k] - eta * mw[l][j][k]
              assert.is_true(close(net.weights[l][j][k], expect, 1e-12, 1e-15))
            end
          end
        end
      end)

      it("lowers the cost for a small step", function()
        local net, _, batch = setup(R.QuadraticCost)
        local before = net:total_cost(batch)
        net:update_mini_batch(batch, 0.01)
        assert.is_true(net:total_cost(batch) < before)
      end)
    end)

    it("evaluate counts 0-based argmax hits, ties going to the first max", function()
      -- {1,3}: zero weights, biases pick the outputs directly
      local net = R.Network({ 1, 3 }, { weights = { { { 0 }, { 0 }, { 0 } } }, biases = { { 0, 1, 1 } } })
      assert.are.equal(1, net:evaluate({ { { 5 }, 1 } }))
      assert.are.equal(0, net:evaluate({ { { 5 }, 2 } }))
      assert.are.equal(2, net:evaluate({ { { 5 }, 1 }, { { 5 }, 0 }, { { 5 }, 1 } }))
      local flat = R.Network({ 1, 2 }, { weights = { { { 0 }, { 0 } } }, biases = { { 0, 0 } } })
      assert.are.equal(1, flat:evaluate({ { { 3 }, 0 } }))
      assert.are.equal(0, flat:evaluate({ { { 3 }, 1 } }))
    end)

    it("total_cost is the mean cost plus the L2 term once", function()
      local net = R.Network({ 2, 2, 1 }, { weights = W, biases = B })
      local data = { { { 1, 1 }, { 1 } }, { { 0, 0 }, { 0 } }, { { 1, 0 }, { 1 } } }
      local mean = 0
      for _, ex in ipairs(data) do mean = mean + R.QuadraticCost.fn(net:feedforward(ex[1]), ex[2]) / 3 end
      local sumsq = 1 + 1 + 0.25 + 4 + 4 + 9
      assert.is_true(close(net:total_cost(data), mean, 1e-15))
      assert.is_true(close(net:total_cost(data, 0.3), mean + 0.5 * (0.3 / 3) * sumsq, 1e-15))
    end)

    describe("SGD", function()
      local function one_hot(c, n)
        local v = {}
        for i = 1, n do v[i] = (i == c + 1) and 1.0 or 0.0 end
        return v
      end

      it("takes consecutive slices of the permuted order, the last one shorter", function()
        local sizes = { 2, 3, 2 }
        local rng = make_rng(21)
        local Wr, Br = random_params(sizes, rng, 1.0)
        local data = {}
        for i = 1, 7 do data[i] = { random_vector(2, rng, -1, 1), one_hot(i % 2, 2) } end
        local perms = { { 1, 2, 3, 4, 5, 6, 7 }, { 7, 3, 5, 1, 2, 6, 4 } }
        local calls, epochs_seen = {}, {}

        local net = R.Network(sizes, { weights = Wr, biases = Br })
        local results = net:SGD(data, 2, 3, 0.9, {
          lmbda = 0.1,
          permutation = function(n, epoch)
            calls[#calls + 1] = { n, epoch }
            return perms[epoch]
          end,
          on_epoch = function(epoch, correct) epochs_seen[#epochs_seen + 1] = { epoch, correct } end,
        })
        assert.are.same({ { 7, 1 }, { 7, 2 } }, calls)
        assert.are.same({ { 1 }, { 2 } }, epochs_seen) -- no test_data: correct is nil
        assert.are.same({}, results)

        local by_hand = R.Network(sizes, { weights = Wr, biases = Br })
        for _, p in ipairs(perms) do
          by_hand:update_mini_batch({ data[p[1]], data[p[2]], data[p[3]] }, 0.9, 0.1, 7)
          by_hand:update_mini_batch({ data[p[4]], data[p[5]], data[p[6]] }, 0.9, 0.1, 7)
          by_hand:update_mini_batch({ data[p[7]] }, 0.9, 0.1, 7)
        end
        assert.are.same(by_hand.weights, net.weights)
        assert.are.same(by_hand.biases, net.biases)
      end)

      it("uses the identity order by default and rejects a bad permutation", function()
        local sizes = { 2, 2 }
        local Wr, Br = random_params(sizes, make_rng(3), 1.0)
        local data = { { { 1, 0 }, { 1, 0 } }, { { 0, 1 }, { 0, 1 } }, { { 1, 1 }, { 1, 0 } } }
        local a = R.Network(sizes, { weights = Wr, biases = Br })
        local b = R.Network(sizes, { weights = Wr, biases = Br })
        a:SGD(data, 1, 2, 1.0)
        b:update_mini_batch({ data[1], data[2] }, 1.0)
        b:update_mini_batch({ data[3] }, 1.0)
        assert.are.same(b.weights, a.weights)
        assert.error_matches(function()
          a:SGD(data, 1, 2, 1.0, { permutation = function() return { 1, 1, 2 } end })
        end, "not a permutation of 1..3")
      end)

      -- 2-D points in [0,1]^2, class 1 when x > y, 0 otherwise; a thin band around x = y is left out
      local function toy(n, rng)
        local data = {}
        while #data < n do
          local x, y = rng(), rng()
          if math.abs(x - y) > 0.05 then data[#data + 1] = { { x, y }, (x > y) and 1 or 0 } end
        end
        return data
      end

      local function shuffler(rng)
        return function(n)
          local p = {}
          for i = 1, n do p[i] = i end
          for i = n, 2, -1 do
            local j = 1 + math.floor(rng() * i)
            p[i], p[j] = p[j], p[i]
          end
          return p
        end
      end

      for _, case in ipairs({ { cost = "QuadraticCost", eta = 3.0, lmbda = 0 },
                              { cost = "CrossEntropyCost", eta = 0.5, lmbda = 0.1 } }) do
        it("learns a separable toy problem (" .. case.cost .. ")", function()
          local rng = make_rng(2024)
          local sizes = { 2, 6, 2 }
          local Wr, Br = random_params(sizes, rng, 1.0)
          local train, test = {}, toy(200, rng)
          for i, ex in ipairs(toy(500, rng)) do train[i] = { ex[1], one_hot(ex[2], 2) } end
          local net = R.Network(sizes, { weights = Wr, biases = Br, cost = R[case.cost] })
          local before = net:evaluate(test)
          local seen = {}
          local results = net:SGD(train, 30, 10, case.eta, {
            test_data = test, lmbda = case.lmbda, permutation = shuffler(rng),
            on_epoch = function(epoch, correct) seen[epoch] = correct end,
          })
          assert.are.equal(30, #results)
          assert.are.same(results, seen)
          assert.is_true(results[30] >= 190, ("only %d/200 correct (was %d)"):format(results[30], before))
          assert.are.equal(results[30], net:evaluate(test))
        end)
      end
    end)
  end)
end)
