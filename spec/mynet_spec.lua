-- lnn.mynet: the fork's tests/test_network1.py ported in full -- mynet's
-- feedforward, backprop, updateMiniBatch and SGD held to the plain-Lua twin
-- (lnn.reference) on the seed's shapes and counts -- then mynet.py's printed
-- lines, its backups, save/load in place, and its argument checks.
local core = require "lnn.core"
local mynet = require "lnn.mynet"
local network = require "lnn.network"
local R = require "lnn.reference"
local H = require "helpers"

-- the seed's get_dummy_training_data: count pairs of uniform [0, 1) vectors
local function dummy(n_in, n_out, count, rng)
  local data = {}
  for i = 1, count do
    local x, y = {}, {}
    for k = 1, n_in do x[k] = rng:uniform() end
    for k = 1, n_out do y[k] = rng:uniform() end
    data[i] = {x, y}
  end
  return data
end

-- the seed's shape lists
local function countdown(n) local t = {} for x = 0, n - 1 do t[#t + 1] = 10 - x end return t end
local function zigzag(n) local t = {} for x = 0, n - 1 do t[#t + 1] = (x + 3) * ((x % 2) + 3) end return t end

local function flat(v)
  if type(v) == "userdata" then return v:totable(true) end
  local out = {}
  local function walk(t) for _, e in ipairs(t) do if type(e) == "table" then walk(e) else out[#out + 1] = e end end end
  walk(v)
  return out
end

-- largest |a - b| / (1 + |b|): float32 against doubles, relative where values are large
local function reldiff(a, b)
  local fa, fb = flat(a), flat(b)
  assert(#fa == #fb, ("sizes differ: %d vs %d"):format(#fa, #fb))
  local m = 0
  for i = 1, #fa do
    local d = math.abs(fa[i] - fb[i]) / (1 + math.abs(fb[i]))
    if d ~= d then return math.huge end
    if d > m then m = d end
  end
  return m
end

local function close(a, b, tol, what)
  local d = reldiff(a, b)
  assert(d <= tol, ("%s: differs by %g (tolerance %g)"):format(what, d, tol))
end

-- prints of save/load go through the global print: captured here
local function capture(f)
  local lines, saved = {}, _G.print
  _G.print = function(s) lines[#lines + 1] = s end
  local ok, err = pcall(f)
  _G.print = saved
  if not ok then error(err, 0) end
  return lines
end

describe("lnn.mynet against lnn.reference (the seed's tests/test_network1.py) #slow", function()
  it("feedforward: five shapes, 50 random inputs each, every z and activation and getOutput", function()
    local rng = core.Rng(21)
    for si, sizes in ipairs {{4, 2, 3}, {1, 1}, countdown(10), zigzag(10), {500, 3, 400, 1000}} do
      local net = mynet.Network(sizes, {seed = si, backupDir = false})
      local ref = H.reference_of(net)
      local L = #sizes
      for _, p in ipairs(dummy(sizes[1], sizes[L], 50, rng)) do
        local x = p[1]
        local zs, A = net:feedforward(x)
        assert.are.equal(L, #zs)
        assert.are.equal(L, #A)
        close(A[1], x, 0, "activations[1] is the input")
        assert.are.equal(0, zs[1]:maxabsdiff(core.Matrix(sizes[1], 1)))
        -- each layer from the reference's weights and the reference's previous activation
        local a_ref = x
        for l = 2, L do
          local W, b = ref.weights[l - 1], ref.biases[l - 1]
          local z_ref, next_a = {}, {}
          for j = 1, sizes[l] do
            local s = b[j]
            for k = 1, sizes[l - 1] do s = s + W[j][k] * a_ref[k] end
            z_ref[j], next_a[j] = s, R.sigmoid(s)
          end
          assert.are.same({sizes[l], 1}, {zs[l]:shape()})
          close(zs[l], z_ref, 3e-5, ("%s: zs[%d]"):format(table.concat(sizes, ","), l))
          close(A[l], next_a, 1e-5, ("%s: activations[%d]"):format(table.concat(sizes, ","), l))
          a_ref = next_a
        end
        close(net:sigmoid(zs[L]), A[L], 1e-6, "sigmoid(zs[-1]) == activations[-1]")
        local out = net:getOutput(x)
        close(out, A[L], 1e-5, "getOutput == activations[-1]")
        close(out, ref:feedforward(x), 1e-5, table.concat(sizes, ",") .. ": getOutput against the reference")
      end
    end
  end)

  it("backprop: the seed's shapes and [100,50,150], 25 samples each; nabla_a0 too", function()
    local rng = core.Rng(22)
    for si, sizes in ipairs {{4, 2, 3}, {1, 1}, countdown(10), zigzag(10), {100, 50, 150}} do
      local net = mynet.Network(sizes, {seed = 40 + si, backupDir = false})
      local ref = H.reference_of(net)
      for _, p in ipairs(dummy(sizes[1], sizes[#sizes], 25, rng)) do
        local nb, nw, na0 = net:backprop(p[1], p[2])
        local rb, rw = ref:backprop(p[1], p[2])
        assert.are.equal(#sizes - 1, #nb)
        assert.are.equal(#sizes - 1, #nw)
        -- relative to the gradient's largest element (zigzag sums many float32 terms)
        local scale = 1
        for l = 1, #rw do for _, v in ipairs(flat(rw[l])) do scale = math.max(scale, math.abs(v)) end end
        for l = 1, #sizes - 1 do
          assert.are.same({sizes[l + 1], sizes[l]}, {nw[l]:shape()})
          assert.are.same({sizes[l + 1], 1}, {nb[l]:shape()})
          assert.is_true(H.maxdiff(nw[l], rw[l]) <= 2e-5 * scale, ("%s: nabla_w[%d]"):format(table.concat(sizes, ","), l))
          assert.is_true(H.maxdiff(nb[l], rb[l]) <= 2e-5 * scale, ("%s: nabla_b[%d]"):format(table.concat(sizes, ","), l))
        end
        local a0 = {}
        for k = 1, sizes[1] do
          local s = 0
          for j = 1, sizes[2] do s = s + ref.weights[1][j][k] * rb[1][j] end
          a0[k] = s
        end
        assert.are.same({sizes[1], 1}, {na0:shape()})
        assert.is_true(H.maxdiff(na0, a0) <= 2e-5 * scale, table.concat(sizes, ",") .. ": nabla_a0")
      end
    end
  end)

  it("updateMiniBatch: random batch sizes 1-7, rate in [0.01, 0.25], 7 steps a batch, compared after every step", function()
    local rng = core.Rng(23)
    for si, sizes in ipairs {{4, 2, 3}, {1, 1}, countdown(8), zigzag(7), {100, 50, 20}} do
      local net = mynet.Network(sizes, {seed = 60 + si, backupDir = false})
      local ref = H.reference_of(net)
      local data = dummy(sizes[1], sizes[#sizes], 25, rng)
      local batch_size = rng:random(7)
      local steps = 0
      for first = 1, #data, batch_size do
        local batch = {table.unpack(data, first, math.min(first + batch_size - 1, #data))}
        local rate = 0.01 + 0.24 * rng:uniform()
        for _ = 1, 7 do
          net:updateMiniBatch(batch, rate)
          ref:update_mini_batch(batch, rate)
          steps = steps + 1
          local what = ("%s, batch of %d, step %d"):format(table.concat(sizes, ","), #batch, steps)
          for l = 1, #sizes - 1 do
            close(net.weights[l], ref.weights[l], 1e-5, what .. ": weights[" .. l .. "]")
            close(net.biases[l], ref.biases[l], 1e-5, what .. ": biases[" .. l .. "]")
          end
          for _, p in ipairs(batch) do close(net:getOutput(p[1]), ref:feedforward(p[1]), 1e-5, what .. ": output") end
        end
      end
      assert.are.equal(7 * math.ceil(25 / batch_size), steps)
      for _, p in ipairs(dummy(sizes[1], sizes[#sizes], 10, rng)) do
        close(net:getOutput(p[1]), ref:feedforward(p[1]), 1e-5, table.concat(sizes, ",") .. ": fresh input")
      end
    end
  end)

  it("SGD: [784,5,10] on 100 MNIST images, 20 epochs, batch 8, rate 3.0, the same shuffles", function()
    local dir = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
    local training_data, _, test_data = require("lnn.mnist_loader").load_data_wrapper(dir)
    local train100, test100 = training_data:slice(1, 100), test_data:slice(1, 100)
    local tmp, cleanup = H.tmpdir()
    local net = mynet.Network({784, 5, 10}, {seed = 3, backupDir = tmp})
    local ref = H.reference_of(net)
    local twin = net.rng:clone() -- the reference draws the engine's shuffles from a copy of its generator
    local rtrain, rtest = H.reference_pairs(train100), H.reference_pairs(test100)
    local hist = net:SGD(train100, 20, 8, 3.0, test100, nil, {quiet = true})
    local rhist = ref:SGD(rtrain, 20, 8, 3.0, {test_data = rtest,
      permutation = function(n) return twin:permutation(n) end})
    for l = 1, 2 do
      assert.is_true(H.maxdiff(net.weights[l], ref.weights[l]) < 2e-3, "weights " .. l)
      assert.is_true(H.maxdiff(net.biases[l], ref.biases[l]) < 2e-3, "biases " .. l)
    end
    assert.are.equal(20, #hist)
    for e = 1, 20 do
      assert.are.equal(e, hist[e].epoch)
      assert.is_true(math.abs(hist[e].correct - rhist[e]) <= 1, ("epoch %d: %d vs %d"):format(e, hist[e].correct, rhist[e]))
    end
    assert.is_true(hist[20].correct > 25, "learned nothing: " .. hist[20].correct) -- chance is 10
    assert.are.equal(20, net.epoch)
    cleanup()
  end)
end)

-- a small problem: 40 items of 4 inputs, class = which half of the inputs is larger
local function toy(n, seed)
  local rng = core.Rng(seed or 5)
  local xs, ys, cls = {}, {}, {}
  for i = 1, n do
    local x = {}
    for k = 1, 4 do x[k] = rng:uniform() end
    local c = (x[1] + x[2] > x[3] + x[4]) and 0 or 1
    xs[i], cls[i], ys[i] = x, c, c == 0 and {1, 0} or {0, 1}
  end
  return core.Data(xs, ys), core.Data(xs, cls, 2)
end

local function run_sgd(net, ...)
  local lines = {}
  local args = table.pack(...)
  local opts = args[7] or {}
  opts.log = function(s) lines[#lines + 1] = s end
  args[7] = opts
  local saves = capture(function() net:SGD(table.unpack(args, 1, 7)) end)
  return lines, saves
end

describe("lnn.mynet SGD's lines and backups", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("prints INITIAL, Epoch N (1-based, percent and count), a blank line and training complete", function()
    local train, test = toy(40)
    local net = mynet.Network({4, 3, 2}, {seed = 1, backupDir = dir .. "/b"})
    local initial = net:test(test)
    local lines = run_sgd(net, train, 3, 5, 2.0, test)
    local want_initial = ("INITIAL: %.2f%% -- %d / 40"):format(100 * initial / 40, initial)
    assert.are.same({"*** network saved to '" .. dir .. "/b/initial.lnn' ***", want_initial}, {lines[1], lines[2]})
    for e = 1, 3 do
      local p, k, n = lines[2 + e]:match("^Epoch " .. e .. ": (%d+%.%d%d)%% %-%- (%d+) / (%d+)$")
      assert.truthy(p, lines[2 + e])
      assert.are.equal(40, tonumber(n))
      assert.are.equal(("%.2f"):format(100 * tonumber(k) / 40), p)
    end
    assert.are.equal(tonumber(lines[5]:match("(%d+) / 40$")), net:test(test)) -- the last line is the net's
    assert.are.same({"*** network saved to '" .. dir .. "/b/epoch3.lnn' ***",
                     "*** network saved to '" .. dir .. "/b/latest.lnn' ***",
                     "", "training complete (reached epoch3)"}, {table.unpack(lines, 6)})
    assert.are.equal(3, net.epoch)
  end)

  it("without test data prints 'Epoch N complete'; quiet prints nothing; a second call trains again", function()
    local train = toy(40)
    local net = mynet.Network({4, 3, 2}, {seed = 2, backupDir = false})
    local lines = run_sgd(net, train, 2, 5, 1.0)
    assert.are.same({"Epoch 1 complete", "Epoch 2 complete", "", "training complete (reached epoch2)"}, lines)
    local before = net.weights[1]:copy()
    local hist = net:SGD(train, 2, 5, 1.0, nil, nil, {quiet = true})
    assert.are.equal(2, #hist)
    assert.are.equal(4, net.epoch)
    assert.is_true(net.weights[1]:maxabsdiff(before) > 0)
    local saves = capture(function() net:SGD(train, 1, 5, 1.0, nil, nil, {quiet = true}) end)
    assert.are.same({}, saves)
  end)

  it("start_epoch is 1-based and epochs inclusive; no initial backup when resuming", function()
    local train, test = toy(40)
    local net = mynet.Network({4, 3, 2}, {seed = 3, backupDir = dir})
    local lines = run_sgd(net, train, 5, 5, 1.0, test, 3)
    assert.truthy(lines[1]:match("^INITIAL: "), lines[1])
    assert.truthy(lines[2]:match("^Epoch 3: "), lines[2])
    assert.truthy(lines[4]:match("^Epoch 5: "), lines[4])
    assert.are.equal("training complete (reached epoch5)", lines[#lines])
    assert.are.equal(3, net.epoch)
    assert.is_nil(io.open(dir .. "/initial.lnn"))
    -- start_epoch = epochs + 1: nothing to train, the end's backups and lines only
    lines = run_sgd(net, train, 5, 5, 1.0, nil, 6)
    assert.are.same({"*** network saved to '" .. dir .. "/epoch5.lnn' ***",
                     "*** network saved to '" .. dir .. "/latest.lnn' ***", "", "training complete (reached epoch5)"}, lines)
    assert.are.equal(3, net.epoch)
  end)

  it("backups: initial, latest every 10, epochN every 25 and at the end, latest at the end; they load", function()
    local train = toy(20)
    local net = mynet.Network({4, 2, 2}, {seed = 4, backupDir = dir .. "/deep/er"}) -- folders are made
    local at25
    local lines = run_sgd(net, train, 30, 10, 0.5, nil, nil, {on_epoch = function(info)
      if info.epoch == 25 then at25 = net.weights[1]:copy() end
    end})
    local saved = {}
    for _, l in ipairs(lines) do
      local name = l:match("^%*%*%* network saved to '" .. dir:gsub("%p", "%%%0") .. "/deep/er/(.-)' %*%*%*$")
      if name then saved[#saved + 1] = name end
    end
    assert.are.same({"initial.lnn", "latest.lnn", "latest.lnn", "epoch25.lnn", "epoch30.lnn", "latest.lnn"}, saved)
    -- the printed order: latest after epoch 10 and 20, epoch25 after 25
    local function index(s) for i, l in ipairs(lines) do if l == s then return i end end end
    local i10, i11 = index("Epoch 10 complete"), index("Epoch 11 complete")
    assert.truthy(lines[i10 + 1]:find("latest.lnn", 1, true) and i11 == i10 + 2)
    local back = mynet.Network({1, 1}, {backupDir = false})
    capture(function() back:load(dir .. "/deep/er/epoch25.lnn") end)
    assert.are.equal(25, back.epoch)
    assert.are.equal(0, back.weights[1]:maxabsdiff(at25))
    capture(function() back:load(dir .. "/deep/er/latest.lnn") end)
    assert.are.equal(30, back.epoch)
    assert.are.equal(0, back.weights[2]:maxabsdiff(net.weights[2]))
    capture(function() back:load(dir .. "/deep/er/initial.lnn") end)
    assert.are.equal(0, back.epoch)
    -- backups/ by default, relative to the working folder, as mynet.py
    assert.are.equal("backups", mynet.Network({2, 2}).backupDir)
  end)

  it("a diverging run stops in the epoch mynet numbers, before any backup but the initial one", function()
    local train = toy(40)
    local net = mynet.Network({4, 3, 2}, {seed = 6, backupDir = dir})
    local lines = {}
    local saves = capture(function()
      H.error_matches(function() net:SGD(train, 30, 5, 1e30, nil, 4, {log = function(s) lines[#lines + 1] = s end}) end,
        "SGD: training diverged in epoch 4: ", "try a smaller eta than 1e+30")
    end)
    assert.are.same({}, lines)
    assert.are.same({}, saves)
    local p = io.popen("ls " .. dir)
    assert.are.equal("", p:read("a")) -- start_epoch 4: no initial; the bad epoch saved nothing
    p:close()
  end)

  it("backupDir = false writes nothing; a folder that cannot be made is a clear error", function()
    local train = toy(20)
    local net = mynet.Network({4, 2, 2}, {seed = 4, backupDir = false})
    local lines = run_sgd(net, train, 1, 10, 0.5)
    assert.are.same({"Epoch 1 complete", "", "training complete (reached epoch1)"}, lines)
    H.write_file(dir .. "/file", "x")
    net.backupDir = dir .. "/file/sub"
    H.error_matches(function() net:SGD(train, 1, 10, 0.5, nil, nil, {quiet = true}) end,
      "SGD: cannot create the backups folder " .. dir .. "/file/sub")
    net.backupDir = 7
    H.error_matches(function() net:SGD(train, 1, 10, 0.5) end, "bad field 'backupDir' of the network (folder name or false expected, got number)")
  end)
end)

describe("lnn.mynet save and load", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("save prints mynet.py's line; load overwrites the network in place and prints its line", function()
    local net1 = mynet.Network({784, 5, 10}, {seed = 8, backupDir = dir})
    net1.epoch = 7
    local path = dir .. "/initial.lnn"
    assert.are.same({"*** network saved to '" .. path .. "' ***"}, capture(function() net1:save(path) end))
    local net2 = mynet.Network({1, 2}, {seed = 9, backupDir = dir .. "/other"})
    local same
    assert.are.same({"*** network loaded from '" .. path .. "' ***"}, capture(function() same = net2:load(path) end))
    assert.are.equal(net2, same)
    assert.are.same({784, 5, 10}, net2.sizes)
    assert.are.equal(3, net2.num_layers)
    assert.are.equal(7, net2.epoch)
    assert.are.equal(dir .. "/other", net2.backupDir) -- where its backups go stays its own
    for l = 1, 2 do
      assert.are.equal(0, net2.weights[l]:maxabsdiff(net1.weights[l]))
      assert.are.equal(0, net2.biases[l]:maxabsdiff(net1.biases[l]))
    end
    assert.are.equal(net1.rng:state(), net2.rng:state())
    -- the views are the loaded engine's: writing one changes the outputs
    local x = core.Matrix(784, 1, 0.5)
    local before = net2:getOutput(x)[1][1]
    net2.biases[2][1][1] = net2.biases[2][1][1] + 5
    assert.are_not.equal(before, net2:getOutput(x)[1][1])
  end)

  it("a loaded backup resumes bit for bit; lnn.network files load, other faces' are refused", function()
    local train = toy(40)
    local straight = mynet.Network({4, 3, 2}, {seed = 10, backupDir = false})
    straight:SGD(train, 4, 5, 1.0, nil, nil, {quiet = true})
    local first = mynet.Network({4, 3, 2}, {seed = 10, backupDir = dir})
    first:SGD(train, 2, 5, 1.0, nil, nil, {quiet = true})
    local resumed = mynet.Network({2, 2}, {backupDir = false})
    capture(function() resumed:load(dir .. "/latest.lnn") end)
    resumed:SGD(train, 4, 5, 1.0, nil, 3, {quiet = true})
    assert.are.equal(4, resumed.epoch)
    for l = 1, 2 do assert.are.equal(0, straight.weights[l]:maxabsdiff(resumed.weights[l])) end
    local book = network.Network({4, 3, 2}, {seed = 10})
    book:save(dir .. "/book.lnn")
    capture(function() resumed:load(dir .. "/book.lnn") end)
    assert.are.equal(0, resumed.weights[1]:maxabsdiff(book.weights[1]))
    local n2 = require("lnn.network2").Network({4, 3, 2}, nil, {seed = 1})
    local n3 = require "lnn.network3"
    local conv = n3.Network({n3.FullyConnectedLayer {n_in = 4, n_out = 3, activation_fn = n3.ReLU},
                             n3.SoftmaxLayer {n_in = 3, n_out = 2}}, 1, {seed = 1})
    conv:save(dir .. "/n3.lnn")
    H.error_matches(function() resumed:load(dir .. "/n3.lnn") end, "load: " .. dir .. "/n3.lnn: mynet's networks are sigmoid layers")
    n2:save(dir .. "/n2.json")
    H.error_matches(function() resumed:load(dir .. "/n2.json") end, "load: " .. dir .. "/n2.json")
    local err = H.error_matches(function() resumed:load(dir .. "/none.lnn") end, "load: " .. dir .. "/none.lnn: cannot open")
    assert.falsy(err:find("lnn/%a+%.lua:%d+:"), err) -- no position inside lnn
    assert.are.same({4, 3, 2}, resumed.sizes) -- a failed load leaves the network as it was
  end)
end)

describe("lnn.mynet small methods", function()
  it("cost_derivative is a - y; sigmoid and sigmoid_prime are methods on numbers and matrices", function()
    local net = mynet.Network({3, 2}, {backupDir = false})
    local d = net:cost_derivative({0.25, 0.75}, {0, 1})
    assert.are.same({2, 1}, {d:shape()})
    assert.are.same({0.25, -0.25}, d:totable(true))
    assert.are.equal(0.5, net:sigmoid(0))
    assert.are.equal(0.25, net:sigmoid_prime(0))
    local m = net:sigmoid({{0}, {2}})
    assert.is_near(R.sigmoid(2), m[2][1], 1e-7)
    assert.is_near(R.sigmoid_prime(2), net:sigmoid_prime(core.Matrix({{2}}))[1][1], 1e-7)
    -- the base's methods come with the face
    assert.are.equal(1, #net:predict(core.Data({{1, 1, 1}}, {0}, 2)))
    assert.truthy(net:summary(function() end):find("lnn.mynet.Network", 1, true))
    assert.are.equal("lnn.mynet.Network{3, 2}", tostring(net))
  end)
end)

describe("lnn.mynet bad input", function()
  local net = mynet.Network({2, 3, 2}, {backupDir = false})
  local train = core.Data({{0.1, 0.2}, {0.3, 0.4}}, {{1, 0}, {0, 1}})

  it("errors name the mynet function, the argument, what was expected and what came", function()
    local E = H.error_matches
    E(function() mynet.Network("x") end, "bad argument #1 to 'Network' (table of layer sizes expected, got string)")
    E(function() mynet.Network({2, 0}) end, "bad argument #1 to 'Network'", "size 2 must be a positive integer, got 0")
    E(function() mynet.Network({2, 2}, {seeed = 1}) end, "unknown option 'seeed' to 'Network'")
    E(function() mynet.Network({2, 2}, {backupDir = 5}) end, "bad option 'backupDir' to 'Network' (folder name or false expected, got number)")
    E(function() mynet.Network({2, 2}, {seed = 1.5}) end, "bad option 'seed' to 'Network'")
    E(function() net:getOutput({1}) end, "bad argument #1 to 'getOutput' (2 values expected, got 1)")
    E(function() net:feedforward("x") end, "bad argument #1 to 'feedforward' (lnn.Matrix or table expected, got string)")
    E(function() net:test(5) end, "bad argument #1 to 'test' (lnn.Data or list of {x, y} expected, got number)")
    E(function() net:test(core.Data({{1, 2, 3}}, {0}, 2)) end, "bad argument #1 to 'test' (items of 2 inputs expected, got 3)")
    E(function() net:updateMiniBatch({}, 0.1) end, "bad argument #1 to 'updateMiniBatch' (empty list)")
    E(function() net:updateMiniBatch(train, -1) end, "bad argument #2 to 'updateMiniBatch' (positive learning rate expected, got -1)")
    E(function() net:backprop({1, 2}, 7) end, "bad argument #2 to 'backprop' (class 0..1 expected, got 7)")
    E(function() net:backprop({1, 2}, {1, 2, 3}) end, "bad argument #2 to 'backprop' (2 values expected, got 3)")
    E(function() net:cost_derivative({1}, {1, 2}) end, "bad argument #1 to 'cost_derivative' (2 values expected, got 1)")
    E(function() net:sigmoid("z") end, "bad argument #1 to 'sigmoid' (number or lnn.Matrix expected, got string)")
    E(function() net:sigmoid_prime({{"a"}}) end, "bad argument #1 to 'sigmoid_prime'")
    E(function() net.sigmoid(1) end, "calling 'sigmoid' on bad self")
    E(function() net:save(5) end, "bad argument #1 to 'save' (file name expected, got number)")
    E(function() net:load(nil) end, "bad argument #1 to 'load' (file name expected, got nil)")
    E(function() net.SGD(train, 1, 1, 1.0) end, "calling 'SGD' on bad self")
    E(function() net:SGD({}, 1, 1, 1.0) end, "bad argument #1 to 'SGD' (empty list)")
    E(function() net:SGD(train, -1, 1, 1.0) end, "bad argument #2 to 'SGD' (epochs must be an integer >= 0, got -1)")
    E(function() net:SGD(train, 1, 0, 1.0) end, "bad argument #3 to 'SGD' (mini_batch_size must be an integer >= 1, got 0)")
    E(function() net:SGD(train, 1, 1, 0) end, "bad argument #4 to 'SGD' (positive learning rate expected, got 0)")
    E(function() net:SGD(train, 1, 1, 1.0, "t") end, "bad argument #5 to 'SGD'")
    E(function() net:SGD(train, 3, 1, 1.0, nil, 0) end, "bad argument #6 to 'SGD' (start_epoch must be an integer 1..4 (epochs + 1), got 0)")
    E(function() net:SGD(train, 3, 1, 1.0, nil, 5) end, "bad argument #6 to 'SGD'", "got 5")
    E(function() net:SGD(train, 1, 1, 1.0, nil, nil, {lamda = 1}) end, "unknown option 'lamda' to 'SGD'")
    E(function() net:SGD(train, 1, 1, 1.0, nil, nil, {log = 1}) end, "bad option 'log' to 'SGD' (function expected, got number)")
    local bad = core.Data({{0 / 0, 0.2}}, {{1, 0}})
    E(function() net:SGD(bad, 1, 1, 1.0) end, "SGD: training data item 1 holds NaN or infinity")
  end)
end)
