--- lnn.network: the face of network.py (the book's chapters 1-2) over the one
-- C engine: a sigmoid network, quadratic cost, mini-batch SGD, backprop.
-- Plus mynet.py's save/load and resumable checkpoints.  No arithmetic on
-- samples happens here: every epoch, batch and kernel runs in lnn.core.
-- @module lnn.network
local model = require "lnn.model"
local args = require "lnn.args"
local face = require "lnn.face"

local network = {}

local methods = {}
local Network = face.class("lnn.network.Network", methods)

local function wrap(net, rng)
  local sizes = face.dense_sizes(net)
  return face.wrap(net, rng, Network, {sizes = sizes, num_layers = #sizes})
end

--- Network(sizes [, {seed = 0, rng = Rng}]): weights and biases drawn from N(0, 1).
-- @param sizes layer sizes, e.g. {784, 30, 10}
-- @param opts options table (the keys are listed above)
-- @return weights and biases drawn from N(0, 1)
-- @usage
-- local net = lnn.network.Network({784, 30, 10}, {seed = 1})
function network.Network(sizes, opts)
  args.sizes(sizes, "Network")
  opts = args.options(opts, {seed = true, rng = true}, "Network", 2)
  local rng = face.rng(opts, "Network")
  return wrap(face.sigmoid_net(sizes, rng), rng)
end

--- feedforward(a): the output (n_out x 1) for input a (a Matrix or table of n_in values).
-- @param a an activation (lnn.Matrix)
-- @return the output (n_out x 1) for input a (a Matrix or table of n_in values)
-- @usage
-- local out = lnn.network.Network({2, 3, 2}):feedforward({0.5, 0.25})  -- 2 x 1
function methods:feedforward(a)
  return face.dense.feedforward(self, a)
end

--- update_mini_batch(mini_batch, eta): one gradient step on a list of (x, y)
--- pairs (or a data set), as network.py.
-- @param mini_batch a mini-batch (lnn.Data set)
-- @param eta the learning rate
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- lnn.network.Network({2, 3, 2}):update_mini_batch(data:onehot(true), 3.0)
function methods:update_mini_batch(mini_batch, eta)
  face.checkself(self, "update_mini_batch")
  local data = face.data(mini_batch, self.sizes[#self.sizes], "update_mini_batch", 1, self.sizes[1])
  args.rate(eta, "update_mini_batch", 2)
  face.step(self, data, {eta = eta, batch = #data, shuffle = false})
end

--- backprop(x, y): nabla_b, nabla_w, the gradient of the cost C_x layer by
--- layer (lists of matrices shaped like biases and weights).
-- @param x an input (lnn.Matrix or table)
-- @param y a target (lnn.Matrix, table or class number)
-- @return nabla_b, nabla_w, the gradient of the cost C_x layer by layer (lists of matrices shaped
--  like biases and weights)
-- @usage
-- local nabla_b, nabla_w = lnn.network.Network({2, 3, 2}):backprop({0.5, 0.25}, {0, 1})
-- -- nabla_w[1] is 3 x 2, like weights[1]
function methods:backprop(x, y)
  return face.dense.backprop(self, x, y)
end

--- evaluate(test_data): how many items the network classifies correctly.
-- @param test_data an lnn.Data set to evaluate on
-- @return how many items the network classifies correctly
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local correct = lnn.network.Network({2, 3, 2}):evaluate(data)  -- 0 to 4
function methods:evaluate(test_data)
  return face.dense.evaluate(self, test_data)
end

--- cost_derivative(output_activations, y): the vector a - y.
-- @param output_activations the network's output (lnn.Matrix)
-- @param y a target (lnn.Matrix, table or class number)
-- @return the vector a - y
-- @usage
-- local net = lnn.network.Network({2, 3, 2})
-- local d = net:cost_derivative(net:feedforward({0.5, 0.25}), {0, 1})
function methods:cost_derivative(output_activations, y)
  return face.dense.cost_derivative(self, output_activations, y)
end

local sgd_options = {start_epoch = true, backups = true, backup_every = true, quiet = true, log = true}

--- SGD(training_data, epochs, mini_batch_size, eta [, test_data [, opts]]).
--- Mini-batch stochastic gradient descent as network.py: every epoch shuffles
--- the data (in C, from the network's generator), steps once per mini-batch,
--- then prints "Epoch j: k / n" (with test_data) or "Epoch j complete".
--- Called again, it trains epochs more epochs (as network.py), numbering them
--- on from net.epoch.  opts (mynet.py's additions): start_epoch (resume to a
--- total: epochs start_epoch .. epochs - 1 run, 0-based), backups = DIR (saves DIR/initial, DIR/latest and, every
--- backup_every epochs, DIR/epoch-N), quiet, log = function(line); and the
--- driver's (lnn.face.train): on_epoch = function(info) with info.epoch
--- (the epoch's number as printed, "Epoch j"), info.seconds (training time of the epoch),
--- info.correct, info.total; on_saturation, threads, progress, should_stop.
--- Returns the list of infos.
-- @param training_data an lnn.Data set (or list of {x, y} pairs) to train on
-- @param epochs epochs to train
-- @param mini_batch_size items per mini-batch
-- @param eta the learning rate
-- @param test_data an lnn.Data set to evaluate on
-- @param opts options table (the keys are listed above)
-- @return the list of per-epoch infos (epoch, seconds, correct, total)
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local net = lnn.network.Network({2, 3, 2}, {seed = 1})
-- net:SGD(data:onehot(true), 3, 2, 3.0, data, {quiet = true})  -- the book prints Epoch j: k / 4
function methods:SGD(training_data, epochs, mini_batch_size, eta, test_data, opts)
  face.checkself(self, "SGD")
  local n_out = self.sizes[#self.sizes]
  training_data = face.data(training_data, n_out, "SGD", 1, self.sizes[1])
  face.sgd_numbers("SGD", epochs, mini_batch_size, eta)
  if test_data ~= nil then test_data = face.data(test_data, n_out, "SGD", 5, self.sizes[1]) end
  local say
  opts, say = face.sgd_options(opts, sgd_options, "SGD", 6)
  if opts.backups ~= nil and type(opts.backups) ~= "string" then
    args.bad("SGD", "option 'backups'", "string expected, got " .. type(opts.backups))
  end
  if opts.backup_every ~= nil and (math.type(opts.backup_every) ~= "integer" or opts.backup_every < 0) then
    args.bad("SGD", "option 'backup_every'", "integer >= 0 expected, got " .. tostring(opts.backup_every))
  end
  local start = opts.start_epoch or self.epoch
  if math.type(start) ~= "integer" or start < 0 then args.bad("SGD", "option 'start_epoch'", "integer >= 0 expected") end
  -- epochs more, or (with start_epoch) up to epochs in total
  local count = opts.start_epoch and math.max(0, epochs - start) or epochs
  local every = opts.backup_every or 0
  face.check_finite("SGD", training_data, "training data", test_data, "test data")
  if opts.backups then
    face.backups_folder(opts.backups)
    if start == 0 then self:save(opts.backups .. "/initial") end
  end
  local plan = {fname = "SGD", data = training_data, sgd = {eta = eta, batch = mini_batch_size},
                count = count, first = start, base = start, opts = opts, say = say}
  function plan.report(info, i, print_line)
    local j = start + i
    if test_data then
      info.correct, info.total = self._net:evaluate(test_data), #test_data
      print_line(("Epoch %d: %d / %d"):format(j, info.correct, info.total))
    else
      print_line(("Epoch %d complete"):format(j))
    end
  end
  if opts.backups then
    function plan.checkpoint()
      self:save(opts.backups .. "/latest")
      -- named by the count of epochs trained, as net.epoch and --epochs
      if every > 0 and self.epoch % every == 0 then self:save(("%s/epoch-%d"):format(opts.backups, self.epoch)) end
    end
  end
  return (face.train(self, plan))
end

--- save(filename): sizes, parameters, epoch and generator state, atomically.
-- @param filename the file's name
-- @usage
-- local path = os.tmpname()
-- lnn.network.Network({2, 3, 2}):save(path)
-- os.remove(path)
function methods:save(filename)
  face.checkself(self, "save")
  model.save(filename, self._net, {face = "network", epoch = self.epoch, rng = self.rng:state()})
end

--- load(filename): the Network saved there, with its epoch and generator state.
-- @param filename the file's name
-- @return the Network saved there, with its epoch and generator state
-- @usage
-- local path = os.tmpname()
-- lnn.network.Network({2, 3, 2}, {seed = 1}):save(path)
-- local net = lnn.network.load(path)
-- os.remove(path)
function network.load(filename)
  local net, md = model.load(filename, nil, "lnn.network.load")
  -- network.py's networks only: dense sigmoid layers, the quadratic cost; another
  -- face's file says which loader reads it
  if face.sigmoid_misfit(net) then
    error(("load: %s: not a network.py network (dense sigmoid layers, quadratic cost)%s"):format(filename,
      model.hint(filename, "lnn.network.load")), 2)
  end
  local rng, epoch = face.restore(md, filename)
  local self = wrap(net, rng)
  self.epoch = epoch
  return self
end

--- sigmoid(z), sigmoid_prime(z): on a number or element-wise on a Matrix.
network.sigmoid = face.elementwise("sigmoid")
network.sigmoid_prime = face.elementwise("sigmoid_prime")
network.Network_methods = methods

return network
