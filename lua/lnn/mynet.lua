--- lnn.mynet: the face of the fork's mynet.py, its second implementation of
-- network.py, with its own names (getOutput, test, updateMiniBatch, rate, ...),
-- its printed lines and its automatic backups.  It runs on the one engine
-- through lnn.face: no second engine, no epoch loop of its own, and no
-- arithmetic on samples here (feedforward computes one input layer by layer
-- in C so that it can return every z and activation, as mynet.py does).
-- @module lnn.mynet
local core = require "lnn.core"
local model = require "lnn.model"
local args = require "lnn.args"
local face = require "lnn.face"

local mynet = {}

local methods = {}
local Network = face.class("lnn.mynet.Network", methods)

local function wrap(net, rng, backupDir)
  local sizes = face.dense_sizes(net)
  return face.wrap(net, rng, Network, {sizes = sizes, num_layers = #sizes, backupDir = backupDir})
end

local function check_backup_dir(v, what, level)
  if v ~= false and type(v) ~= "string" then
    error(("bad %s (folder name or false expected, got %s)"):format(what, type(v)), level + 1)
  end
end

--- The backups folder of a Network made without backupDir: mynet.py's
-- "backups" (in the working folder); a program may point it elsewhere.
mynet.default_backupDir = "backups"

--- Network(sizes [, {seed = 0, rng = Rng, backupDir = mynet.default_backupDir}]):
-- a sigmoid network with the quadratic cost, weights and biases drawn from
-- N(0, 1) (the same draws as lnn.network's for the same seed).  backupDir is
-- where SGD keeps its backups (false: none); net.backupDir can be changed later.
-- @param sizes the layer sizes, input first
-- @param opts optional {seed, rng, backupDir}
-- @return the Network
-- @usage
-- local net = lnn.mynet.Network({2, 3, 2}, {seed = 1, backupDir = false})
function mynet.Network(sizes, opts)
  args.sizes(sizes, "Network")
  opts = args.options(opts, {seed = true, rng = true, backupDir = true}, "Network", 2)
  local rng = face.rng(opts, "Network")
  local dir = opts.backupDir == nil and mynet.default_backupDir or opts.backupDir
  check_backup_dir(dir, "option 'backupDir' to 'Network'", 2)
  return wrap(face.sigmoid_net(sizes, rng), rng, dir)
end

--- getOutput(x): the output layer's activations (n_out x 1) for input x.
-- @param x the input (Matrix or table of n_in values)
-- @return the n_out x 1 output Matrix
-- @usage
-- local out = lnn.mynet.Network({2, 3, 2}, {backupDir = false}):getOutput({0.5, 0.25})  -- 2 x 1
function methods:getOutput(x)
  face.checkself(self, "getOutput")
  return self._net:forward(face.matrix(x, self.sizes[1], "getOutput", 1))
end

-- The layer's weighted input W a + b (n_out x 1), computed in C by the
-- kernel table the network runs.
local function weighted_input(self, l, a)
  return core.kernel_gemm_xn(self._net:kernels(), self.weights[l], false, a, self.biases[l], 1.0, 1.0)
end

--- feedforward(a): zs, activations: the lists of every layer's weighted
-- input and activation for input a (n x 1 matrices), input layer first:
-- activations[1] is a itself and zs[1] zeros (mynet.py's placeholder).
-- @param a the input (Matrix or table of n_in values)
-- @return zs, activations (lists of Matrix)
-- @usage
-- local zs, activations = lnn.mynet.Network({2, 3, 2}, {backupDir = false}):feedforward({0.5, 0.25})
-- assert(#activations == 3)
function methods:feedforward(a)
  face.checkself(self, "feedforward")
  local n = self.sizes[1]
  a = face.matrix(a, n, "feedforward", 1):copy():reshape(n, 1)
  local zs, activations = {core.Matrix(n, 1)}, {a}
  for l = 1, self.num_layers - 1 do
    zs[l + 1] = weighted_input(self, l, activations[l])
    activations[l + 1] = zs[l + 1]:apply("sigmoid")
  end
  return zs, activations
end

--- test(test_data): how many items the network classifies correctly (the
-- index of the largest output against the label).  Runs in C.
-- @param test_data an lnn.Data or list of {x, y}
-- @return the number correct
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local correct = lnn.mynet.Network({2, 3, 2}, {backupDir = false}):test(data)  -- 0 to 4
function methods:test(test_data)
  face.checkself(self, "test")
  return self._net:evaluate(face.data(test_data, self.sizes[#self.sizes], "test", 1, self.sizes[1]))
end

--- updateMiniBatch(miniBatch, rate): one gradient step on a list of {x, y}
-- pairs (or a data set): every weight moves by -rate times the gradient
-- averaged over the batch.
-- @param miniBatch an lnn.Data or list of {x, y}
-- @param rate the learning rate
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- lnn.mynet.Network({2, 3, 2}, {backupDir = false}):updateMiniBatch(data:onehot(true), 3.0)
function methods:updateMiniBatch(miniBatch, rate)
  face.checkself(self, "updateMiniBatch")
  local data = face.data(miniBatch, self.sizes[#self.sizes], "updateMiniBatch", 1, self.sizes[1])
  args.rate(rate, "updateMiniBatch", 2)
  face.step(self, data, {eta = rate, batch = #data, shuffle = false})
end

--- backprop(x, y): nabla_b, nabla_w, nabla_a0: the gradient of the cost
-- 0.5 |a - y|^2 with respect to every bias and weight (lists shaped like
-- biases and weights), and to the inputs (n_in x 1), as mynet.py returns.
-- y is the n_out target vector or a class 0..n_out-1.
-- @param x the input (n_in values)
-- @param y the target (n_out values) or class
-- @return nabla_b, nabla_w, nabla_a0
-- @usage
-- local nabla_b, nabla_w, nabla_a0 = lnn.mynet.Network({2, 3, 2}, {backupDir = false}):backprop({0.5, 0.25}, 1)
function methods:backprop(x, y)
  face.checkself(self, "backprop")
  local n_in, n_out = self.sizes[1], self.sizes[#self.sizes]
  x = face.matrix(x, n_in, "backprop", 1)
  y = face.matrix(face.target(y, n_out, "backprop", 2), n_out, "backprop", 2)
  local nabla_b, nabla_w = face.gradient(self, x, y)
  -- dC/da0 = W1^T delta1, and delta1 is the first layer's bias gradient
  local nabla_a0 = core.kernel_gemm_xn(self._net:kernels(), self.weights[1], true, nabla_b[1])
  return nabla_b, nabla_w, nabla_a0
end

--- cost_derivative(output_activations, y): the vector a - y (n_out x 1).
-- @param output_activations the output (n_out values)
-- @param y the target (n_out values)
-- @return the n_out x 1 Matrix a - y
-- @usage
-- local net = lnn.mynet.Network({2, 3, 2}, {backupDir = false})
-- local d = net:cost_derivative(net:getOutput({0.5, 0.25}), {0, 1})
function methods:cost_derivative(output_activations, y)
  face.checkself(self, "cost_derivative")
  local n = self.sizes[#self.sizes]
  local a = face.matrix(output_activations, n, "cost_derivative", 1):totable(true)
  local t = face.matrix(y, n, "cost_derivative", 2):totable(true)
  local d = {}
  for j = 1, n do d[j] = {a[j] - t[j]} end
  return core.Matrix(d)
end

--- sigmoid(z), sigmoid_prime(z): methods, as in mynet.py.
methods.sigmoid = face.elementwise("sigmoid", true)
methods.sigmoid_prime = face.elementwise("sigmoid_prime", true)

local function write(self, filename, say)
  model.save(filename, self._net, {face = "mynet", epoch = self.epoch, rng = self.rng:state()})
  if say then say(("*** network saved to '%s' ***"):format(filename)) end
end

--- save(filename): the network (sizes, parameters, epoch, generator state)
-- in lnn's model file, written atomically; prints mynet.py's line.
-- @param filename the file to write
-- @usage
-- local path = os.tmpname()
-- lnn.mynet.Network({2, 3, 2}, {backupDir = false}):save(path)  -- prints "*** network saved to '...' ***"
-- os.remove(path)
function methods:save(filename)
  face.checkself(self, "save")
  if type(filename) ~= "string" then args.fail("save", 1, "file name expected, got " .. type(filename)) end
  local ok, err = pcall(write, self, filename, print)
  if not ok then error(err, 2) end -- model.save's final text ("save: FILE: why"), at the caller's line
end

--- load(filename): overwrites this network in place with the one saved there
-- (its sizes, parameters, epoch and generator state; backupDir stays), as
-- mynet.py's load does; prints mynet.py's line and returns the network.
-- @param filename the file to read
-- @return the network itself
-- @usage
-- local path = os.tmpname()
-- lnn.mynet.Network({2, 3, 2}, {seed = 1, backupDir = false}):save(path)
-- local net = lnn.mynet.Network({2, 3, 2}, {backupDir = false})
-- net:load(path)  -- now the saved network
-- os.remove(path)
function methods:load(filename)
  face.checkself(self, "load")
  if type(filename) ~= "string" then args.fail("load", 1, "file name expected, got " .. type(filename)) end
  local ok, net, md = pcall(model.load, filename)
  if not ok then error(net, 2) end -- model.load's final text ("load: FILE: why"), at the caller's line
  local bad = face.sigmoid_misfit(net) -- files of lnn.network qualify
  if bad then
    error(("load: %s: mynet's networks are sigmoid layers with the quadratic cost; this one has %s")
      :format(filename, bad), 2)
  end
  local rng, epoch = face.restore(md, filename)
  local fresh = wrap(net, rng, self.backupDir)
  fresh.epoch = epoch
  for k, v in pairs(fresh) do rawset(self, k, v) end
  print(("*** network loaded from '%s' ***"):format(filename))
  return self
end

local sgd_options = {quiet = true, log = true}

--- SGD(training_data, epochs, mini_batch_size, rate [, test_data [,
-- start_epoch [, opts]]]): mini-batch stochastic gradient descent as
-- mynet.py: epochs start_epoch (default 1) to epochs, both included, each
-- shuffled in C from the network's generator; prints "INITIAL: p% -- k / n"
-- before training and "Epoch i: p% -- k / n" after each epoch (with
-- test_data; else "Epoch i complete"), then a blank line and "training
-- complete (reached epochN)".  Backups in net.backupDir (unless false), in
-- lnn's model files: initial.lnn before training (when start_epoch is 1),
-- latest.lnn every 10 epochs, epochN.lnn every 25, and epochN.lnn and
-- latest.lnn at the end; each prints its "*** network saved ..." line.  A
-- second call trains as many epochs again.  opts: quiet, log = function(line)
-- (print by default), and lnn.face.train's (on_epoch, on_saturation, threads,
-- progress, should_stop, warn).  Returns the list of epoch infos ({epoch,
-- seconds, correct, total}).
-- @param training_data an lnn.Data or list of {x, y}
-- @param epochs the last epoch (inclusive)
-- @param mini_batch_size items per step
-- @param rate the learning rate
-- @param test_data optional data scored after each epoch
-- @param start_epoch optional first epoch (1-based, default 1)
-- @param opts optional {quiet, log, and the driver's options}
-- @return the list of epoch infos
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local net = lnn.mynet.Network({2, 3, 2}, {seed = 1, backupDir = false})
-- net:SGD(data:onehot(true), 3, 2, 3.0, data, nil, {quiet = true})
function methods:SGD(training_data, epochs, mini_batch_size, rate, test_data, start_epoch, opts)
  face.checkself(self, "SGD")
  local n_in, n_out = self.sizes[1], self.sizes[#self.sizes]
  training_data = face.data(training_data, n_out, "SGD", 1, n_in)
  face.sgd_numbers("SGD", epochs, mini_batch_size, rate)
  if test_data ~= nil then test_data = face.data(test_data, n_out, "SGD", 5, n_in) end
  if start_epoch == nil then start_epoch = 1 end
  if math.type(start_epoch) ~= "integer" or start_epoch < 1 or start_epoch > epochs + 1 then
    args.fail("SGD", 6, ("start_epoch must be an integer 1..%d (epochs + 1), got %s"):format(epochs + 1,
      tostring(start_epoch)))
  end
  local say
  opts, say = face.sgd_options(opts, sgd_options, "SGD", 7)
  local dir = self.backupDir
  check_backup_dir(dir, "field 'backupDir' of the network", 2)
  face.check_finite("SGD", training_data, "training data", test_data, "test data")
  local function backup(name)
    if not dir then return end
    local ok, err = pcall(write, self, ("%s/%s.lnn"):format(dir, name), say)
    if not ok then error(("SGD: cannot write a backup: %s"):format(err), 0) end
  end
  if dir then
    face.backups_folder(dir)
    if start_epoch == 1 then backup("initial") end
  end
  local function score()
    local k, n = self._net:evaluate(test_data), #test_data
    return ("%.2f%% -- %d / %d"):format(100 * k / n, k, n), k, n
  end
  if test_data and say then say("INITIAL: " .. score()) end
  local plan = {fname = "SGD", data = training_data, sgd = {eta = rate, batch = mini_batch_size},
                count = epochs - start_epoch + 1, first = start_epoch, base = self.epoch,
                opts = opts, say = say}
  function plan.report(info, i, print_line)
    info.epoch = start_epoch + i -- mynet's own number of the epoch, as printed
    if test_data then
      local line
      line, info.correct, info.total = score()
      print_line(("Epoch %d: %s"):format(info.epoch, line))
    else
      print_line(("Epoch %d complete"):format(info.epoch))
    end
  end
  if dir then
    function plan.checkpoint(info)
      if info.epoch == epochs then return end -- the saves after the loop cover the last epoch
      if info.epoch % 10 == 0 then backup("latest") end
      if info.epoch % 25 == 0 then backup("epoch" .. info.epoch) end
    end
  end
  local history = face.train(self, plan)
  backup("epoch" .. epochs)
  backup("latest")
  if say then
    say("")
    say(("training complete (reached epoch%d)"):format(epochs))
  end
  return history
end

mynet.Network_methods = methods

return mynet
