-- lnn.network2 (network2.py): costs, initialisation, L2, monitoring, early
-- stopping, the learning-rate schedule, momentum, tanh and softmax units, and
-- network2.py's JSON files.  The C engine is checked against lnn.reference
-- (plain Lua) and against finite differences.
local core = require "lnn.core"
local network2 = require "lnn.network2"
local R = require "lnn.reference"
local H = require "helpers"

local CE, Q, LL = network2.CrossEntropyCost, network2.QuadraticCost, network2.LogLikelihoodCost

local function silent() return {quiet = true} end

describe("network2 costs", function()
  it("QuadraticCost.fn and delta are network2.py's", function()
    assert.is_true(math.abs(Q.fn({0.2, 0.9}, {0, 1}) - 0.5 * (0.04 + 0.01)) < 1e-7)
    local d = Q.delta({0, 1}, {0.2, 0.9}, {0, 1})
    local s1 = 1 / (1 + math.exp(-1))
    assert.is_true(math.abs(d[1][1] - 0.2 * 0.25) < 1e-7)
    assert.is_true(math.abs(d[2][1] - (-0.1) * s1 * (1 - s1)) < 1e-7)
  end)

  it("CrossEntropyCost.fn is nan_to_num-safe and delta is a - y", function()
    local a, y = {0.2, 0.9}, {0, 1}
    local want = -math.log(0.8) - math.log(0.9)
    assert.is_true(math.abs(CE.fn(a, y) - want) < 1e-6)
    assert.are.equal(0, CE.fn({0, 1}, {0, 1}))       -- 0 log 0 counts as 0
    assert.are.equal(1.7976931348623157e308, CE.fn({1}, {0}))  -- inf becomes the largest float
    local d = CE.delta({5, -5}, a, y)
    assert.is_true(math.abs(d[1][1] - 0.2) < 1e-7 and math.abs(d[2][1] + 0.1) < 1e-7)
  end)

  it("LogLikelihoodCost.fn is -ln a_y", function()
    assert.is_true(math.abs(LL.fn({0.1, 0.7, 0.2}, {0, 1, 0}) + math.log(0.7)) < 1e-6)
  end)

  it("cost functions reject bad arguments by name", function()
    H.error_matches(function() CE.fn("x", {1}) end, "bad argument #1 to 'CrossEntropyCost.fn'")
    H.error_matches(function() CE.fn({1, 2}, {1}) end, "CrossEntropyCost.fn", "2 values", "1")
    H.error_matches(function() Q.delta({1}, {1, 2}, {1, 2}) end, "QuadraticCost.delta", "z has 1")
  end)
end)

