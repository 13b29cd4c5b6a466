--- lnn.reference: the book's network.py / network2.py written out in plain Lua: tables of doubles,
-- one loop per sum, the slow and obviously correct twin the specs compare the C engine against.
-- It deliberately requires nothing, has no random initialisation, no speed and no file formats.
-- @module lnn.reference

local R = {}

local exp, log = math.exp, math.log
local MAX_DOUBLE = 1.7976931348623157e308 -- what np.nan_to_num turns +inf into

-- ----------------------------------------------------------------------------------------------
-- Scalars

--- sigmoid(z): 1 / (1 + e^-z).
-- @tparam number z a weighted input
-- @treturn number the activation
-- @usage
-- assert(lnn.reference.sigmoid(0) == 0.5)
function R.sigmoid(z)
  -- For z < -709 exp(-z) is inf and 1/inf is 0, so no guard is needed in doubles.
  return 1.0 / (1.0 + exp(-z))
end

--- sigmoid_prime(z): the sigmoid's derivative at z.
-- @tparam number z a weighted input
-- @treturn number sigmoid(z) * (1 - sigmoid(z))
-- @usage
-- assert(lnn.reference.sigmoid_prime(0) == 0.25)
function R.sigmoid_prime(z)
  local s = R.sigmoid(z)
  return s * (1.0 - s)
end

local sigmoid, sigmoid_prime = R.sigmoid, R.sigmoid_prime

-- np.nan_to_num on one number: nan -> 0, +-inf -> +-largest double.
local function nan_to_num(t)
  if t ~= t then return 0.0 end
  if t == math.huge then return MAX_DOUBLE end
  if t == -math.huge then return -MAX_DOUBLE end
  return t
end

-- ----------------------------------------------------------------------------------------------
-- Costs (network2.py)

R.QuadraticCost = {}

--- QuadraticCost.fn(a, y): 0.5 * ||a - y||^2.
-- @tparam {number,...} a the output activations
-- @tparam {number,...} y the target
-- @treturn number the cost
function R.QuadraticCost.fn(a, y)
  local s = 0.0
  for j = 1, #a do
    local d = a[j] - y[j]
    s = s + d * d
  end
  return 0.5 * s
end

--- QuadraticCost.delta(z, a, y): the output error (a - y) * sigmoid'(z).
-- @tparam {number,...} z the output weighted inputs
-- @tparam {number,...} a the output activations
-- @tparam {number,...} y the target
-- @treturn {number,...} the error of each output
function R.QuadraticCost.delta(z, a, y)
  local d = {}
  for j = 1, #a do d[j] = (a[j] - y[j]) * sigmoid_prime(z[j]) end
  return d
end

R.CrossEntropyCost = {}

--- CrossEntropyCost.fn(a, y): sum nan_to_num(-y*log(a) - (1-y)*log(1-a)); the y == a == 0 or 1
-- terms are 0*-inf = nan, which becomes 0.
-- @tparam {number,...} a the output activations
-- @tparam {number,...} y the target
-- @treturn number the cost
function R.CrossEntropyCost.fn(a, y)
  local s = 0.0
  for j = 1, #a do
    s = s + nan_to_num(-y[j] * log(a[j]) - (1.0 - y[j]) * log(1.0 - a[j]))
  end
  return s
end

--- CrossEntropyCost.delta(z, a, y): a - y; the sigmoid'(z) of the chain rule cancels, z is unused
-- (kept for the common signature).
-- @tparam {number,...} z the output weighted inputs (unused)
-- @tparam {number,...} a the output activations
-- @tparam {number,...} y the target
-- @treturn {number,...} the error of each output
function R.CrossEntropyCost.delta(z, a, y)
  local d = {}
  for j = 1, #a do d[j] = a[j] - y[j] end
  return d
end

-- ----------------------------------------------------------------------------------------------
-- Helpers

local function check_options(opts, allowed, fname)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(("options to '%s' must be a table, got %s"):format(fname, type(opts)), 3)
  end
  for k in pairs(opts) do
    if not allowed[k] then
      error(("unknown option '%s' to '%s'"):format(tostring(k), fname), 3)
    end
  end
  return opts
end

