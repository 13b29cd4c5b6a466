--- lnn.network3: the face of network3.py (the book's chapter 6) over the one C
-- engine: conv-pool, fully connected and softmax layers, ReLU, dropout,
-- log-likelihood cost, L2, SGD with validation-based reporting.  Layers here
-- are descriptions; Network turns them into one lnn.core.Net and every epoch,
-- batch and kernel runs there.  Not here: Theano's symbolic graph, GPU flags.
-- @module lnn.network3
local core = require "lnn.core"
local model = require "lnn.model"
local args = require "lnn.args"
local face = require "lnn.face"

local network3 = {}

-- ----------------------------------------------------------------------------------------------
-- Activation functions: callable on a number or element-wise on a Matrix,
-- and known to the engine by name.

local Activation = {}
Activation.__index = Activation
Activation.__tostring = function(a) return "lnn.network3." .. a.book end
Activation.__call = function(a, z)
  if type(z) == "number" then return a.scalar(z) end
  if type(z) == "table" then z = core.call_as(a.book, 1, core.Matrix, z) end
  if not face.is(z, "lnn.Matrix") then
    args.fail(a.book, 1, ("number or lnn.Matrix expected, got %s"):format(type(z)))
  end
  if a.engine == "linear" then return z:copy() end
  return z:apply(a.engine)
end

local function activation(book, engine, scalar)
  return setmetatable({book = book, engine = engine, scalar = scalar}, Activation)
end

network3.linear = activation("linear", "linear", function(z) return z end)
network3.ReLU = activation("ReLU", "relu", function(z) return z > 0 and z or 0.0 end)
network3.sigmoid = activation("sigmoid", "sigmoid", function(z) return 1 / (1 + math.exp(-z)) end)
network3.tanh = activation("tanh", "tanh", math.tanh or function(z)
  local e = math.exp(2 * z)
  return (e - 1) / (e + 1)
end)
local by_engine_name = {}
for _, k in ipairs {"linear", "ReLU", "sigmoid", "tanh"} do by_engine_name[network3[k].engine] = network3[k] end

-- ----------------------------------------------------------------------------------------------
-- Argument checks: errors name the function, the argument, what was
-- expected and what came.

-- "bad <what> to 'fname' (<expected> expected, got <got>)" through args.bad, at the
-- level of the caller of the function that called fail (plus level - 1)
local function fail(fname, what, expected, got, level)
  args.bad(fname, what, ("%s expected, got %s"):format(expected, got), (level or 1) + 1)
end

local function show(v)
  if type(v) == "table" then
    local parts = {}
    for i = 1, #v do parts[i] = tostring(v[i]) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  return type(v) == "string" and ("'" .. v .. "'") or tostring(v)
end

local function check_options(opts, known, fname)
  if type(opts) ~= "table" then fail(fname, "argument #1", "options table", type(opts), 2) end
  for k in pairs(opts) do
    if not known[k] then
      error(("unknown option '%s' to '%s'%s"):format(tostring(k), fname, args.suggest(k, known)), 3)
    end
  end
end

local function pos_int(v) return math.type(v) == "integer" and v >= 1 end

local function int_list(opts, key, n, fname)
  local v = opts[key]
  local ok = type(v) == "table" and #v == n
  for i = 1, n do ok = ok and pos_int(v[i]) end
  if not ok then fail(fname, ("option '%s'"):format(key), ("a list of %d positive integers"):format(n), show(v), 2) end
  return {table.unpack(v, 1, n)}
end

local function check_act(opts, fname)
  local a = opts.activation_fn
  if a == nil then return network3.sigmoid end
  if getmetatable(a) == Activation then return a end
  -- the other faces' spellings: "ReLU", "relu", "tanh", ...
  local known = by_engine_name[face.activation(a)]
  if not known then
    fail(fname, "option 'activation_fn'", "linear, ReLU, sigmoid or tanh (of lnn.network3, or their names)", show(a), 2)
  end
  return known
end

local function check_dropout(opts, fname)
  local p = opts.p_dropout
  if p == nil then return 0.0 end
  if type(p) ~= "number" or not (p >= 0 and p < 1) then
    fail(fname, "option 'p_dropout'", "a number in [0, 1)", show(p), 2)
  end
  return p
end

-- ----------------------------------------------------------------------------------------------
-- Layers: descriptions with n_in/n_out, turned into engine layers by Network.

local Layer = {}
Layer.__index = Layer
Layer.__tostring = function(l)
  if l.type == "ConvPoolLayer" then
    return ("ConvPoolLayer{filter_shape = %s, image_shape = %s, poolsize = %s, activation_fn = %s}"):format(
      show(l.filter_shape), show(l.image_shape), show(l.poolsize), l.activation_fn.book)
  end
  return ("%s{n_in = %d, n_out = %d, %sp_dropout = %g}"):format(l.type, l.n_in, l.n_out,
    l.type == "FullyConnectedLayer" and ("activation_fn = " .. l.activation_fn.book .. ", ") or "", l.p_dropout)
end

--- ConvPoolLayer{filter_shape = {f, c, kh, kw}, image_shape = {mini_batch_size, c, h, w}
--- (or {c, h, w}), poolsize = {2, 2}, activation_fn = sigmoid}: a valid
--- convolution, max-pooling without padding, then bias and activation.
-- @param opts options table (the keys are listed above)
-- @return the layer (for Network's list)
-- @usage
-- local n3 = lnn.network3
-- local layer = n3.ConvPoolLayer {image_shape = {10, 1, 28, 28}, filter_shape = {20, 1, 5, 5},
--   poolsize = {2, 2}, activation_fn = n3.ReLU}
function network3.ConvPoolLayer(opts)
  local fname = "ConvPoolLayer"
  check_options(opts, {filter_shape = true, image_shape = true, poolsize = true, activation_fn = true}, fname)
  local filter_shape = int_list(opts, "filter_shape", 4, fname)
  local image_shape = opts.image_shape
  if type(image_shape) == "table" and #image_shape == 3 then
    image_shape = int_list(opts, "image_shape", 3, fname)
    table.insert(image_shape, 1, 1)
  else
    image_shape = int_list(opts, "image_shape", 4, fname)
  end
  local poolsize = opts.poolsize and int_list(opts, "poolsize", 2, fname) or {2, 2}
  local self = setmetatable({type = fname, filter_shape = filter_shape, image_shape = image_shape,
                             poolsize = poolsize, activation_fn = check_act(opts, fname)}, Layer)
  local c, h, w = image_shape[2], image_shape[3], image_shape[4]
  if filter_shape[2] ~= c then
    args.bad(fname, "option 'filter_shape'", ("filters of %d channels expected, as image_shape has, got %d")
      :format(c, filter_shape[2]))
  end
  if filter_shape[3] > h or filter_shape[4] > w then
    args.bad(fname, "option 'filter_shape'", ("filters of at most %dx%d expected for a %dx%d image, got %dx%d")
      :format(h, w, h, w, filter_shape[3], filter_shape[4]))
  end
  local oh, ow = h - filter_shape[3] + 1, w - filter_shape[4] + 1
  if poolsize[1] > oh or poolsize[2] > ow then
    args.bad(fname, "option 'poolsize'", ("at most %dx%d expected for a %dx%d convolution, got %dx%d")
      :format(oh, ow, oh, ow, poolsize[1], poolsize[2]))
  end
  self.out_shape = {filter_shape[1], oh // poolsize[1], ow // poolsize[2]}
  self.n_in = c * h * w
  self.n_out = self.out_shape[1] * self.out_shape[2] * self.out_shape[3]
  return self
end

local function dense_layer(fname, opts, act)
  check_options(opts, {n_in = true, n_out = true, activation_fn = not act, p_dropout = true}, fname)
  for _, k in ipairs {"n_in", "n_out"} do
    if not pos_int(opts[k]) then fail(fname, ("option '%s'"):format(k), "a positive integer", show(opts[k]), 2) end
  end
  return setmetatable({type = fname, n_in = opts.n_in, n_out = opts.n_out,
                       activation_fn = act or check_act(opts, fname), p_dropout = check_dropout(opts, fname)}, Layer)
end

--- FullyConnectedLayer{n_in, n_out, activation_fn = sigmoid, p_dropout = 0}
-- @param opts options table (the keys are listed above)
-- @return the layer (for Network's list)
-- @usage
-- local n3 = lnn.network3
-- local layer = n3.FullyConnectedLayer {n_in = 20 * 12 * 12, n_out = 100, activation_fn = n3.ReLU, p_dropout = 0.5}
function network3.FullyConnectedLayer(opts)
  return dense_layer("FullyConnectedLayer", opts)
end

--- SoftmaxLayer{n_in, n_out, p_dropout = 0}: weights and biases start at zero.
-- @param opts options table (the keys are listed above)
-- @return the layer (for Network's list)
-- @usage
-- local layer = lnn.network3.SoftmaxLayer {n_in = 100, n_out = 10}
function network3.SoftmaxLayer(opts)
  return dense_layer("SoftmaxLayer", opts, {book = "softmax", engine = "softmax"})
end

-- what a layer takes (side "in") or gives ("out"), for messages: "20x12x12 = 2880" or "100"
local function shape_of(l, side)
  local n = side == "in" and l.n_in or l.n_out
  if l.type ~= "ConvPoolLayer" then return tostring(n) end
  local s = side == "in" and {table.unpack(l.image_shape, 2, 4)} or l.out_shape
  return ("%dx%dx%d = %d"):format(s[1], s[2], s[3], n)
end

-- the engine layers of book layer l
local function engine_layers(l)
  if l.type == "ConvPoolLayer" then
    local s = l.image_shape
    return {{kind = "convpool", image = {s[2], s[3], s[4]}, filters = l.filter_shape, pool = l.poolsize,
             activation = l.activation_fn.engine}}
  end
  local t = {}
  if l.p_dropout > 0 then t[1] = {kind = "dropout", n_in = l.n_in, p = l.p_dropout} end
  t[#t + 1] = {kind = "dense", n_in = l.n_in, n_out = l.n_out, activation = l.activation_fn.engine}
  return t
end

-- book layers back from an engine layout (for load)
local function book_layers(layout, mini_batch_size)
  local layers, p = {}, 0
  for i, l in ipairs(layout.layers) do
    if l.kind == "convpool" then
      layers[#layers + 1] = network3.ConvPoolLayer {filter_shape = l.filters,
        image_shape = {mini_batch_size, l.image[1], l.image[2], l.image[3]}, poolsize = l.pool,
        activation_fn = by_engine_name[l.activation]}
    elseif l.kind == "dropout" then
      p = l.p
    elseif l.activation == "softmax" then
      layers[#layers + 1] = network3.SoftmaxLayer {n_in = l.n_in, n_out = l.n_out, p_dropout = p}
      p = 0
    else
      layers[#layers + 1] = network3.FullyConnectedLayer {n_in = l.n_in, n_out = l.n_out,
        activation_fn = by_engine_name[l.activation], p_dropout = p}
      p = 0
    end
    if l.kind ~= "dropout" and not layers[#layers] then error("layer " .. i .. " has no book form") end
  end
  return layers
end

-- ----------------------------------------------------------------------------------------------
-- Network

local methods = {}
local Network = face.class("lnn.network3.Network", methods, function(self)
  local parts = {}
  for i, l in ipairs(self.layers) do parts[i] = "  " .. tostring(l) end
  return ("lnn.network3.Network(mini_batch_size = %d,\n%s)"):format(self.mini_batch_size, table.concat(parts, ",\n"))
end)

local function check_layers(layers, fname)
  if type(layers) ~= "table" or #layers == 0 then
    fail(fname, "argument #1", "a non-empty list of layers", type(layers) == "table" and "an empty table" or type(layers), 2)
  end
  for i, l in ipairs(layers) do
    if getmetatable(l) ~= Layer then
      args.fail(fname, 1, ("layer %d: ConvPoolLayer, FullyConnectedLayer or SoftmaxLayer expected, got %s")
        :format(i, type(l)), 2)
    end
    if i > 1 then
      local prev = layers[i - 1]
      if l.n_in ~= prev.n_out then
        args.fail(fname, 1, ("layer %d, %s, takes %s inputs but layer %d, %s, gives %s")
          :format(i, l.type, shape_of(l, "in"), i - 1, prev.type, shape_of(prev, "out")), 2)
      end
    end
  end
  local last = layers[#layers]
  if last.type ~= "SoftmaxLayer" then
    args.fail(fname, 1, ("the last layer must be a SoftmaxLayer, for the log-likelihood cost; got %s")
      :format(last.type), 2)
  end
  for i = 1, #layers - 1 do
    if layers[i].type == "SoftmaxLayer" then
      args.fail(fname, 1, ("layer %d: a SoftmaxLayer can only be the last layer"):format(i), 2)
    end
  end
end

local function wrap(net, layers, mini_batch_size, rng)
  return face.wrap(net, rng, Network, {layers = layers, mini_batch_size = mini_batch_size})
end

--- Network(layers, mini_batch_size [, {seed = 0}]): checks each layer's input
--- against the previous layer's output and initialises as network3.py (conv
--- and FC weights N(0, 1/n_out), biases N(0, 1), softmax all zero), drawing
--- from the seeded generator that later shuffles (if asked) and drops out.
--- weights and biases list the parameters of the layers, as in the other faces.
-- @param layers the layers, in order
-- @param mini_batch_size items per mini-batch
-- @param opts options table (the keys are listed above)
-- @return the new Network
-- @usage
-- local n3 = lnn.network3
-- local net = n3.Network({n3.FullyConnectedLayer {n_in = 2, n_out = 3}, n3.SoftmaxLayer {n_in = 3, n_out = 2}}, 2,
--   {seed = 1})
function network3.Network(layers, mini_batch_size, opts)
  check_layers(layers, "Network")
  if not pos_int(mini_batch_size) then fail("Network", "argument #2", "a positive integer mini_batch_size", show(mini_batch_size)) end
  opts = args.options(opts, {seed = true}, "Network", 3)
  local rng = face.rng(opts, "Network")
  local spec = {}
  for _, l in ipairs(layers) do
    for _, e in ipairs(engine_layers(l)) do spec[#spec + 1] = e end
  end
  local ok, net = pcall(core.call_as, "Network", nil, core.Net, {layers = spec, cost = "log-likelihood"})
  if not ok then error(net, 2) end
  net:init(rng, "network3")
  return wrap(net, layers, mini_batch_size, rng)
end

local function n_in(self) return self.layers[1].n_in end
local function n_out(self) return self.layers[#self.layers].n_out end

local function check_data(self, data, fname, argn)
  return face.data(data, n_out(self), fname, argn, n_in(self))
end

--- accuracy(data): the fraction of data's items whose predicted class is theirs.
-- @param data an lnn.Data set
-- @return the fraction of data's items whose predicted class is theirs
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local n3 = lnn.network3
-- local net = n3.Network({n3.FullyConnectedLayer {n_in = 2, n_out = 3}, n3.SoftmaxLayer {n_in = 3, n_out = 2}}, 2)
-- local fraction = net:accuracy(data)  -- 0 to 1
function methods:accuracy(data)
  face.checkself(self, "accuracy")
  data = check_data(self, data, "accuracy", 1)
  return self._net:evaluate(data) / #data
end

--- feedforward(x): the output probabilities (10 x 1) for one input (a Matrix
--- or table of n_in values), dropout layers scaled as at inference.
-- @param x an input (lnn.Matrix or table)
-- @return the output probabilities (10 x 1) for one input (a Matrix or table of n_in values),
--  dropout layers scaled as at inference
-- @usage
-- local n3 = lnn.network3
-- local net = n3.Network({n3.FullyConnectedLayer {n_in = 2, n_out = 3}, n3.SoftmaxLayer {n_in = 3, n_out = 2}}, 2)
-- local p = net:feedforward({0.5, 0.25})  -- 2 x 1, summing to 1
function methods:feedforward(x)
  face.checkself(self, "feedforward")
  return self._net:forward(face.matrix(x, n_in(self), "feedforward", 1))
end

local sgd_known = {quiet = true, log = true, shuffle = true, state = true}

local function pct(x) return ("%.2f%%"):format(100 * x) end

--- SGD(training_data, epochs, mini_batch_size, eta, validation_data
--- [, test_data [, lmbda = 0 [, opts]]]): network3.py's training loop.
--- Mini-batches in the data's order (network3.py does not shuffle; opts.shuffle
--- draws a permutation per epoch), the trailing partial batch left out as
--- there, log-likelihood cost plus 0.5 lmbda sum(w^2) / num_training_batches.
--- After each epoch prints the validation accuracy and, when it is the best so
--- far, "This is the best validation accuracy to date." and the test accuracy
--- there; at the end the best validation accuracy, its iteration and the test
--- accuracy there, and returns those three (accuracies as fractions).
--- opts: quiet, log = function(line), shuffle, state (a table: {epoch = 0} to
--- start, or a checkpoint's; after every epoch it holds epoch (the epochs run
--- in all), best_validation_accuracy, best_iteration and test_accuracy, and a
--- call given it trains up to epochs in all, numbering on from its epoch: a
--- run resumed from it goes on as if never stopped); and the driver's (lnn.face.train):
--- on_epoch = function(info) (info.epoch 0-based, as network3.py counts),
--- on_saturation, threads, progress, should_stop.
-- @param training_data an lnn.Data set (or list of {x, y} pairs) to train on
-- @param epochs epochs to train
-- @param mini_batch_size items per mini-batch
-- @param eta the learning rate
-- @param validation_data an lnn.Data set to validate on
-- @param test_data an lnn.Data set to evaluate on
-- @param lmbda the L2 regularisation strength
-- @param opts options table (the keys are listed above)
-- @return the best validation accuracy, its iteration, and the test accuracy there
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local n3 = lnn.network3
-- local net = n3.Network({n3.FullyConnectedLayer {n_in = 2, n_out = 3}, n3.SoftmaxLayer {n_in = 3, n_out = 2}}, 2,
--   {seed = 1})
-- local best, iteration, test = net:SGD(data, 3, 2, 0.1, data, data, 0.0, {quiet = true})
function methods:SGD(training_data, epochs, mini_batch_size, eta, validation_data, test_data, lmbda, opts)
  local fname = "SGD"
  face.checkself(self, fname)
  training_data = check_data(self, training_data, fname, 1)
  face.sgd_numbers(fname, epochs, mini_batch_size, eta)
  if validation_data == nil then args.fail(fname, 5, "lnn.Data expected, got nil") end
  validation_data = check_data(self, validation_data, fname, 5)
  if test_data ~= nil then test_data = check_data(self, test_data, fname, 6) end
  lmbda = lmbda or 0.0
  args.lmbda(lmbda, fname, 7)
  local say
  opts, say = face.sgd_options(opts, sgd_known, fname, 8)
  local num_training_batches = #training_data // mini_batch_size
  if num_training_batches < 1 then
    fail(fname, "argument #1", ("at least mini_batch_size = %d items"):format(mini_batch_size), #training_data .. " items")
  end
  local train = training_data:slice(1, num_training_batches * mini_batch_size)
  face.check_finite(fname, train, "training data", validation_data, "validation data", test_data, "test data")
  local sgd = {eta = eta, batch = mini_batch_size, lmbda = lmbda, n = num_training_batches,
               shuffle = opts.shuffle and true or false}
  -- opts.state: where an earlier call stopped (a checkpoint's), kept up to date after every epoch
  local state = face.sgd_state(opts.state, fname, 8)
  local done = state and state.epoch or 0
  local plan = {fname = fname, data = train, sgd = sgd, count = state and math.max(0, epochs - done) or epochs,
                first = done, base = self.epoch or 0, opts = opts, say = say}
  local best_validation_accuracy, best_iteration, test_accuracy = 0.0, nil, nil
  if state and done > 0 then
    best_validation_accuracy, best_iteration, test_accuracy = state.best_validation_accuracy or 0.0,
      state.best_iteration, state.test_accuracy
  end
  function plan.report(info, i, print_line)
    local epoch = done + i
    local iteration = num_training_batches * (epoch + 1) - 1
    local validation_accuracy = self:accuracy(validation_data)
    print_line(("Epoch %d: validation accuracy %s"):format(epoch, pct(validation_accuracy)))
    info.epoch, info.validation_accuracy = epoch, validation_accuracy
    if validation_accuracy >= best_validation_accuracy then
      print_line("This is the best validation accuracy to date.")
      best_validation_accuracy, best_iteration = validation_accuracy, iteration
      if test_data then
        test_accuracy = self:accuracy(test_data)
        info.test_accuracy = test_accuracy
        print_line(("The corresponding test accuracy is %s"):format(pct(test_accuracy)))
      end
    end
    if state then
      state.epoch, state.best_validation_accuracy, state.best_iteration, state.test_accuracy =
        epoch + 1, best_validation_accuracy, best_iteration, test_accuracy
    end
  end
  face.train(self, plan)
  say = say or function() end
  say("Finished training network.")
  if best_iteration then
    say(("Best validation accuracy of %s obtained at iteration %d"):format(pct(best_validation_accuracy), best_iteration))
    if test_accuracy then say(("Corresponding test accuracy of %s"):format(pct(test_accuracy))) end
  end
  return best_validation_accuracy, best_iteration, test_accuracy
end

--- save(filename): architecture, parameters, mini_batch_size, epoch and
--- generator state, atomically, in lnn.model's safetensors format.
-- @param filename the file's name
-- @usage
-- local n3 = lnn.network3
-- local path = os.tmpname()
-- n3.Network({n3.FullyConnectedLayer {n_in = 2, n_out = 3}, n3.SoftmaxLayer {n_in = 3, n_out = 2}}, 2):save(path)
-- os.remove(path)
function methods:save(filename)
  face.checkself(self, "save")
  if type(filename) ~= "string" then fail("save", "argument #1", "file name", type(filename)) end
  model.save(filename, self._net, {face = "network3", mini_batch_size = self.mini_batch_size,
                                   epoch = self.epoch, rng = self.rng:state()})
end

--- load(filename): a Network saved by save (or any lnn model file whose
--- layers have a network3 form: a loaded network predicts exactly as saved),
--- with its epoch and generator state.
-- @param filename the file's name
-- @return a Network saved by save (or any lnn model file whose layers have a network3 form: a
--  loaded network predicts exactly as saved)
-- @usage
-- local n3 = lnn.network3
-- local path = os.tmpname()
-- n3.Network({n3.FullyConnectedLayer {n_in = 2, n_out = 3}, n3.SoftmaxLayer {n_in = 3, n_out = 2}}, 2):save(path)
-- local net = n3.load(path)
-- os.remove(path)
function network3.load(filename)
  if type(filename) ~= "string" then fail("load", "argument #1", "file name", type(filename)) end
  local net, md = model.load(filename, nil, "lnn.network3.load")
  local lay = model.layout_of(net)
  local last = lay.layers[#lay.layers]
  if lay.cost ~= "log-likelihood" or last.activation ~= "softmax" then
    error(("load: %s: not a network3 model (its cost is %s, its output %s; network3 needs log-likelihood and softmax)%s")
      :format(filename, lay.cost, last.activation, model.hint(filename, "lnn.network3.load")), 2)
  end
  local mbs = math.tointeger(tonumber(md.mini_batch_size or "10")) or 10
  local ok, layers = pcall(book_layers, lay, mbs)
  if not ok then error(("load: %s: %s"):format(filename, tostring(layers)), 2) end
  local rng, epoch = face.restore(md, filename)
  local self = wrap(net, layers, mbs, rng)
  self.epoch = epoch
  return self
end

-- ----------------------------------------------------------------------------------------------
-- Ensembles (the book's 6.8): a plurality vote of several networks.

local Ensemble = {}
Ensemble.__index = Ensemble

--- ensemble(nets): nets is a list of Networks or of file names saved by save.
-- @param nets a list of networks or file names
-- @return the Ensemble (predict, accuracy)
-- @usage
-- local n3 = lnn.network3
-- local function net(seed)
--   return n3.Network({n3.FullyConnectedLayer {n_in = 2, n_out = 3}, n3.SoftmaxLayer {n_in = 3, n_out = 2}}, 2,
--     {seed = seed})
-- end
-- local vote = n3.ensemble {net(1), net(2), net(3)}
function network3.ensemble(nets)
  if type(nets) ~= "table" or #nets == 0 then
    fail("ensemble", "argument #1", "a non-empty list of networks or file names", type(nets))
  end
  local members = {}
  for i, n in ipairs(nets) do
    if type(n) == "string" then
      members[i] = network3.load(n)
    elseif getmetatable(n) == Network then
      members[i] = n
    else
      args.fail("ensemble", 1, ("item %d: Network or file name expected, got %s"):format(i, type(n)))
    end
    if members[i].layers[1].n_in ~= members[1].layers[1].n_in
       or members[i].layers[#members[i].layers].n_out ~= members[1].layers[#members[1].layers].n_out then
      args.fail("ensemble", 1, ("item %d takes or gives other sizes than item 1"):format(i))
    end
  end
  return setmetatable({members = members}, Ensemble)
end

--- predict(data): each item's class by plurality vote (ties: the smallest
--- class), counted in C (lnn.core.tools.vote); of one input (a Matrix or
--- table of the inputs), its class, as a member's predict.
-- @param data an lnn.Data set, or one input
-- @return each item's class by plurality vote (ties: the smallest class), counted in C
--  (lnn.core.tools.vote); or the one input's class
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local n3 = lnn.network3
-- local function net(seed)
--   return n3.Network({n3.FullyConnectedLayer {n_in = 2, n_out = 3}, n3.SoftmaxLayer {n_in = 3, n_out = 2}}, 2,
--     {seed = seed})
-- end
-- local classes = n3.ensemble({net(1), net(2), net(3)}):predict(data)  -- a class per item
function Ensemble:predict(data)
  local first = self.members[1]
  local set, one = face.inputs(data, n_in(first), n_out(first), "predict", 1)
  data = set or check_data(first, data, "predict", 1)
  local votes = {}
  for i, net in ipairs(self.members) do votes[i] = net:predict(data) end
  local classes = core.tools.vote(votes, n_out(first))
  return one and classes[1] or classes
end

--- accuracy(data): the fraction of items the vote gets right.
-- @param data an lnn.Data set
-- @return the fraction of items the vote gets right
-- @usage
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0})
-- local n3 = lnn.network3
-- local function net(seed)
--   return n3.Network({n3.FullyConnectedLayer {n_in = 2, n_out = 3}, n3.SoftmaxLayer {n_in = 3, n_out = 2}}, 2,
--     {seed = seed})
-- end
-- local fraction = n3.ensemble({net(1), net(2), net(3)}):accuracy(data)
function Ensemble:accuracy(data)
  data = check_data(self.members[1], data, "accuracy", 1)
  local _, correct = core.tools.confusion(data, self:predict(data))
  return correct / #data
end

network3.Layer = Layer
network3.Network_methods = methods
network3.Ensemble_methods = Ensemble
return network3
