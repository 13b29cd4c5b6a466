-- lnn.network: the face of network.py (the book's chapters 1-2) over the one
-- C engine: a sigmoid network, quadratic cost, mini-batch SGD, backprop.
-- Plus mynet.py's save/load and resumable checkpoints.  No arithmetic on
-- samples happens here: every epoch, batch and kernel runs in lnn.core.
local core = require "lnn.core"
local model = require "lnn.model"
local args = require "lnn.args"

local network = {}

local Network = {}
local methods = {}

local argerror, check_sizes, check_options = args.fail, args.sizes, args.options

-- Wraps a core network in the book's object: sizes, num_layers, weights and
-- biases (lists of Matrix views into the engine's parameter block, so
-- net.weights[l][j][k] reads and writes the engine's weight directly).  The
-- lists live in _weights/_biases, reached through __index, so that assigning
-- net.weights reaches __newindex (which copies into the engine) instead of
-- silently replacing the views.
local function wrap(net, rng, cls)
  local lay = net:layout()
  local self = {_net = net, rng = rng, epoch = 0, sizes = {}, _weights = {}, _biases = {}}
  self.sizes[1] = lay.layers[1].n_in
  for l, layer in ipairs(lay.layers) do
    self.sizes[l + 1] = layer.n_out
    self._weights[l] = net:weights(l)
    self._biases[l] = net:biases(l)
  end
  self.num_layers = #self.sizes
  return setmetatable(self, cls or Network)
end
network._wrap = wrap

--- _index(methods): the __index of a face's metatable: its methods, and the
--- weights and biases lists.
function network._index(meths)
  return function(self, k)
    if k == "weights" or k == "biases" then return rawget(self, "_" .. k) end
    return meths[k]
  end
end

--- _checkself(self, fname): raises "calling 'f' on bad self" unless self is a
--- network of one of the faces (a method called with '.' instead of ':').
function network._checkself(self, fname)
  if type(self) ~= "table" or type(rawget(self, "_net")) ~= "userdata" then
    error(("calling '%s' on bad self (a network expected, got %s)"):format(fname,
      type(self) == "table" and "a table that is not one" or type(self)), 3)
  end
end
local checkself = network._checkself

--- _check_rng(rng, fname): nil or an lnn.Rng, for the faces' rng option.
function network._check_rng(rng, fname)
  if rng ~= nil and not (type(rng) == "userdata" and tostring(rng):find("^lnn%.Rng")) then
    error(("bad option 'rng' to '%s' (lnn.Rng expected, got %s)"):format(fname, type(rng)), 3)
  end
end

--- Network(sizes [, {seed = 0, rng = Rng}]): weights and biases drawn from N(0, 1).
function network.Network(sizes, opts)
  check_sizes(sizes, "Network")
  opts = check_options(opts, {seed = true, rng = true}, "Network", 2)
  if opts.seed ~= nil and math.type(opts.seed) ~= "integer" then
    error("bad option 'seed' to 'Network' (integer expected, got " .. tostring(opts.seed) .. ")", 2)
  end
  network._check_rng(opts.rng, "Network")
  local rng = opts.rng or core.Rng(opts.seed or 0)
  local net = core.Net {sizes = sizes, hidden = "sigmoid", output = "sigmoid", cost = "quadratic"}
  net:init(rng, "large")
  return wrap(net, rng)
end

Network.__index = network._index(methods)
Network.__tostring = function(self)
  return ("lnn.network.Network{%s}"):format(table.concat(self.sizes, ", "))
end
-- net.weights = {...} / net.biases = {...} copy into the engine's block
Network.__newindex = function(self, k, v)
  if k == "weights" or k == "biases" then
    if type(v) ~= "table" or #v ~= self.num_layers - 1 then
      error(("%s: a list of %d matrices expected"):format(k, self.num_layers - 1), 2)
    end
    for l = 1, #v do
      local dst = rawget(self, "_" .. k)[l]
      local src = v[l]
      if type(src) == "table" then src = core.Matrix(src) end
      local ok, err = pcall(dst.copy_from, dst, src)
      if not ok then error(("%s[%d]: %s"):format(k, l, err), 2) end
    end
  else
    rawset(self, k, v)
  end
end

--- _rethrow(fname, argn, err, level): an error from lnn.core reworded to name
--- the face's function: "bad argument #2 to 'Data' (label 1 ...)" becomes
--- "bad argument #argn to 'fname' (label 1 ...)".
function network._rethrow(fname, argn, err, level)
  local inner = tostring(err):match("bad argument #%d+ to '[^']*' %((.*)%)$")
  if inner then argerror(fname, argn, inner, (level or 1) + 1) end
  error(("%s: %s"):format(fname, (tostring(err):gsub("^[^:]*:%d+: ", ""))), (level or 1) + 2)
end
local rethrow = network._rethrow

local function as_matrix(v, n, fname, argn)
  if type(v) == "table" then
    local ok, m = pcall(core.Matrix, v)
    if not ok then rethrow(fname, argn, m, 2) end
    v = m
  end
  if getmetatable(v) == nil or type(v) ~= "userdata" or v.numel == nil then
    argerror(fname, argn, "lnn.Matrix or table expected, got " .. type(v), 2)
  end
  if v:numel() ~= n then argerror(fname, argn, ("%d values expected, got %d"):format(n, v:numel()), 2) end
  return v
end

--- feedforward(a): the output (n_out x 1) for input a (a Matrix or table of n_in values).
function methods:feedforward(a)
  checkself(self, "feedforward")
  return self._net:forward(as_matrix(a, self.sizes[1], "feedforward", 1))
end

-- A data set from the book's list of (x, y) pairs, or the data set itself;
-- with n_in, also checked against the network's inputs and outputs (k).
local function as_data(data, k, fname, argn, n_in)
  if type(data) == "userdata" and data.slice then
    local _, d, classes = data:shape()
    if n_in and d ~= n_in then argerror(fname, argn, ("items of %d inputs expected, got %d"):format(n_in, d), 2) end
    if n_in and classes ~= k then
      argerror(fname, argn, ("%d classes or targets expected, got %d"):format(k, classes), 2)
    end
    return data
  end
  if type(data) ~= "table" then argerror(fname, argn, "lnn.Data or list of {x, y} expected, got " .. type(data), 2) end
  if #data == 0 then argerror(fname, argn, "empty list", 2) end
  local xs, ys = {}, {}
  for i = 1, #data do
    local p = data[i]
    if type(p) ~= "table" or p[1] == nil or p[2] == nil then
      argerror(fname, argn, ("item %d is not an {x, y} pair"):format(i), 2)
    end
    xs[i], ys[i] = p[1], p[2]
  end
  local ok, set = pcall(core.Data, xs, ys, math.type(ys[1]) == "integer" and k or nil)
  if not ok then rethrow(fname, argn, set, 2) end
  return as_data(set, k, fname, argn, n_in)
end
network._as_data = as_data

local check_rate = args.rate

--- update_mini_batch(mini_batch, eta): one gradient step on a list of (x, y)
--- pairs (or a data set), as network.py.
function methods:update_mini_batch(mini_batch, eta)
  checkself(self, "update_mini_batch")
  local data = as_data(mini_batch, self.sizes[#self.sizes], "update_mini_batch", 1, self.sizes[1])
  check_rate(eta, "update_mini_batch", 2)
  self._net:train_epoch(data, self.rng, {eta = eta, batch = #data, shuffle = false})
end

-- nabla_b, nabla_w from the engine's gradient block
local function split_gradient(self, g)
  local nabla_b, nabla_w = {}, {}
  for l, layer in ipairs(self._net:layout().layers) do
    nabla_w[l] = g:view(layer.weights + 1, layer.n_out, layer.n_in):copy()
    nabla_b[l] = g:view(layer.biases + 1, layer.n_out, 1):copy()
  end
  return nabla_b, nabla_w
end
network._split_gradient = split_gradient

--- backprop(x, y): nabla_b, nabla_w, the gradient of the cost C_x layer by
--- layer (lists of matrices shaped like biases and weights).
function methods:backprop(x, y)
  checkself(self, "backprop")
  local n_out = self.sizes[#self.sizes]
  x = as_matrix(x, self.sizes[1], "backprop", 1)
  if math.type(y) == "integer" then
    if y < 0 or y >= n_out then argerror("backprop", 2, ("class 0..%d expected, got %d"):format(n_out - 1, y)) end
    local v = core.Matrix(n_out, 1)
    v[y + 1][1] = 1
    y = v
  end
  y = as_matrix(y, n_out, "backprop", 2)
  local g = self._net:gradient(x:reshape(1, self.sizes[1]), y:reshape(1, n_out))
  return split_gradient(self, g)
end

--- evaluate(test_data): how many items the network classifies correctly.
function methods:evaluate(test_data)
  checkself(self, "evaluate")
  return self._net:evaluate(as_data(test_data, self.sizes[#self.sizes], "evaluate", 1, self.sizes[1]))
end

--- cost_derivative(output_activations, y): the vector a - y.
function methods:cost_derivative(output_activations, y)
  checkself(self, "cost_derivative")
  local n = self.sizes[#self.sizes]
  local a = as_matrix(output_activations, n, "cost_derivative", 1)
  y = as_matrix(y, n, "cost_derivative", 2)
  local d = a:copy()
  for i = 1, n do d[i][1] = d[i][1] - y:reshape(n, 1)[i][1] end
  return d
end

local sgd_options = {start_epoch = true, backups = true, backup_every = true, quiet = true,
                     on_epoch = true, log = true, reducer = true}

-- Refuses a data set holding NaN or an infinity: training on it can only
-- poison every weight, and the message should name the item, not the epoch.
local function check_finite(data, fname, what)
  local item, part, elem = data:find_nonfinite()
  if item then
    error(("%s: %s item %d holds NaN or infinity (%s element %d)"):format(fname, what, item,
      part, elem), 0)
  end
end

-- Largest range (max - min) over the columns of the m x k values in flat.
local function spread(flat, m, k)
  local worst = 0
  for j = 1, k do
    local lo, hi = math.huge, -math.huge
    for i = 0, m - 1 do
      local v = flat[i * k + j]
      if v ~= v then return v end
      if v < lo then lo = v end
      if v > hi then hi = v end
    end
    if hi - lo > worst then worst = hi - lo end
  end
  return worst
end

-- The outputs' spread over the probe: how differently the network answers.
local function output_spread(self, probe)
  return spread(self._net:forward(probe.X):totable(true), probe.m, probe.k)
end

-- The first (up to) 1000 training items, to tell after each epoch whether the
-- network still answers differently to different inputs.  A sigmoid network
-- driven by too large an eta (100 on MNIST) does not overflow: its units
-- saturate in the first epoch and it gives one output for every input, for
-- good (output spread 1 -> 3e-7).  Measured against the spread when training
-- starts, so a deep network that begins nearly unresponsive (the book's
-- vanishing-gradient run: ~8e-4, and staying there) is not mistaken for one.
local function probe_of(self, data)
  local n = #data
  if n < 2 then return nil end
  local m = math.min(n, 1000)
  local X, Y = data:matrices(1, m)
  local _, k = Y:shape()
  local probe = {X = X, m = m, k = k}
  probe.target_spread = spread(Y:totable(true), m, k)
  if not (probe.target_spread > 0) then return nil end -- every target alike: nothing to tell
  probe.start = output_spread(self, probe)
  return probe
end

-- Why the network has diverged after an epoch, or nil.
local function diverged(self, finite, probe)
  if not finite then return "a weight became NaN or infinite" end
  if probe then
    local s = output_spread(self, probe)
    if s ~= s then return "an output became NaN" end
    if s < 1e-2 * probe.start and s < 1e-2 * probe.target_spread then
      return "the network gives the same output for every input (its units saturated)"
    end
  end
  return nil
end

network._check_finite, network._probe, network._diverged = check_finite, probe_of, diverged

local function mkdir(dir)
  local ok, err = pcall(core.tools.mkdir, dir)
  if not ok then error(("SGD: cannot create backups folder %s (%s)"):format(dir, tostring(err)), 0) end
end

--- SGD(training_data, epochs, mini_batch_size, eta [, test_data [, opts]]).
--- Mini-batch stochastic gradient descent as network.py: every epoch shuffles
--- the data (in C, from the network's generator), steps once per mini-batch,
--- then prints "Epoch j: k / n" (with test_data) or "Epoch j complete".
--- opts (mynet.py's additions): start_epoch (resume: epochs run from it up to
--- epochs, 0-based), backups = DIR (saves DIR/initial, DIR/latest and, every
--- backup_every epochs, DIR/epoch-N), quiet, log = function(line),
--- on_epoch = function(info) with info.epoch (1-based count done), info.seconds
--- (training time of the epoch), info.correct, info.total.  Returns the list of infos.
function methods:SGD(training_data, epochs, mini_batch_size, eta, test_data, opts)
  checkself(self, "SGD")
  local n_out = self.sizes[#self.sizes]
  training_data = as_data(training_data, n_out, "SGD", 1, self.sizes[1])
  if math.type(epochs) ~= "integer" or epochs < 0 then argerror("SGD", 2, "epochs must be an integer >= 0, got " .. tostring(epochs)) end
  if math.type(mini_batch_size) ~= "integer" or mini_batch_size < 1 then
    argerror("SGD", 3, "mini_batch_size must be a positive integer, got " .. tostring(mini_batch_size))
  end
  check_rate(eta, "SGD", 4)
  if test_data ~= nil then test_data = as_data(test_data, n_out, "SGD", 5, self.sizes[1]) end
  opts = check_options(opts, sgd_options, "SGD", 6)
  for k, want in pairs {backups = "string", log = "function", on_epoch = "function"} do
    if opts[k] ~= nil and type(opts[k]) ~= want then
      error(("bad option '%s' to 'SGD' (%s expected, got %s)"):format(k, want, type(opts[k])), 2)
    end
  end
  if opts.backup_every ~= nil and (math.type(opts.backup_every) ~= "integer" or opts.backup_every < 0) then
    error("bad option 'backup_every' to 'SGD' (integer >= 0 expected, got " .. tostring(opts.backup_every) .. ")", 2)
  end
  local start = opts.start_epoch or self.epoch or 0
  if math.type(start) ~= "integer" or start < 0 then error("bad option 'start_epoch' to 'SGD' (integer >= 0 expected)", 2) end
  local log = opts.log or print
  local every = opts.backup_every or 0
  check_finite(training_data, "SGD", "training data")
  if test_data then check_finite(test_data, "SGD", "test data") end
  if opts.backups then
    mkdir(opts.backups)
    if start == 0 then self:save(opts.backups .. "/initial") end
  end
  local history = {}
  local sgd = {eta = eta, batch = mini_batch_size, reducer = opts.reducer}
  local probe = start < epochs and probe_of(self, training_data) or nil
  for j = start, epochs - 1 do
    local t0 = core.clock()
    local finite = self._net:train_epoch(training_data, self.rng, sgd)
    local info = {epoch = j + 1, seconds = core.clock() - t0}
    -- checked before anything is saved: a diverged network never replaces a checkpoint
    local why = diverged(self, finite, probe)
    if why then
      error(("SGD: training diverged in epoch %d: %s; try a smaller eta than %g"
             .. "; checkpoints still hold the network after %d epochs"):format(j, why, eta, j), 0)
    end
    self.epoch = j + 1
    if test_data then
      info.correct, info.total = self._net:evaluate(test_data), #test_data
      if not opts.quiet then log(("Epoch %d: %d / %d"):format(j, info.correct, info.total)) end
    elseif not opts.quiet then
      log(("Epoch %d complete"):format(j))
    end
    if opts.backups then
      self:save(opts.backups .. "/latest")
      if every > 0 and (j + 1) % every == 0 then self:save(("%s/epoch-%d"):format(opts.backups, j + 1)) end
    end
    history[#history + 1] = info
    if opts.on_epoch then opts.on_epoch(info) end
  end
  return history
end

--- save(filename): sizes, parameters, epoch and generator state, atomically.
function methods:save(filename)
  checkself(self, "save")
  model.save(filename, self._net, {face = "network", epoch = self.epoch, rng = self.rng:state()})
end

--- load(filename): the Network saved there, with its epoch and generator state.
function network.load(filename)
  local net, md = model.load(filename)
  local rng = core.Rng(0)
  if md.rng then
    local ok, err = pcall(rng.set_state, rng, md.rng)
    if not ok then error(("load: %s: bad generator state in metadata"):format(filename), 2) end
  end
  local self = wrap(net, rng)
  self.epoch = math.tointeger(tonumber(md.epoch or "0")) or 0
  return self
end

local function elementwise(name)
  return function(z)
    if type(z) == "number" then
      local s = 1 / (1 + math.exp(-z))
      return name == "sigmoid" and s or s * (1 - s)
    end
    if type(z) == "table" then
      local ok, m = pcall(core.Matrix, z)
      if not ok then rethrow(name, 1, m) end
      z = m
    end
    if type(z) ~= "userdata" or z.apply == nil then
      error(("bad argument #1 to '%s' (number or lnn.Matrix expected, got %s)"):format(name, type(z)), 2)
    end
    return z:apply(name)
  end
end

--- sigmoid(z), sigmoid_prime(z): on a number or element-wise on a Matrix.
network.sigmoid = elementwise("sigmoid")
network.sigmoid_prime = elementwise("sigmoid_prime")
network.Network_methods = methods
network._Network = Network -- the metatable, for faces that extend this one

return network
