-- spec/face_spec.lua: what lnn.face gives every face: one wording per error,
-- the one epoch driver (its options: threads, progress, should_stop,
-- on_saturation), weights and biases as views into the engine, summary and
-- predict; and the proof that the faces are thin: one call of the engine's
-- training step in lnn's Lua, no face reaching into another's privates.
local core = require "lnn.core"
local face = require "lnn.face"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local network3 = require "lnn.network3"
local H = require "helpers"

local function read(path)
  local f = assert(io.open(path))
  local s = f:read("a")
  f:close()
  return s
end

local function lua_files(dir)
  local p = io.popen("ls " .. dir .. "/*.lua")
  local files = {}
  for f in p:lines() do files[#files + 1] = f end
  p:close()
  return files
end

-- a small data set: 60 items of 6 inputs, 3 classes
local function small(seed, n)
  return H.to_data(H.get_dummy_training_data(6, 3, n or 60, core.Rng(seed or 1)))
end

-- the three faces' networks of 6 inputs and 3 outputs
local function nets(seed)
  return {
    network = network.Network({6, 5, 3}, {seed = seed}),
    network2 = network2.Network({6, 5, 3}, nil, {seed = seed}),
    network3 = network3.Network({network3.FullyConnectedLayer {n_in = 6, n_out = 5},
                                 network3.SoftmaxLayer {n_in = 5, n_out = 3}}, 5, {seed = seed}),
  }
end

-- one epoch of each face's SGD with extra driver options
local function sgd(name, net, data, epochs, opts)
  if name == "network" then return net:SGD(data, epochs, 5, 1.0, nil, opts) end
  if name == "network2" then return net:SGD(data, epochs, 5, 0.5, opts) end
  return net:SGD(data, epochs, 5, 0.5, data, nil, 0, opts)
end

describe("lnn.face", function()
  it("is the only module that calls the engine's training step; no face reaches into another's privates", function()
    local calls, reach = {}, {}
    for _, dir in ipairs {"lua/lnn", "scripts"} do
      for _, f in ipairs(lua_files(dir)) do
        local n = 0
        for line in read(f):gmatch("[^\n]+") do
          if not line:match("^%s*%-%-") then
            if line:find(":train_epoch(", 1, true) then n = n + 1 end
            -- a face uses its own engine (self._net); nobody uses another object's
            local other = line:gsub("self%._net", "")
            if line:find("network%d?%._[%a]") or other:find("%._net[:%.%s%)]") then reach[#reach + 1] = f .. ": " .. line end
          end
        end
        if n > 0 then calls[#calls + 1] = ("%s (%d)"):format(f, n) end
      end
    end
    assert.are.same({"lua/lnn/face.lua (1)"}, calls)
    assert.are.same({}, reach)
  end)

  it("words a bad seed the same way in every face", function()
    local want = "bad option 'seed' to 'Network' (integer expected, got 1.5)"
    H.error_matches(function() network.Network({2, 2}, {seed = 1.5}) end, want)
    H.error_matches(function() network2.Network({2, 2}, nil, {seed = 1.5}) end, want)
    H.error_matches(function() network3.Network({network3.SoftmaxLayer {n_in = 2, n_out = 2}}, 1, {seed = 1.5}) end, want)
  end)

  it("words bad data, a bad rate and a bad epoch count the same way in every face's SGD", function()
    for name, net in pairs(nets(1)) do
      local d = small()
      local sgd5 = function(...) return sgd(name, net, ...) end
      H.error_matches(function() sgd5(5, 1) end, "bad argument #1 to 'SGD' (lnn.Data or list of {x, y} expected, got number)")
      H.error_matches(function() sgd5(small():slice(1, 10), 1.5) end, "bad argument #2 to 'SGD'", "got 1.5")
      H.error_matches(function() sgd5(d, 1, {bogus = 1}) end, "unknown option 'bogus' to 'SGD'")
      H.error_matches(function() sgd5(d, 1, {threads = 0}) end, "bad option 'threads' to 'SGD' (integer 1 to 256 expected, got 0)")
      H.error_matches(function() sgd5(d, 1, {on_epoch = 5}) end, "bad option 'on_epoch' to 'SGD' (function expected, got number)")
      H.error_matches(function() sgd5(d, 1, {on_saturation = "go"}) end,
        "bad option 'on_saturation' to 'SGD' ('stop' or 'warn' expected, got 'go')")
      H.error_matches(function() sgd5(d, 1, {should_stop = true}) end, "bad option 'should_stop' to 'SGD' (function expected, got boolean)")
      H.error_matches(function() sgd5(d, 1, {progress = 1}) end, "bad option 'progress' to 'SGD' (boolean or {out = file} expected, got number)")
      H.error_matches(function() net.SGD(5, d, 1) end, "calling 'SGD' on bad self")
    end
  end)

  it("NaN in the data is refused, and a NaN weight stops SGD, in every face", function()
    for name, net in pairs(nets(2)) do
      local pairs_ = H.get_dummy_training_data(6, 3, 20)
      pairs_[4][1][2] = 0 / 0
      H.error_matches(function() sgd(name, net, H.to_data(pairs_), 1, {quiet = true}) end,
        "SGD: training data item 4 holds NaN or infinity (input element 2)")
      net.weights[1][1][1] = math.huge
      H.error_matches(function() sgd(name, net, small(), 1, {quiet = true}) end,
        "SGD: training diverged in epoch 0: a weight became NaN or infinite")
      assert.are.equal(0, net.epoch, name)
    end
  end)

  it("takes threads, progress and should_stop on every face without changing a bit", function()
    local threads = core.threads()
    for name in pairs(nets(3)) do
      local a, b = nets(3)[name], nets(3)[name]
      sgd(name, a, small(), 3, {quiet = true})
      local seen, asked = nil, 0
      local hist = {}
      local ret = {sgd(name, b, small(), 3, {quiet = true, threads = 2, progress = true,
        on_epoch = function(info)
          seen = core.threads()
          hist[#hist + 1] = info.epoch
        end,
        should_stop = function() asked = asked + 1 return false end})}
      assert.are.equal(2, seen, name)
      assert.are.equal(threads, core.threads(), name .. ": the thread count is restored")
      assert.are.equal(2, asked, name .. ": asked between epochs, not after the last")
      assert.are.equal(3, #hist, name)
      assert.is_truthy(ret[1], name)
      for l = 1, #a.weights do
        assert.are.equal(0, a.weights[l]:maxabsdiff(b.weights[l]), name)
        assert.are.equal(0, a.biases[l]:maxabsdiff(b.biases[l]), name)
      end
    end
  end)

  it("progress moves a bar with an ETA from C every few mini-batches, without changing a bit #slow", function()
    -- the engine's callback: whole runs of mini-batches, at most ten times a second
    local d = H.to_data(H.get_dummy_training_data(40, 10, 12000, core.Rng(9)))
    local a, b = network.Network({40, 250, 10}, {seed = 9}), network.Network({40, 250, 10}, {seed = 9})
    local calls, t0 = {}, core.clock()
    local _ = b._net:train_epoch(d, b.rng, {eta = 0.5, batch = 10, progress = function(done, n)
      calls[#calls + 1] = {done, n, core.clock()}
    end})
    local seconds = core.clock() - t0
    a._net:train_epoch(d, a.rng, {eta = 0.5, batch = 10})
    assert.are.equal(0, a.weights[1]:maxabsdiff(b.weights[1]))
    assert.are.equal(0, a.biases[2]:maxabsdiff(b.biases[2]))
    for i, c in ipairs(calls) do
      assert.are.equal(12000, c[2])
      assert.is_true(c[1] % 160 == 0 and c[1] > 0 and c[1] < 12000)
      if i > 1 then assert.is_true(c[1] > calls[i - 1][1] and c[3] - calls[i - 1][3] >= 0.099) end
    end
    assert.is_true(#calls <= seconds * 10 + 1)
    if seconds > 0.2 then assert.is_true(#calls >= 1, ("%.2f s, no progress call"):format(seconds)) end
    H.error_matches(function() a._net:train_epoch(d, a.rng, {eta = 0.5, progress = 5}) end,
      "bad option 'progress' to 'train_epoch' (function expected, got number)")
    -- the driver's bar, forced onto a file
    local dir, cleanup = H.tmpdir()
    local f = assert(io.open(dir .. "/bar", "w"))
    local lines = {}
    local net, twin = network.Network({6, 5, 3}, {seed = 3}), network.Network({6, 5, 3}, {seed = 3})
    net:SGD(small(), 2, 5, 1.0, small(2, 30), {progress = {out = f}, log = function(l) lines[#lines + 1] = l end})
    twin:SGD(small(), 2, 5, 1.0, small(2, 30), {quiet = true})
    f:close()
    local drawn = H.read_file(dir .. "/bar")
    cleanup()
    assert.truthy(drawn:find("[###############...............] 60/120 items (2 epochs)", 1, true), drawn)
    assert.truthy(drawn:find("120/120 items (2 epochs)  elapsed 0:00  ETA 0:00", 1, true), drawn)
    assert.are.equal(2, #lines)
    assert.are.equal(0, net.weights[1]:maxabsdiff(twin.weights[1]))
  end)

  it("should_stop stops between epochs, after the checkpoint", function()
    local dir, cleanup = H.tmpdir()
    local net = network.Network({6, 5, 3}, {seed = 4})
    local hist = net:SGD(small(), 5, 5, 1.0, nil, {quiet = true, backups = dir,
      should_stop = function() return net.epoch == 2 end})
    assert.are.equal(2, #hist)
    assert.are.equal(2, net.epoch)
    assert.are.equal(2, network.load(dir .. "/latest").epoch)
    cleanup()
    for _, name in ipairs {"network2", "network3"} do
      local n = nets(4)[name]
      sgd(name, n, small(), 5, {quiet = true, should_stop = function() return n.epoch == 3 end})
      assert.are.equal(3, n.epoch, name)
    end
  end)

  it("SGD called again trains that many more epochs, bit for bit as one longer call, in every face", function()
    for name in pairs(nets(5)) do
      local once, twice = nets(5)[name], nets(5)[name]
      sgd(name, once, small(), 4, {quiet = true})
      sgd(name, twice, small(), 2, {quiet = true})
      sgd(name, twice, small(), 2, {quiet = true})
      assert.are.equal(4, once.epoch, name)
      assert.are.equal(4, twice.epoch, name)
      for l = 1, #once.weights do
        assert.are.equal(0, once.weights[l]:maxabsdiff(twice.weights[l]), name)
      end
    end
    -- network numbers the epochs on; start_epoch resumes to a total instead
    local net, lines = network.Network({6, 5, 3}, {seed = 5}), {}
    local log = function(l) lines[#lines + 1] = l end
    net:SGD(small(), 2, 5, 1.0, nil, {log = log})
    net:SGD(small(), 2, 5, 1.0, nil, {log = log})
    net:SGD(small(), 5, 5, 1.0, nil, {log = log, start_epoch = net.epoch})
    assert.are.same({"Epoch 0 complete", "Epoch 1 complete", "Epoch 2 complete", "Epoch 3 complete",
                     "Epoch 4 complete"}, lines)
    assert.are.equal(5, net.epoch)
    assert.are.equal(0, #net:SGD(small(), 5, 5, 1.0, nil, {start_epoch = 5}))
  end)

  it("on_saturation = 'warn' reports saturated units once and trains on; NaN still stops", function()
    local d = H.to_data(H.get_dummy_training_data(20, 4, 200, core.Rng(6)))
    local function run(opts)
      local net = network.Network({20, 10, 4}, {seed = 6})
      local ok, err = pcall(net.SGD, net, d, 4, 10, 400.0, nil, opts)
      return net, ok, err
    end
    local net, ok, err = run({quiet = true})
    assert.is_false(ok)
    assert.truthy(err:find("SGD: training diverged in epoch 0: the network gives the same output for every input", 1, true), err)
    assert.are.equal(0, net.epoch)
    local warnings, infos = {}, {}
    net, ok, err = run({quiet = true, on_saturation = "warn", warn = function(l) warnings[#warnings + 1] = l end,
      on_epoch = function(info) infos[#infos + 1] = info.saturated end})
    assert.is_true(ok, err)
    assert.are.equal(4, net.epoch)
    assert.are.equal(1, #warnings)
    assert.truthy(warnings[1]:find("SGD: warning: in epoch 0 the network gives the same output for every input", 1, true))
    assert.are.equal(4, #infos)
    -- NaN stops whatever on_saturation says, before any checkpoint (resumed
    -- at epoch 1, so that no initial network is saved before the first epoch)
    local dir, cleanup = H.tmpdir()
    local n2 = network.Network({6, 5, 3}, {seed = 2})
    n2.weights[2][1][1] = 0 / 0
    H.error_matches(function()
      n2:SGD(small(), 3, 5, 1.0, nil, {quiet = true, on_saturation = "warn", backups = dir, start_epoch = 1})
    end, "SGD: training diverged in epoch 1: a weight became NaN or infinite")
    assert.is_nil(io.open(dir .. "/latest"))
    cleanup()
  end)

  it("net.weights[l] = M and net.biases[l] = v copy into the engine in every face, or name the field", function()
    for name, net in pairs(nets(7)) do
      local x = core.Matrix(6, 1, 0.5)
      local rows, cols = net.weights[1]:shape()
      net.weights[1] = core.Matrix(rows, cols, 0)
      local b = {}
      for i = 1, rows do b[i] = {0.25 * i} end
      net.biases[1] = b
      assert.are.equal(0, net.weights[1]:maxabsdiff(core.Matrix(rows, cols, 0)), name)
      assert.are.equal(0.5, net.biases[1][2][1], name)
      -- the engine sees it: the output no longer depends on the input
      local out1 = net:feedforward(x)
      local out2 = net:feedforward(core.Matrix(6, 1, -3))
      assert.are.equal(0, out1:maxabsdiff(out2), name)
      H.error_matches(function() net.weights[3] = core.Matrix(1, 1) end, "bad field 'weights[3]' (layer 1 to 2 expected)")
      H.error_matches(function() net.biases.x = 1 end, "bad field 'biases[x]'")
      H.error_matches(function() net.weights[1] = core.Matrix(2, 2) end, "weights[1]:")
      H.error_matches(function() net.biases[2] = "x" end, "biases[2]: lnn.Matrix or table expected, got string")
      -- the whole list, too
      local ws = {}
      for l = 1, #net.weights do ws[l] = net.weights[l]:copy() end
      ws[2] = core.Matrix(select(1, net.weights[2]:shape()), select(2, net.weights[2]:shape()), 1)
      net.weights = ws
      assert.are.equal(1, net.weights[2][1][1], name)
    end
  end)

  it("summary lists the layers, shapes and parameter counts and their total, in every face", function()
    local conv = network3.Network({
      network3.ConvPoolLayer {image_shape = {10, 1, 8, 8}, filter_shape = {3, 1, 3, 3}, poolsize = {2, 2}},
      network3.FullyConnectedLayer {n_in = 27, n_out = 10, activation_fn = network3.ReLU, p_dropout = 0.5},
      network3.SoftmaxLayer {n_in = 10, n_out = 4}}, 10)
    local lines = {}
    local text, total = conv:summary(function(l) lines[#lines + 1] = l end)
    assert.are.equal(3 * 9 + 3 + 27 * 10 + 10 + 10 * 4 + 4, total)
    assert.are.equal(text, table.concat(lines, "\n"))
    assert.truthy(text:find("conv 3x3, 3 filters, pool 2x2%s+1x8x8 %-> 3x3x3%s+sigmoid%s+27%s+3%s+30"), text)
    assert.truthy(text:find("dropout p=0.5%s+27 %-> 27%s+%-%s+0%s+0%s+0"), text)
    assert.truthy(text:find("dense%s+10 %-> 4%s+softmax%s+40%s+4%s+44"), text)
    assert.truthy(text:find("lnn.network3.Network: 4 layers, 354 parameters, cost log-likelihood", 1, true), text)
    for name, net in pairs(nets(8)) do
      local t, n = net:summary(function() end)
      assert.are.equal(6 * 5 + 5 + 5 * 3 + 3, n, name)
      assert.truthy(t:find("dense%s+6 %-> 5"), name)
      H.error_matches(function() net:summary(5) end, "bad argument #1 to 'summary' (function expected, got number)")
    end
  end)

  it("takes the other faces' spellings of activations, and lists the valid names when refusing one", function()
    local a = network2.Network({4, 3, 2}, nil, {seed = 1, hidden = "ReLU"})
    local b = network2.Network({4, 3, 2}, nil, {seed = 1, hidden = network3.ReLU})
    local c = network2.Network({4, 3, 2}, "cross-entropy", {seed = 1, hidden = "relu"})
    assert.are.equal("relu", a.hidden)
    assert.are.equal("relu", b.hidden)
    assert.are.equal(network2.CrossEntropyCost, c.cost)
    assert.are.equal(0, a.weights[1]:maxabsdiff(c.weights[1]))
    H.error_matches(function() network2.Network({4, 3, 2}, nil, {hidden = "swish"}) end,
      "bad argument #3 to 'Network' (unknown activation 'swish' for 'hidden' (sigmoid, tanh, relu, linear, softmax expected))")
    local l = network3.FullyConnectedLayer {n_in = 4, n_out = 3, activation_fn = "ReLU"}
    assert.are.equal(network3.ReLU, l.activation_fn)
    assert.are.equal(network3.tanh, network3.ConvPoolLayer {image_shape = {1, 1, 4, 4}, filter_shape = {1, 1, 3, 3},
      poolsize = {1, 1}, activation_fn = "tanh"}.activation_fn)
    H.error_matches(function() network3.FullyConnectedLayer {n_in = 4, n_out = 3, activation_fn = "softmax"} end,
      "linear, ReLU, sigmoid or tanh (of lnn.network3, or their names) expected, got 'softmax'")
  end)

  it("face.is tells lnn's types by their metatable, not by tostring", function()
    assert.is_true(face.is(core.Matrix(1, 1), "lnn.Matrix"))
    assert.is_false(face.is(core.Matrix(1, 1), "lnn.Data"))
    assert.is_false(face.is(setmetatable({}, {__name = "lnn.Matrix"}), "lnn.Matrix"))
    assert.is_false(face.is("lnn.Matrix", "lnn.Matrix"))
  end)
end)