local function check_vector(v, n, what, fname)
  if type(v) ~= "table" then
    error(("%s to '%s' must be a table of %d numbers, got %s"):format(what, fname, n, type(v)), 3)
  end
  if #v ~= n then
    error(("%s to '%s' has %d numbers, expected %d"):format(what, fname, #v, n), 3)
  end
end

-- Zero arrays shaped like the network's biases and weights.
local function zeros_like(net)
  local nb, nw = {}, {}
  for l = 1, net.num_layers - 1 do
    local rows, cols = net.sizes[l + 1], net.sizes[l]
    nb[l], nw[l] = {}, {}
    for j = 1, rows do
      nb[l][j] = 0.0
      nw[l][j] = {}
      for k = 1, cols do nw[l][j][k] = 0.0 end
    end
  end
  return nb, nw
end

-- sigmoid(W a + b) for one layer; also returns z.
local function layer_forward(W, b, a)
  local z, out = {}, {}
  for j = 1, #W do
    local s = b[j]
    local row = W[j]
    for k = 1, #a do s = s + row[k] * a[k] end
    z[j] = s
    out[j] = sigmoid(s)
  end
  return z, out
end

local function argmax(v)
  local best = 1
  for j = 2, #v do
    if v[j] > v[best] then best = j end -- strict: ties go to the first max, like np.argmax
  end
  return best
end

-- ----------------------------------------------------------------------------------------------
-- Network

local Network = {}
Network.__index = Network
Network.__name = "lnn.reference.Network"

local NETWORK_OPTIONS = { weights = true, biases = true, cost = true }

--- Network(sizes [, params]): a sigmoid network of the given layer sizes; params {weights, biases,
-- cost} gives its parameters (there is no random initialisation here) and its cost (QuadraticCost by
-- default).
-- @tparam {int,...} sizes layer sizes, e.g. {784, 30, 10}
-- @tparam[opt] table params {weights = W[l][j][k], biases = B[l][j], cost = R.QuadraticCost or R.CrossEntropyCost}
-- @return the network
-- @usage
-- local R = lnn.reference
-- local net = R.Network({2, 1}, {weights = {{{1, -1}}}, biases = {{0}}, cost = R.CrossEntropyCost})
function R.Network(sizes, params)
  if type(sizes) ~= "table" or #sizes < 2 then
    error("sizes to 'Network' must be a table of at least 2 layer sizes", 2)
  end
  for i = 1, #sizes do
    local s = sizes[i]
    if type(s) ~= "number" or s ~= math.floor(s) or s < 1 then
      error(("sizes[%d] to 'Network' must be a positive integer, got %s"):format(i, tostring(s)), 2)
    end
  end
  params = check_options(params, NETWORK_OPTIONS, "Network")
  local W, B = params.weights, params.biases
  if type(W) ~= "table" or type(B) ~= "table" then
    error("'Network' needs params.weights and params.biases (there is no random init here)", 2)
  end

  local net = setmetatable({}, Network)
  net.sizes = {}
  for i = 1, #sizes do net.sizes[i] = math.tointeger(sizes[i]) end
  net.num_layers = #sizes
  net.cost = params.cost or R.QuadraticCost
  net.weights, net.biases = {}, {}

  if #W ~= #sizes - 1 or #B ~= #sizes - 1 then
    error(("'Network' got %d weight and %d bias layers, expected %d"):format(#W, #B, #sizes - 1), 2)
  end
  for l = 1, #sizes - 1 do
    local rows, cols = net.sizes[l + 1], net.sizes[l]
    if type(W[l]) ~= "table" or #W[l] ~= rows then
      error(("weights[%d] to 'Network' must have %d rows"):format(l, rows), 2)
    end
    if type(B[l]) ~= "table" or #B[l] ~= rows then
      error(("biases[%d] to 'Network' must have %d numbers"):format(l, rows), 2)
    end
    net.weights[l], net.biases[l] = {}, {}
    for j = 1, rows do
      if type(W[l][j]) ~= "table" or #W[l][j] ~= cols then
        error(("weights[%d][%d] to 'Network' must have %d numbers"):format(l, j, cols), 2)
      end
      net.biases[l][j] = B[l][j] + 0.0
      net.weights[l][j] = {}
      for k = 1, cols do net.weights[l][j][k] = W[l][j][k] + 0.0 end
    end
  end
  return net
end

--- feedforward(a): the network's output for input a.
-- @tparam {number,...} a the input
-- @treturn {number,...} the output activations
-- @usage
-- local net = lnn.reference.Network({2, 1}, {weights = {{{1, -1}}}, biases = {{0}}})
-- local a = net:feedforward({3, 3})  -- {0.5}
function Network:feedforward(a)
  check_vector(a, self.sizes[1], "input", "feedforward")
  for l = 1, self.num_layers - 1 do
    local _
    _, a = layer_forward(self.weights[l], self.biases[l], a)
  end
  return a
end

--- backprop(x, y): the gradient of net.cost.fn(feedforward(x), y) with respect to every bias and
-- weight (network.py).
-- @tparam {number,...} x the input
-- @tparam {number,...} y the target
-- @return nabla_b (per layer, per neuron) and nabla_w (per layer, [j][k])
-- @usage
-- local net = lnn.reference.Network({2, 1}, {weights = {{{1, -1}}}, biases = {{0}}})
-- local nabla_b, nabla_w = net:backprop({1, 0}, {1})
function Network:backprop(x, y)
  check_vector(x, self.sizes[1], "x", "backprop")
  check_vector(y, self.sizes[self.num_layers], "y", "backprop")
  local L = self.num_layers - 1
  local nabla_b, nabla_w = zeros_like(self)

  -- forward pass: activations[l] is the input of layer l, zs[l] its weighted input
  local activations, zs = { x }, {}
  for l = 1, L do
    zs[l], activations[l + 1] = layer_forward(self.weights[l], self.biases[l], activations[l])
  end

  -- backward pass
  local delta = self.cost.delta(zs[L], activations[L + 1], y)
  for l = L, 1, -1 do
    local a_in = activations[l]
    for j = 1, #delta do
      nabla_b[l][j] = delta[j]
      for k = 1, #a_in do nabla_w[l][j][k] = delta[j] * a_in[k] end
    end
    if l > 1 then
      -- delta_prev[k] = (sum_j W[l][j][k] * delta[j]) * sigmoid'(zs[l-1][k])
      local W, prev = self.weights[l], {}
      for k = 1, #a_in do
        local s = 0.0
        for j = 1, #delta do s = s + W[j][k] * delta[j] end
        prev[k] = s * sigmoid_prime(zs[l - 1][k])
      end
      delta = prev
    end
  end
  return nabla_b, nabla_w
end

--- update_mini_batch(batch, eta [, lmbda, n]): one step of gradient descent on the mean gradient
-- of batch, with L2 weight decay (network2.py).
-- @tparam table batch the mini-batch
-- @tparam number eta the learning rate
-- @tparam[opt=0] number lmbda the L2 strength
-- @tparam[opt] int n the training set's size (for the decay)
-- @usage
-- local net = lnn.reference.Network({2, 1}, {weights = {{{1, -1}}}, biases = {{0}}})
-- net:update_mini_batch({{{1, 0}, {1}}, {{0, 1}, {0}}}, 3.0)
function Network:update_mini_batch(batch, eta, lmbda, n)
  lmbda = lmbda or 0.0
  if #batch == 0 then error("empty mini-batch to 'update_mini_batch'", 2) end
  if lmbda ~= 0 and (type(n) ~= "number" or n <= 0) then
    error("'update_mini_batch' needs n (training set size) when lmbda is not 0", 2)
  end
  local sum_b, sum_w = zeros_like(self)
  for i = 1, #batch do
    local db, dw = self:backprop(batch[i][1], batch[i][2])
    for l = 1, self.num_layers - 1 do
      for j = 1, #sum_b[l] do
        sum_b[l][j] = sum_b[l][j] + db[l][j]
        for k = 1, #sum_w[l][j] do sum_w[l][j][k] = sum_w[l][j][k] + dw[l][j][k] end
      end
    end
  end
  local decay = (lmbda == 0) and 1.0 or (1.0 - eta * (lmbda / n))
  local step = eta / #batch
  for l = 1, self.num_layers - 1 do
    local W, b = self.weights[l], self.biases[l]
    for j = 1, #b do
      b[j] = b[j] - step * sum_b[l][j]
      for k = 1, #W[j] do W[j][k] = decay * W[j][k] - step * sum_w[l][j][k] end
    end
  end
end

--- evaluate(test_data): how many {x, d} in test_data have the predicted class (argmax - 1, 0-based
-- like the book) d.
-- @tparam table test_data the pairs
-- @treturn int the count
-- @usage
-- local net = lnn.reference.Network({2, 2}, {weights = {{{1, 0}, {0, 1}}}, biases = {{0, 0}}})
-- assert(net:evaluate({{{1, 0}, 0}, {{0, 1}, 1}}) == 2)
function Network:evaluate(test_data)
  local correct = 0
  for i = 1, #test_data do
    local x, d = test_data[i][1], test_data[i][2]
    if math.type(d) == nil then
      error(("test_data[%d] to 'evaluate' must hold an integer class, got %s"):format(i, type(d)), 2)
    end
    if argmax(self:feedforward(x)) - 1 == d then correct = correct + 1 end
  end
  return correct
end

local SGD_OPTIONS = { test_data = true, lmbda = true, permutation = true, on_epoch = true }

--- SGD(training_data, epochs, mini_batch_size, eta [, opts]): mini-batch SGD as network.py's;
-- epochs are numbered from 1 (in permutation(n, epoch) and on_epoch(epoch, correct)).
-- @tparam table training_data the pairs to train on
-- @tparam int epochs epochs to run
-- @tparam int mini_batch_size items per step
-- @tparam number eta the learning rate
-- @tparam[opt] table opts {test_data, lmbda, permutation = function(n, epoch) -> order, on_epoch}
-- @return per-epoch test counts when test_data is given
-- @usage
-- local net = lnn.reference.Network({2, 1}, {weights = {{{1, -1}}}, biases = {{0}}})
-- net:SGD({{{1, 0}, {1}}, {{0, 1}, {0}}}, 5, 2, 3.0)
function Network:SGD(training_data, epochs, mini_batch_size, eta, opts)
  opts = check_options(opts, SGD_OPTIONS, "SGD")
  local n = #training_data
  local lmbda = opts.lmbda or 0.0
  local results = {}
  for epoch = 1, epochs do
    local order
    if opts.permutation then
      order = opts.permutation(n, epoch)
      local seen = {}
      if type(order) ~= "table" or #order ~= n then
        error(("permutation for epoch %d must return %d indices"):format(epoch, n), 2)
      end
      for i = 1, n do
        local p = order[i]
        if math.type(p) ~= "integer" or p < 1 or p > n or seen[p] then
          error(("permutation for epoch %d is not a permutation of 1..%d"):format(epoch, n), 2)
        end
        seen[p] = true
      end
    else
      order = {}
      for i = 1, n do order[i] = i end
    end
    for k = 1, n, mini_batch_size do
      local batch = {}
      for i = k, math.min(k + mini_batch_size - 1, n) do batch[#batch + 1] = training_data[order[i]] end
      self:update_mini_batch(batch, eta, lmbda, n)
    end
    local correct = nil
    if opts.test_data then
      correct = self:evaluate(opts.test_data)
      results[#results + 1] = correct
    end
    if opts.on_epoch then opts.on_epoch(epoch, correct) end
  end
  return results
end

--- total_cost(data [, lmbda]): the mean cost over data plus the L2 term 0.5*(lmbda/#data)*sum w^2,
-- added once (network2.py).
-- @tparam table data the pairs
-- @tparam[opt=0] number lmbda the L2 strength
-- @treturn number the cost
-- @usage
-- local net = lnn.reference.Network({2, 1}, {weights = {{{1, -1}}}, biases = {{0}}})
-- local c = net:total_cost({{{1, 0}, {1}}, {{0, 1}, {0}}}, 0.1)
function Network:total_cost(data, lmbda)
  lmbda = lmbda or 0.0
  local cost = 0.0
  for i = 1, #data do
    local a = self:feedforward(data[i][1])
    cost = cost + self.cost.fn(a, data[i][2]) / #data
  end
  local sq = 0.0
  for l = 1, self.num_layers - 1 do
    for j = 1, #self.weights[l] do
      for k = 1, #self.weights[l][j] do sq = sq + self.weights[l][j][k] ^ 2 end
    end
  end
  return cost + 0.5 * (lmbda / #data) * sq
end

return R
