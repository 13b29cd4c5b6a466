--- lnn.network2: the face of network2.py (the book's chapters 3-4) over the one
-- C engine: cross-entropy cost, L2 regularisation, scaled initialisation, the
-- four monitoring lists, early stopping and network2.py's JSON files.  Beyond
-- network2.py, as chapter 3 discusses: momentum, the halving learning-rate
-- schedule of the book's exercise, tanh hidden units, and a softmax output
-- layer with the log-likelihood cost.  Every epoch runs in lnn.core.
-- @module lnn.network2
local core = require "lnn.core"
local args = require "lnn.args"
local json = require "lnn.json"
local model = require "lnn.model"
local face = require "lnn.face"
local mnist_loader = require "lnn.mnist_loader"

local network2 = {}

-- ----------------------------------------------------------------------------------------------
-- Costs: fn(a, y) and delta(z, a, y) on one output vector, as network2.py's
-- static methods (the engine computes the same in C over whole data sets).

local function vector(v, fname, n)
  if type(v) == "table" then v = core.call_as(fname, n, core.Matrix, v) end
  if not face.is(v, "lnn.Matrix") then
    args.fail(fname, n, "lnn.Matrix or table of numbers expected, got " .. type(v), 2)
  end
  return v:totable(true)
end

local function pair(fname, a, y, na, ny)
  a, y = vector(a, fname, na), vector(y, fname, ny)
  if #a ~= #y then
    args.bad(fname, "arguments", ("a has %d values, y has %d"):format(#a, #y), 2)
  end
  return a, y
end

-- network2.py's np.nan_to_num(-y*log(a)): 0 where y is 0, the largest float where infinite
local function xlogy(y, a)
  if y == 0 then return 0 end
  local t = -y * math.log(a)
  if t == math.huge then return 1.7976931348623157e308 end
  return t
end

local function result(t)
  local m = core.Matrix(#t, 1)
  for i = 1, #t do m[i][1] = t[i] end
  return m
end

local function make_cost(name, engine_name, output, fn, delta)
  local cost = {__name = name, name = name, engine = engine_name, output = output}
  cost.fn = function(a, y)
    local av, yv = pair(name .. ".fn", a, y, 1, 2)
    return fn(av, yv)
  end
  cost.delta = function(z, a, y)
    local zv = vector(z, name .. ".delta", 1)
    local av, yv = pair(name .. ".delta", a, y, 2, 3)
    if #zv ~= #av then
      args.bad(name .. ".delta", "arguments", ("z has %d values, a has %d"):format(#zv, #av))
    end
    return result(delta(zv, av, yv))
  end
  return setmetatable(cost, {__tostring = function() return name end})
end

local function a_minus_y(_, a, y)
  local d = {}
  for i = 1, #a do d[i] = a[i] - y[i] end
  return d
end

local function sigmoid_prime(z)
  local s = 1 / (1 + math.exp(-z))
  return s * (1 - s)
end

--- QuadraticCost: fn = 0.5 ||a - y||^2, delta = (a - y) * sigmoid'(z).
network2.QuadraticCost = make_cost("QuadraticCost", "quadratic", nil,
  function(a, y)
    local s = 0
    for i = 1, #a do s = s + (a[i] - y[i]) ^ 2 end
    return 0.5 * s
  end,
  function(z, a, y)
    local d = {}
    for i = 1, #a do d[i] = (a[i] - y[i]) * sigmoid_prime(z[i]) end
    return d
  end)

--- CrossEntropyCost: fn = sum(-y ln a - (1 - y) ln(1 - a)) (0 where a and y
--- agree at 0 or 1, as nan_to_num), delta = a - y.  Needs sigmoid outputs.
network2.CrossEntropyCost = make_cost("CrossEntropyCost", "cross-entropy", "sigmoid",
  function(a, y)
    local s = 0
    for i = 1, #a do s = s + xlogy(y[i], a[i]) + xlogy(1 - y[i], 1 - a[i]) end
    return math.min(s, 1.7976931348623157e308)
  end,
  a_minus_y)

--- LogLikelihoodCost: fn = -ln a_y (y one-hot), delta = a - y.  Needs a
--- softmax output layer (chapter 3's softmax section).
network2.LogLikelihoodCost = make_cost("LogLikelihoodCost", "log-likelihood", "softmax",
  function(a, y)
    local s = 0
    for i = 1, #a do s = s + xlogy(y[i], a[i]) end
    return math.min(s, 1.7976931348623157e308)
  end,
  a_minus_y)

local COSTS = {QuadraticCost = network2.QuadraticCost, CrossEntropyCost = network2.CrossEntropyCost,
               LogLikelihoodCost = network2.LogLikelihoodCost}

local function check_cost(cost, fname, n)
  if type(cost) == "string" and COSTS[cost] then return COSTS[cost] end
  for _, c in pairs(COSTS) do
    if cost == c or cost == c.engine then return c end -- or the engine's name ("cross-entropy")
  end
  args.fail(fname, n, "QuadraticCost, CrossEntropyCost or LogLikelihoodCost expected, got "
    .. tostring(cost), 2)
end

-- ----------------------------------------------------------------------------------------------
-- The Network

-- network.py's methods (feedforward, backprop, evaluate, cost_derivative) are network2's too
local methods = {}
for k, f in pairs(face.dense) do methods[k] = f end
local Network = face.class("lnn.network2.Network", methods)

local ACTS = {sigmoid = true, tanh = true, relu = true, linear = true, softmax = true}

local function build(sizes, cost, hidden, output, rng)
  local net = core.Net {sizes = sizes, hidden = hidden, output = output, cost = cost.engine}
  local s = face.dense_sizes(net)
  return face.wrap(net, rng, Network, {sizes = s, num_layers = #s, cost = cost, hidden = hidden, output = output})
end

--- Network(sizes [, cost = CrossEntropyCost [, {seed, rng, hidden, output}]]):
--- weights N(0, 1/n_in), biases N(0, 1) (default_weight_initializer).  hidden
--- is the hidden layers' activation ("sigmoid", "tanh", "relu"); output the
--- last layer's (by default "softmax" for LogLikelihoodCost, else "sigmoid").
-- @param sizes layer sizes, e.g. {784, 30, 10}
-- @param cost a cost (network2's QuadraticCost, CrossEntropyCost or LogLikelihoodCost)
-- @param opts options table (the keys are listed above)
-- @return the new Network
-- @usage
-- local net = lnn.network2.Network({784, 30, 10}, lnn.network2.CrossEntropyCost, {seed = 1})
function network2.Network(sizes, cost, opts)
  args.sizes(sizes, "Network")
  cost = check_cost(cost or network2.CrossEntropyCost, "Network", 2)
  opts = args.options(opts, {seed = true, rng = true, hidden = true, output = true}, "Network", 3)
  local rng = face.rng(opts, "Network")
  local hidden = face.activation(opts.hidden or "sigmoid")
  local output = face.activation(opts.output or cost.output or "sigmoid")
  local got = {hidden = hidden, output = output}
  for _, k in ipairs {"hidden", "output"} do
    if got[k] == nil then
      args.fail("Network", 3, ("unknown activation '%s' for '%s' (%s expected)"):format(tostring(opts[k]), k,
        table.concat(face.activations, ", ")))
    end
  end
  if cost.output and output ~= cost.output then
    args.fail("Network", 3, ("%s needs a %s output layer, got %s"):format(cost.name, cost.output, output))
  end
  local ok, self = pcall(build, sizes, cost, hidden, output, rng)
  if not ok then error("Network: " .. tostring(self), 2) end
  self:default_weight_initializer()
  return self
end

--- default_weight_initializer(): weights N(0, 1/n_in), biases N(0, 1), drawn
--- from the network's generator (all biases first, then the weights, as numpy).
-- @usage
-- local net = lnn.network2.Network({2, 3, 2})
-- net:default_weight_initializer()
function methods:default_weight_initializer()
  face.checkself(self, "default_weight_initializer")
  self._net:init(self.rng, "default")
end

--- large_weight_initializer(): weights and biases N(0, 1) (chapter 1's).
-- @usage
-- local net = lnn.network2.Network({2, 3, 2})
-- net:large_weight_initializer()
function methods:large_weight_initializer()
  face.checkself(self, "large_weight_initializer")
  self._net:init(self.rng, "large")
end

local function n_out(self) return self.sizes[#self.sizes] end

local function data_arg(self, data, fname, n)
  return face.data(data, n_out(self), fname, n, self.sizes[1])
end

local function check_convert(convert, fname, n)
  if convert ~= nil and type(convert) ~= "boolean" then
    args.fail(fname, n, "boolean expected, got " .. type(convert), 2)
  end
end

--- accuracy(data [, convert]): how many items the network classifies
--- correctly.  convert (network2.py's flag for one-hot targets) is accepted
--- for the book's calls; lnn's data sets know their labels either way.
-- @param data an lnn.Data set
-- @param convert whether data's targets are one-hot vectors to convert (network2.py's convert)
-- @return how many items the network classifies correctly
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local correct = lnn.network2.Network({2, 3, 2}):accuracy(data)  -- 0 to 4
function methods:accuracy(data, convert)
  face.checkself(self, "accuracy")
  data = data_arg(self, data, "accuracy", 1)
  check_convert(convert, "accuracy", 2)
  return self._net:evaluate(data)
end

local function l2_term(self, lmbda, n)
  if lmbda == 0 then return 0 end
  return 0.5 * (lmbda / n) * self._net:weight_sqsum()
end

local check_lmbda = args.lmbda

--- total_cost(data, lmbda [, convert]): the mean cost over data plus the L2
--- term 0.5 (lmbda / n) sum w^2, added once (as the upstream network2.py).
-- @param data an lnn.Data set
-- @param lmbda the L2 regularisation strength
-- @param convert whether data's targets are class numbers to convert (network2.py's convert)
-- @return the mean cost over data plus the L2 term 0.5 (lmbda / n) sum w^2, added once (as the
--  upstream network2.py)
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local cost = lnn.network2.Network({2, 3, 2}):total_cost(data, 0.1)
function methods:total_cost(data, lmbda, convert)
  face.checkself(self, "total_cost")
  data = data_arg(self, data, "total_cost", 1)
  check_lmbda(lmbda, "total_cost", 2)
  check_convert(convert, "total_cost", 3)
  local _, cost = self._net:evaluate(data, true)
  return cost / #data + l2_term(self, lmbda, #data)
end

--- update_mini_batch(mini_batch, eta, lmbda, n): one step with L2 weight
--- decay (1 - eta lmbda / n) w, n the size of the whole training set.
-- @param mini_batch a mini-batch (lnn.Data set)
-- @param eta the learning rate
-- @param lmbda the L2 regularisation strength
-- @param n the size of the whole training set (the L2 term's scale)
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- lnn.network2.Network({2, 3, 2}):update_mini_batch(data:onehot(true), 0.5, 0.1, #data)
function methods:update_mini_batch(mini_batch, eta, lmbda, n)
  face.checkself(self, "update_mini_batch")
  local data = data_arg(self, mini_batch, "update_mini_batch", 1)
  args.rate(eta, "update_mini_batch", 2)
  check_lmbda(lmbda or 0, "update_mini_batch", 3)
  if lmbda and lmbda > 0 then args.count(n, "update_mini_batch", 4, "n", 1) end
  face.step(self, data, {eta = eta, batch = #data, shuffle = false, lmbda = lmbda or 0, n = n or #data})
end

local sgd_options = {
  lmbda = true, evaluation_data = true, monitor_evaluation_cost = true,
  monitor_evaluation_accuracy = true, monitor_training_cost = true,
  monitor_training_accuracy = true, early_stopping_n = true,
  -- lnn's additions
  mu = true, schedule_n = true, quiet = true, log = true, state = true,
}

local fmt = face.fmt

--- SGD(training_data, epochs, mini_batch_size, eta [, opts]) -> evaluation_cost,
--- evaluation_accuracy, training_cost, training_accuracy (one entry per epoch
--- for each list whose monitor_* option is true).
--- opts (network2.py's keywords): lmbda, evaluation_data,
--- monitor_evaluation_cost, monitor_evaluation_accuracy, monitor_training_cost,
--- monitor_training_accuracy, early_stopping_n (stop after that many epochs
--- without a new best evaluation accuracy).  lnn's additions: mu (momentum,
--- 0 <= mu < 1), schedule_n (halve eta after that many epochs without a new
--- best evaluation accuracy; stop once eta has fallen to 1/128 of its start),
--- quiet, log = function(line), state (a table: {epoch = 0} to start, or a
--- checkpoint's; after every epoch it holds epoch (the epochs run in all),
--- eta, best, since_best, since_halving and stopped, and a call given it
--- trains up to epochs in all, numbering on from its epoch, none once stopped:
--- a run resumed from it goes on as if never stopped; not with mu > 0 past
--- epoch 0, whose velocity it does not hold), on_epoch = function(info) with
--- info.epoch (as printed: "Epoch j training complete", from 0 in every call
--- or from state.epoch),
--- info.seconds (training time), info.eta and the epoch's monitored values.
-- @param training_data an lnn.Data set (or list of {x, y} pairs) to train on
-- @param epochs epochs to train
-- @param mini_batch_size items per mini-batch
-- @param eta the learning rate
-- @param opts options table (the keys are listed above)
-- @return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy: four lists, one
--  entry per epoch in each list whose monitor option is true
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local net = lnn.network2.Network({2, 3, 2}, nil, {seed = 1})
-- local evaluation_cost, evaluation_accuracy, training_cost, training_accuracy =
--   net:SGD(data:onehot(true), 3, 2, 0.5, {lmbda = 0.1, evaluation_data = data,
--     monitor_evaluation_accuracy = true, quiet = true})
function methods:SGD(training_data, epochs, mini_batch_size, eta, opts)
  face.checkself(self, "SGD")
  training_data = data_arg(self, training_data, "SGD", 1)
  face.sgd_numbers("SGD", epochs, mini_batch_size, eta)
  local say
  opts, say = face.sgd_options(opts, sgd_options, "SGD", 5)
  local lmbda = opts.lmbda or 0.0
  check_lmbda(lmbda, "SGD", 5)
  local mu = opts.mu or 0.0
  if type(mu) ~= "number" or not (mu >= 0 and mu < 1) then
    args.fail("SGD", 5, "option 'mu' must be a number in [0, 1), got " .. tostring(mu))
  end
  local early = opts.early_stopping_n or 0
  args.count(early, "SGD", 5, "option 'early_stopping_n'", 0)
  local schedule = opts.schedule_n or 0
  args.count(schedule, "SGD", 5, "option 'schedule_n'", 0)
  local evaluation_data = opts.evaluation_data
  if evaluation_data ~= nil then
    evaluation_data = data_arg(self, evaluation_data, "SGD", 5)
  end
  if (early > 0 or schedule > 0 or opts.monitor_evaluation_cost or opts.monitor_evaluation_accuracy)
     and evaluation_data == nil then
    args.fail("SGD", 5, "evaluation_data is needed for monitoring, early stopping or the schedule")
  end
  face.check_finite("SGD", training_data, "training data", evaluation_data, "evaluation data")

  -- opts.state: where an earlier call stopped (a checkpoint's), kept up to date after every epoch
  local state = face.sgd_state(opts.state, "SGD", 5)
  local done = state and state.epoch or 0
  if done > 0 and mu > 0 then
    args.bad("SGD", "option 'state'", "a resumed run (epoch > 0) with mu > 0: the velocity is not kept in a state")
  end

  local n = #training_data
  local evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = {}, {}, {}, {}
  local best, since_best, since_halving = -1, 0, 0
  local eta0 = eta
  local sgd = {eta = eta, batch = mini_batch_size, lmbda = lmbda, n = n, mu = mu}
  if done > 0 then
    best, since_best, since_halving, sgd.eta = state.best, state.since_best, state.since_halving, state.eta
  end
  local count = state and ((state.stopped or done >= epochs) and 0 or epochs - done) or epochs
  local plan = {fname = "SGD", data = training_data, sgd = sgd, count = count, first = done,
                base = self.epoch or 0, opts = opts, say = say}
  local accuracy, verdict
  -- early stopping and the halving schedule, decided once the epoch's accuracy
  -- is known (so a state saved in on_epoch holds them), said after on_epoch
  local function decide()
    verdict = nil
    if not accuracy then return end
    if accuracy > best then
      best, since_best, since_halving = accuracy, 0, 0
    else
      since_best, since_halving = since_best + 1, since_halving + 1
    end
    if early > 0 and since_best >= early then
      verdict = ("Early stopping: no better evaluation accuracy in %d epochs (best %d / %d)")
        :format(early, best, #evaluation_data)
      return true
    end
    if schedule > 0 and since_halving >= schedule then
      sgd.eta = sgd.eta / 2
      since_halving = 0
      if sgd.eta <= eta0 / 128 then
        verdict = ("Learning rate schedule: eta fell to %s = eta/128; stopping"):format(fmt(sgd.eta))
        return true
      end
      verdict = ("Learning rate schedule: eta halved to %s"):format(fmt(sgd.eta))
    end
    return false
  end
  local stopping
  function plan.report(info, i, say)
    local j = done + i
    info.eta = sgd.eta
    say(("Epoch %d training complete"):format(j))
    -- one pass over a set gives both its accuracy and its cost
    local tcorrect, tcost, ecost
    if opts.monitor_training_cost or opts.monitor_training_accuracy then
      tcorrect, tcost = self._net:evaluate(training_data, opts.monitor_training_cost)
    end
    if opts.monitor_training_cost then
      info.training_cost = tcost / n + l2_term(self, lmbda, n)
      training_cost[#training_cost + 1] = info.training_cost
      say("Cost on training data: " .. fmt(info.training_cost))
    end
    if opts.monitor_training_accuracy then
      info.training_accuracy = tcorrect
      training_accuracy[#training_accuracy + 1] = tcorrect
      say(("Accuracy on training data: %d / %d"):format(tcorrect, n))
    end
    if opts.monitor_evaluation_cost or opts.monitor_evaluation_accuracy or early > 0 or schedule > 0 then
      accuracy, ecost = self._net:evaluate(evaluation_data, opts.monitor_evaluation_cost)
    end
    if opts.monitor_evaluation_cost then
      info.evaluation_cost = ecost / #evaluation_data + l2_term(self, lmbda, #evaluation_data)
      evaluation_cost[#evaluation_cost + 1] = info.evaluation_cost
      say("Cost on evaluation data: " .. fmt(info.evaluation_cost))
    end
    if opts.monitor_evaluation_accuracy then
      info.evaluation_accuracy = accuracy
      evaluation_accuracy[#evaluation_accuracy + 1] = accuracy
      say(("Accuracy on evaluation data: %d / %d"):format(accuracy, #evaluation_data))
    end
    stopping = decide()
    if state then
      state.epoch, state.eta, state.best, state.since_best, state.since_halving, state.stopped =
        j + 1, sgd.eta, best, since_best, since_halving, stopping or nil
    end
  end
  function plan.stop(_, _, say)
    if verdict then say(verdict) end
    return stopping
  end
  face.train(self, plan)
  return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy
end

--- gradient_norms(data): for each layer l, the length of the gradient of the
--- mean cost over data with respect to its biases (the "speed of learning"
--- of the book's vanishing-gradient chapter) and with respect to its weights.
-- @param data an lnn.Data set
-- @return for each layer l, the length of the gradient of the mean cost over data with respect to
--  its biases (the "speed of learning" of the book's vanishing-gradient chapter) and with respect
--  to its weights
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local norms = lnn.network2.Network({2, 3, 2}):gradient_norms(data:onehot(true))  -- one per layer
function methods:gradient_norms(data)
  face.checkself(self, "gradient_norms")
  data = data_arg(self, data, "gradient_norms", 1)
  local X, Y = data:matrices()
  local g = self._net:gradient(X, Y)
  local bias, weight = {}, {}
  local m = #data
  for l, layer in ipairs(self._net:layout().layers) do
    local function norm(first, count)
      local v, s = g:view(first + 1, count, 1), 0
      for i = 1, count do s = s + (v[i][1] / m) ^ 2 end
      return math.sqrt(s)
    end
    bias[l] = norm(layer.biases, layer.n_out)
    weight[l] = norm(layer.weights, layer.n_out * layer.n_in)
  end
  return bias, weight
end

-- ----------------------------------------------------------------------------------------------
-- network2.py's JSON files

--- save(filename): network2.py's JSON layout {"sizes", "weights", "biases",
--- "cost"}: weights as lists of rows (w[j][k]), biases as column vectors.  A
--- network with other than sigmoid units also records "activations" (which
--- network2.py ignores).  Written to a temporary file, then renamed.
-- @param filename the file's name
-- @usage
-- local path = os.tmpname()
-- lnn.network2.Network({2, 3, 2}):save(path)  -- network2.py's JSON
-- os.remove(path)
function methods:save(filename)
  face.checkself(self, "save")
  if type(filename) ~= "string" then args.fail("save", 1, "file name expected, got " .. type(filename)) end
  local ws, bs = {}, {}
  for l = 1, self.num_layers - 1 do
    for _, part in ipairs {{"weights", self.weights[l]}, {"biases", self.biases[l]}} do
      local sum = part[2]:sum() -- in double: NaN or infinite only when an element is
      if sum ~= sum or sum == math.huge or sum == -math.huge then
        error(("save: %s: %s[%d] (layer %d) is not finite (NaN or infinity): refusing to save a broken network")
          :format(filename, part[1], l, l), 2)
      end
    end
    ws[l] = self.weights[l]:tojson("rows")
    bs[l] = self.biases[l]:tojson("column")
  end
  local parts = {
    '{"sizes": ', json.encode(self.sizes),
    ', "weights": [', table.concat(ws, ", "), ']',
    ', "biases": [', table.concat(bs, ", "), ']',
    ', "cost": ', json.encode(self.cost.name),
  }
  if self.hidden ~= "sigmoid" or self.output ~= "sigmoid" then
    parts[#parts + 1] = ', "activations": ' .. json.encode {hidden = self.hidden, output = self.output}
  end
  parts[#parts + 1] = "}"
  local ok, err = pcall(core.call_as, "save", nil, core.write_file, filename, table.concat(parts))
  if not ok then error(err, 2) end
end

local function bad(filename, msg)
  error(("load: %s: %s"):format(filename, msg), 3)
end

-- the list of matrices under key of doc, shaped by shape(l) = rows, cols
-- 2^128 - 2^103: the smallest magnitude that rounds to infinity in float32
local FLOAT32_OVERFLOW = 3.4028235677973366e38

local function matrices(filename, doc, key, count, shape)
  local list = doc[key]
  if type(list) ~= "table" or #list ~= count then
    bad(filename, ("%q must be a list of %d matrices"):format(key, count))
  end
  local out = {}
  for l = 1, count do
    local rows, cols = shape(l)
    local m = list[l]
    if type(m) ~= "table" or #m ~= rows then
      bad(filename, ("%s[%d] must have %d rows (sizes say so), got %s"):format(key, l, rows,
        type(m) == "table" and tostring(#m) or type(m)))
    end
    for j = 1, rows do
      local row = m[j]
      if type(row) ~= "table" or #row ~= cols then
        bad(filename, ("%s[%d] row %d must hold %d numbers, got %s"):format(key, l, j, cols,
          type(row) == "table" and tostring(#row) or type(row)))
      end
      for k = 1, cols do
        local x = row[k]
        if type(x) ~= "number" or x ~= x or x == math.huge or x == -math.huge then
          bad(filename, ("%s[%d][%d][%d] is not a finite number"):format(key, l, j, k))
        end
        if x >= FLOAT32_OVERFLOW or x <= -FLOAT32_OVERFLOW then
          bad(filename, ("%s[%d][%d][%d] is %s, beyond float32's range (it would load as infinity)")
            :format(key, l, j, k, x))
        end
      end
    end
    out[l] = m
  end
  return out
end

--- load(filename): the network saved there by save() or by network2.py.
-- @param filename the file's name
-- @return the network saved there by save() or by network2.py
-- @usage
-- local path = os.tmpname()
-- lnn.network2.Network({2, 3, 2}):save(path)
-- local net = lnn.network2.load(path)
-- os.remove(path)
function network2.load(filename)
  if type(filename) ~= "string" then args.fail("load", 1, "file name expected, got " .. type(filename)) end
  -- one descriptor, a regular file only: one whole save even while another process saves
  local okr, text = pcall(core.call_as, "load", nil, core.read_file, filename)
  if not okr then error(text, 2) end
  local ok, doc = pcall(core.json_decode, text, filename)
  if not ok then error("load: " .. tostring(doc) .. model.hint(filename, "lnn.network2.load"), 2) end
  if type(doc) ~= "table" or doc[1] ~= nil then bad(filename, "a JSON object expected") end
  local sizes = doc.sizes
  if sizes == nil then bad(filename, 'no "sizes": not a network' .. model.hint(filename)) end
  local oks = pcall(args.sizes, sizes, "load")
  if not oks then bad(filename, '"sizes" must be a list of at least 2 positive integers') end
  local cost = COSTS[doc.cost]
  if not cost then
    bad(filename, ("unknown cost %s (QuadraticCost, CrossEntropyCost or LogLikelihoodCost expected)")
      :format(type(doc.cost) == "string" and json.encode(doc.cost) or tostring(doc.cost == nil and "missing" or doc.cost)))
  end
  local hidden, output = "sigmoid", "sigmoid"
  if doc.activations ~= nil then
    local a = doc.activations
    if type(a) ~= "table" or not ACTS[a.hidden] or not ACTS[a.output] then
      bad(filename, '"activations" must give known "hidden" and "output" activations')
    end
    hidden, output = a.hidden, a.output
  end
  if cost.output and output ~= cost.output then
    bad(filename, ("%s needs a %s output layer, got %s"):format(cost.name, cost.output, output))
  end
  local nl = #sizes - 1
  local ws = matrices(filename, doc, "weights", nl, function(l) return sizes[l + 1], sizes[l] end)
  local bs = matrices(filename, doc, "biases", nl, function(l) return sizes[l + 1], 1 end)
  local okb, self = pcall(build, sizes, cost, hidden, output, core.Rng(0))
  if not okb then bad(filename, tostring(self)) end
  for l = 1, nl do
    self.weights[l]:copy_from(core.Matrix(ws[l]))
    self.biases[l]:copy_from(core.Matrix(bs[l]))
  end
  return self
end

-- ----------------------------------------------------------------------------------------------

--- vectorized_result(j), sigmoid(z), sigmoid_prime(z): as network2.py's.
network2.vectorized_result = mnist_loader.vectorized_result
network2.sigmoid = face.elementwise("sigmoid")
network2.sigmoid_prime = face.elementwise("sigmoid_prime")
network2.Network_methods = methods

return network2