describe("network2 Network", function()
  it("default_weight_initializer draws weights N(0, 1/n_in), large N(0, 1)", function()
    local net = network2.Network({400, 50, 10}, CE, {seed = 3})
    local function std(m)
      local t, s, s2 = m:totable(true), 0, 0
      for _, v in ipairs(t) do s, s2 = s + v, s2 + v * v end
      return math.sqrt(s2 / #t - (s / #t) ^ 2)
    end
    assert.is_true(math.abs(std(net.weights[1]) - 1 / 20) < 0.005, std(net.weights[1]))
    assert.is_true(math.abs(std(net.biases[1]) - 1) < 0.35)
    net:large_weight_initializer()
    assert.is_true(math.abs(std(net.weights[1]) - 1) < 0.05, std(net.weights[1]))
  end)

  it("the same seed gives the same network, bit for bit", function()
    local a = network2.Network({20, 7, 3}, CE, {seed = 9})
    local b = network2.Network({20, 7, 3}, CE, {seed = 9})
    assert.are.equal(0, a._net:params():maxabsdiff(b._net:params()))
  end)

  it("rejects an unknown cost, activation or option, naming it", function()
    H.error_matches(function() network2.Network({2, 2}, "HingeCost") end,
      "bad argument #2 to 'Network'", "HingeCost")
    H.error_matches(function() network2.Network({2, 2}, CE, {hidden = "swish"}) end, "swish")
    H.error_matches(function() network2.Network({2, 2}, CE, {output = "softmax"}) end,
      "CrossEntropyCost needs a sigmoid output layer")
    H.error_matches(function() network2.Network({2, 2}, CE, {sede = 1}) end, "unknown option 'sede'")
    H.error_matches(function() network2.Network({2}, CE) end, "at least 2 layer sizes")
  end)

  it("total_cost is the mean cost plus the L2 term once, as the reference", function()
    local pairs_ = H.get_dummy_training_data(12, 4, 30, core.Rng(5))
    local net = network2.Network({12, 6, 4}, CE, {seed = 2})
    local ref = H.reference_of(net, R.CrossEntropyCost)
    local got = net:total_cost(H.to_data(pairs_), 2.5)
    local want = ref:total_cost(pairs_, 2.5)
    assert.is_true(math.abs(got - want) < 1e-5 * math.abs(want), got .. " vs " .. want)
    -- and the engine's cost agrees with the face's fn, item by item
    local sum = 0
    for _, p in ipairs(pairs_) do sum = sum + CE.fn(net:feedforward(p[1]), p[2]) end
    assert.is_true(math.abs(net:total_cost(pairs_, 0) - sum / #pairs_) < 1e-5)
  end)

  it("update_mini_batch with L2 matches the reference, cross-entropy and quadratic", function()
    for _, c in ipairs {{CE, R.CrossEntropyCost}, {Q, R.QuadraticCost}} do
      local net = network2.Network({10, 8, 5}, c[1], {seed = 4})
      local ref = H.reference_of(net, c[2])
      local rng = core.Rng(8)
      for _ = 1, 5 do
        local batch = H.get_dummy_training_data(10, 5, rng:random(6), rng)
        net:update_mini_batch(batch, 0.7, 3.0, 100)
        ref:update_mini_batch(batch, 0.7, 3.0, 100)
      end
      for l = 1, 2 do
        assert.is_true(H.maxdiff(net.weights[l], ref.weights[l]) < 1e-5, c[1].name)
        assert.is_true(H.maxdiff(net.biases[l], ref.biases[l]) < 1e-5, c[1].name)
      end
    end
  end)

  it("momentum: v = mu v - (eta/m) grad; w = w + v, step by step", function()
    local pairs_ = H.get_dummy_training_data(6, 3, 8, core.Rng(1))
    local data = H.to_data(pairs_)
    local X, Y = data:matrices()
    local net = network2.Network({6, 4, 3}, CE, {seed = 6})
    local w = net._net:params():totable(true)
    local v = {}
    for i = 1, #w do v[i] = 0 end
    local probe = network2.Network({6, 4, 3}, CE, {seed = 6})
    local eta, mu, m = 0.5, 0.9, #pairs_
    for _ = 1, 3 do
      probe._net:params():copy_from(core.Matrix(#w, 1, w))
      local g = probe._net:gradient(X, Y):totable(true)
      for i = 1, #w do
        v[i] = mu * v[i] - eta / m * g[i]
        w[i] = w[i] + v[i]
      end
    end
    net:SGD(data, 3, m, eta, {mu = mu, quiet = true})
    assert.is_true(H.maxdiff(net._net:params(), w) < 1e-5)
  end)

  it("SGD returns the four monitoring lists and prints as network2.py", function()
    local data = H.to_data(H.get_dummy_training_data(8, 3, 40, core.Rng(2)))
    local eval = H.to_data(H.get_dummy_training_data(8, 3, 20, core.Rng(3)))
    local net = network2.Network({8, 5, 3}, CE, {seed = 1})
    local lines = {}
    local ec, ea, tc, ta = net:SGD(data, 3, 10, 0.5, {
      lmbda = 0.1, evaluation_data = eval, monitor_evaluation_cost = true,
      monitor_evaluation_accuracy = true, monitor_training_cost = true,
      monitor_training_accuracy = true, log = function(s) lines[#lines + 1] = s end})
    assert.are.same({3, 3, 3, 3}, {#ec, #ea, #tc, #ta})
    assert.are.equal("Epoch 0 training complete", lines[1])
    assert.truthy(lines[2]:match("^Cost on training data: %d"))
    assert.truthy(lines[3]:match("^Accuracy on training data: %d+ / 40$"))
    assert.truthy(lines[4]:match("^Cost on evaluation data: %d"))
    assert.truthy(lines[5]:match("^Accuracy on evaluation data: %d+ / 20$"))
    assert.are.equal(15, #lines)
    assert.is_true(math.abs(tc[3] - net:total_cost(data, 0.1)) < 1e-9)
    assert.are.equal(ea[3], net:accuracy(eval))
    local ec2, ea2, tc2, ta2 = net:SGD(data, 2, 10, 0.5, {quiet = true})
    assert.are.same({0, 0, 0, 0}, {#ec2, #ea2, #tc2, #ta2})
  end)

  it("early stopping ends after early_stopping_n epochs without a better accuracy", function()
    local data = H.to_data(H.get_dummy_training_data(8, 3, 40, core.Rng(2)))
    local net = network2.Network({8, 5, 3}, CE, {seed = 1})
    -- an eta so small that the accuracy cannot change: best at epoch 0, then 4 more
    local _, ea = net:SGD(data, 50, 10, 1e-12, {evaluation_data = data,
      monitor_evaluation_accuracy = true, early_stopping_n = 4, quiet = true})
    assert.are.equal(5, #ea)
    local _, ea2 = net:SGD(data, 3, 10, 1e-12, {evaluation_data = data,
      monitor_evaluation_accuracy = true, early_stopping_n = 10, quiet = true})
    assert.are.equal(3, #ea2)
  end)

  it("the schedule halves eta after schedule_n flat epochs and stops at eta/128", function()
    local data = H.to_data(H.get_dummy_training_data(8, 3, 40, core.Rng(2)))
    local net = network2.Network({8, 5, 3}, CE, {seed = 1})
    local etas = {}
    net:SGD(data, 100, 10, 1e-12, {evaluation_data = data, schedule_n = 2, quiet = true,
      on_epoch = function(info) etas[#etas + 1] = info.eta end})
    -- epoch 1 sets the best; then 7 halvings, one every 2 epochs
    assert.are.equal(1 + 7 * 2, #etas)
    assert.are.equal(1e-12, etas[1])
    assert.are.equal(1e-12 / 2, etas[4])
    assert.are.equal(1e-12 / 64, etas[15])
  end)

  it("SGD rejects bad arguments with names", function()
    local net = network2.Network({2, 2}, CE)
    local data = H.to_data(H.get_dummy_training_data(2, 2, 4))
    H.error_matches(function() net:SGD(data, 1, 1, 0.1, {lambda = 1}) end, "unknown option 'lambda'")
    H.error_matches(function() net:SGD(data, 1, 1, 0.1, {lmbda = -1}) end, "lmbda must be a number >= 0")
    H.error_matches(function() net:SGD(data, 1, 1, 0.1, {mu = 1}) end, "option 'mu'")
    H.error_matches(function() net:SGD(data, 1, 1, 0.1, {early_stopping_n = 2}) end,
      "evaluation_data is needed")
    H.error_matches(function() net:SGD(data, -1, 1, 0.1) end, "bad argument #2 to 'SGD'")
    H.error_matches(function() net:SGD(data, 1, 0, 0.1) end, "bad argument #3 to 'SGD'")
    H.error_matches(function() net:SGD(data, 1, 1, 0) end, "bad argument #4 to 'SGD'")
    H.error_matches(function() net:accuracy(data, "yes") end, "bad argument #2 to 'accuracy'")
  end)

  it("a label out of range is an error, not garbage", function()
    H.error_matches(function() core.Data({{0.1, 0.2}}, {7}, 3) end, "Data")
  end)
end)

describe("network2 gradients", function()
  local function fd_check(net, pairs_)
    local X, Y = H.to_data(pairs_):matrices()
    local p = net._net:params()
    local g = net._net:gradient(X, Y)
    local eps, worst = 1e-2, 0
    for i = 1, p:numel(), math.max(1, p:numel() // 40) do
      local old = p[i][1]
      p[i][1] = old + eps
      local _, cp = net._net:gradient(X, Y)
      p[i][1] = old - eps
      local _, cm = net._net:gradient(X, Y)
      p[i][1] = old
      local numeric = (cp - cm) / (2 * eps)
      worst = math.max(worst, math.abs(numeric - g[i][1]) / math.max(1e-2, math.abs(numeric)))
    end
    return worst
  end

  it("cross-entropy, tanh hidden units and softmax + log-likelihood pass a finite-difference check", function()
    local pairs_ = H.get_dummy_training_data(7, 4, 5, core.Rng(4))
    for _, case in ipairs {
      {CE, {}}, {CE, {hidden = "tanh"}}, {LL, {}}, {LL, {hidden = "tanh"}}, {Q, {hidden = "relu"}},
    } do
      local opts = case[2]
      opts.seed = 5
      local net = network2.Network({7, 6, 5, 4}, case[1], opts)
      local worst = fd_check(net, pairs_)
      assert.is_true(worst < 3e-2, ("%s %s: worst relative error %g"):format(case[1].name,
        tostring(opts.hidden), worst))
    end
  end)

  it("a softmax output sums to 1", function()
    local net = network2.Network({5, 4, 3}, LL, {seed = 1})
    local a = net:feedforward({0.1, 0.2, 0.3, 0.4, 0.5})
    assert.is_true(math.abs(a:sum() - 1) < 1e-6)
  end)

  it("gradient_norms gives each layer's bias and weight gradient length", function()
    local pairs_ = H.get_dummy_training_data(6, 3, 10, core.Rng(9))
    local net = network2.Network({6, 5, 4, 3}, Q, {seed = 2})
    local nb, nw = net:gradient_norms(pairs_)
    assert.are.equal(3, #nb)
    -- the same from backprop, averaged over the items
    local sum = {}
    for _, p in ipairs(pairs_) do
      local b = net:backprop(p[1], p[2])
      for l = 1, 3 do
        sum[l] = sum[l] or {}
        for j, v in ipairs(b[l]:totable(true)) do sum[l][j] = (sum[l][j] or 0) + v / #pairs_ end
      end
    end
    for l = 1, 3 do
      local s = 0
      for _, v in ipairs(sum[l]) do s = s + v * v end
      assert.is_true(math.abs(math.sqrt(s) - nb[l]) < 1e-5 * math.max(1, nb[l]))
      assert.is_true(nw[l] > 0)
    end
  end)
end)

describe("network2 JSON files", function()
  local dir, cleanup
  setup(function() dir, cleanup = H.tmpdir() end)
  teardown(function() cleanup() end)

  it("save and load round-trip every float32 exactly, cost and activations too", function()
    for _, case in ipairs {{CE, {}}, {Q, {hidden = "tanh"}}, {LL, {}}} do
      local opts = case[2]
      opts.seed = 7
      local net = network2.Network({9, 5, 3}, case[1], opts)
      net:save(dir .. "/n.json")
      local back = network2.load(dir .. "/n.json")
      assert.are.equal(0, back._net:params():maxabsdiff(net._net:params()))
      assert.are.equal(case[1], back.cost)
      assert.are.same(net.sizes, back.sizes)
      assert.are.equal(net.hidden, back.hidden)
      assert.are.equal(net.output, back.output)
    end
  end)

  it("writes network2.py's layout: sizes, weights as rows, biases as columns, cost", function()
    local net = network2.Network({2, 3, 1}, CE, {seed = 1})
    net:save(dir .. "/n.json")
    local doc = require("lnn.json").decode(H.read_file(dir .. "/n.json"))
    assert.are.same({2, 3, 1}, doc.sizes)
    assert.are.equal("CrossEntropyCost", doc.cost)
    assert.are.equal(3, #doc.weights[1])
    assert.are.equal(2, #doc.weights[1][1])
    assert.are.equal(3, #doc.biases[1])
    assert.are.equal(1, #doc.biases[1][1])
    assert.is_nil(doc.activations)
    assert.is_true(math.abs(doc.weights[1][2][1] - net.weights[1][2][1]) < 1e-7)
  end)

  it("loads a file as network2.py writes it and computes the same output", function()
    -- json.dump of network2.py: Python's float repr, spaces after separators
    local text = '{"sizes": [2, 2, 1], "weights": [[[0.5, -1.25], [2.0, 0.125]], '
      .. '[[-0.75, 1.5]]], "biases": [[[0.1], [-0.2]], [[0.3]]], "cost": "CrossEntropyCost"}'
    H.write_file(dir .. "/py.json", text)
    local net = network2.load(dir .. "/py.json")
    local function s(z) return 1 / (1 + math.exp(-z)) end
    local x1, x2 = 0.4, 0.8
    local h1, h2 = s(0.5 * x1 - 1.25 * x2 + 0.1), s(2.0 * x1 + 0.125 * x2 - 0.2)
    local want = s(-0.75 * h1 + 1.5 * h2 + 0.3)
    assert.is_true(math.abs(net:feedforward({x1, x2})[1][1] - want) < 1e-6)
    assert.are.equal(CE, net.cost)
  end)

  it("rejects bad files with the file name and the problem", function()
    local good = '{"sizes": [2, 1], "weights": [[[0.5, 1]]], "biases": [[[0.1]]], "cost": "QuadraticCost"}'
    local function try(text, ...)
      H.write_file(dir .. "/bad.json", text)
      H.error_matches(function() network2.load(dir .. "/bad.json") end, dir .. "/bad.json", ...)
    end
    assert.are.equal(Q, (function() H.write_file(dir .. "/g.json", good) return network2.load(dir .. "/g.json").cost end)())
    try(good:gsub("QuadraticCost", "HingeCost"), "unknown cost", "HingeCost")
    try(good:sub(1, -10))                                   -- truncated
    try("{sizes: [2, 1]}")                                  -- malformed
    try(good:gsub('%[%[%[0.5, 1%]%]%]', '[[[0.5]]]'), "weights[1] row 1 must hold 2 numbers")
    try(good:gsub('"sizes": %[2, 1%]', '"sizes": [3, 1]'), "weights[1] row 1 must hold 3 numbers")
    try(good:gsub('%[%[%[0.1%]%]%]', '[[[0.1], [0.2]]]'), "biases[1] must have 1 rows")
    try(good:gsub('%[%[%[0.1%]%]%]', '[[["x"]]]'), "biases[1][1][1] is not a finite number")
    try(good:gsub('"sizes": %[2, 1%]', '"sizes": [2, 0]'), '"sizes"')
    try("[1, 2]", "JSON object expected")
    H.error_matches(function() network2.load(dir .. "/none.json") end, "none.json", "cannot open")
    H.error_matches(function() network2.load(7) end, "bad argument #1 to 'load'")
  end)

  it("a failed save leaves the existing file intact and no temporary behind", function()
    local path = dir .. "/keep.json"
    local net = network2.Network({3, 2}, CE, {seed = 1})
    net:save(path)
    local before = H.read_file(path)
    net.weights[1][1][1] = 0 / 0
    H.error_matches(function() net:save(path) end, "weights[1] (layer 1) is not finite")
    assert.are.equal(before, H.read_file(path))
    net.weights[1][1][1] = 0.5
    H.error_matches(function() net:save(dir .. "/no/such/dir/x.json") end, "no/such/dir")
    local p = io.popen("ls -A '" .. dir .. "'")
    local listing = p:read("a")
    p:close()
    assert.falsy(listing:find("tmp", 1, true), listing)
  end)
end)

describe("evaluation over threads #slow #mnist", function()
  it("gives the same count, cost and predictions, bit for bit, on 1, 2 or 3 threads", function()
    local dir = H.mnist_dir()
    local _, _, test = require("lnn.mnist_loader").load_data(dir)
    local net = network2.Network({784, 40, 10}, CE, {seed = 12})
    local core_threads = core.threads()
    core.threads(1)
    local c1, cost1 = net._net:evaluate(test, true)
    local p1 = net._net:predict(test)
    for _, t in ipairs({2, 3}) do
      core.threads(t)
      local c2, cost2 = net._net:evaluate(test, true)
      local p2 = net._net:predict(test)
      assert.are.equal(c1, c2)
      assert.are.equal(cost1, cost2)
      assert.are.same(p1, p2)
    end
    -- a workspace cached by a larger forward pass does not change the chunks
    core.threads(1)
    net._net:forward(core.Matrix(1500, 784, 0.5))
    local c3, cost3 = net._net:evaluate(test, true)
    core.threads(core_threads)
    assert.are.equal(c1, c3)
    assert.are.equal(cost1, cost3)
    local agree = 0
    for i = 1, #test do if p1[i] == test:label(i) then agree = agree + 1 end end
    assert.are.equal(c1, agree)
  end)
end)
