--- lnn.face: the one base the book's faces (network, network2, network3) stand
-- on: the object around a core.Net (weights and biases as views into the
-- engine), the checks and their one wording per error, the finite checks, the
-- divergence probe, summary and predict, and THE epoch driver -- the only place
-- in lnn's Lua that calls the engine's training step.  A face adds names,
-- defaults, printed lines and file formats through hooks; it does no epoch
-- bookkeeping of its own.  No arithmetic on samples happens here.
-- @internal lnn.face
local core = require "lnn.core"
local args = require "lnn.args"
local progress = require "lnn.progress"

local face = {}

local argerror = args.fail

-- ------------------------------------------------------------------------
-- The object: {_net = core.Net, rng, epoch, ...} with weights and biases.

-- A list of Matrix views (one per layer holding parameters) that reads like a
-- plain list, and whose assignment net.weights[l] = M copies M into the
-- engine instead of replacing the view.
local function view_list(views, field)
  return setmetatable({}, {
    __index = views,
    __len = function() return #views end,
    __newindex = function(_, l, v)
      if math.type(l) ~= "integer" or views[l] == nil then
        error(("bad field '%s[%s]' (layer 1 to %d expected)"):format(field, tostring(l), #views), 2)
      end
      face.copy_into(views[l], v, ("%s[%d]"):format(field, l), 2)
    end,
    __pairs = function() return ipairs(views) end,
  })
end

--- copy_into(view, src, what, level): copies a Matrix or nested table into the
-- engine's view; errors name the field: "weights[2]: ...".
-- @param dst the Matrix view (a layer's weights or biases)
-- @param src a Matrix or nested table of as many values
-- @param what the field's name for messages ("weights[2]")
-- @param level the error level, as error's
function face.copy_into(dst, src, what, level)
  if type(src) == "table" then
    local ok, m = pcall(core.Matrix, src)
    if not ok then error(("%s: %s"):format(what, m), level + 1) end
    src = m
  end
  if not face.is(src, "lnn.Matrix") then
    error(("%s: lnn.Matrix or table expected, got %s"):format(what, type(src)), level + 1)
  end
  local r, c = dst:shape()
  if src:numel() ~= r * c then
    error(("%s: %d values (%dx%d) expected, got %dx%d"):format(what, r * c, r, c, src:shape()), level + 1)
  end
  dst:copy_from(src)
end

--- wrap(net, rng, cls [, fields]): the face object of class cls around the
-- core.Net net: _net, rng, epoch = 0, the views, and fields.  Dropout layers
-- hold no parameters, so the lists count only the layers that do.
-- @param net the core.Net
-- @param rng its lnn.Rng
-- @param cls the class (face.class)
-- @param fields more fields of the object (optional)
-- @return the face object
function face.wrap(net, rng, cls, fields)
  local self = {_net = net, rng = rng, epoch = 0}
  local ws, bs = {}, {}
  for l, layer in ipairs(net:layout().layers) do
    if layer.kind ~= "dropout" then
      ws[#ws + 1], bs[#bs + 1] = net:weights(l), net:biases(l)
    end
  end
  self._weights, self._biases = view_list(ws, "weights"), view_list(bs, "biases")
  for k, v in pairs(fields or {}) do self[k] = v end
  return setmetatable(self, cls)
end

-- net.weights = {...} / net.biases = {...}: copied into the engine's block
local function newindex(self, k, v)
  if k == "weights" or k == "biases" then
    local list = rawget(self, "_" .. k)
    if type(v) ~= "table" or #v ~= #list then
      error(("%s: a list of %d matrices expected"):format(k, #list), 2)
    end
    for l = 1, #v do face.copy_into(list[l], v[l], ("%s[%d]"):format(k, l), 2) end
  else
    rawset(self, k, v)
  end
end

--- class(name, methods): the metatable of a face's networks: methods (which
-- fall back on the base's: summary, predict), the weights and biases lists,
-- their assignment into the engine, and tostring "lnn.<face>.Network{...}".
-- @param name the class name, as "lnn.network.Network"
-- @param methods the face's methods table
-- @param tostr the tostring function (optional)
-- @return the metatable
function face.class(name, methods, tostr)
  if getmetatable(methods) == nil then setmetatable(methods, {__index = face.methods}) end
  return {
    __name = name,
    __index = function(self, k)
      if k == "weights" or k == "biases" then return rawget(self, "_" .. k) end
      return methods[k]
    end,
    __newindex = newindex,
    __tostring = tostr or function(self)
      return ("%s{%s}"):format(name, table.concat(self.sizes, ", "))
    end,
  }
end

--- dense_sizes(net): the book's sizes list of a network of dense layers.
-- @param net the core.Net
-- @return the list of sizes, inputs first
function face.dense_sizes(net)
  local lay = net:layout()
  local sizes = {lay.layers[1].n_in}
  for l, layer in ipairs(lay.layers) do sizes[l + 1] = layer.n_out end
  return sizes
end

-- ------------------------------------------------------------------------
-- Checks, one wording each.

--- is(v, tname): whether v is lnn.core's type tname ("lnn.Matrix"), by its
-- metatable (core.type).
-- @param v the value to test
-- @param tname a type name of lnn.core
-- @return true or false
function face.is(v, tname)
  return core.type(v) == tname
end

--- checkself(self, fname): raises "calling 'f' on bad self" unless self is a
-- network of one of the faces (a method called with '.' instead of ':').
-- @param self what the method was called on
-- @param fname the method's name
function face.checkself(self, fname)
  if type(self) ~= "table" or type(rawget(self, "_net")) ~= "userdata" then
    error(("calling '%s' on bad self (a network expected, got %s)"):format(fname,
      type(self) == "table" and "a table that is not one" or type(self)), 3)
  end
end

--- rng(opts, fname): the generator the options give: opts.rng (an lnn.Rng),
-- or a new one seeded with opts.seed (an integer, default 0).
-- @param opts the options table
-- @param fname the public function's name
-- @return an lnn.Rng
function face.rng(opts, fname)
  if opts.seed ~= nil and math.type(opts.seed) ~= "integer" then
    args.bad(fname, "option 'seed'", ("integer expected, got %s"):format(tostring(opts.seed)), 2)
  end
  if opts.rng ~= nil and not face.is(opts.rng, "lnn.Rng") then
    args.bad(fname, "option 'rng'", ("lnn.Rng expected, got %s"):format(type(opts.rng)), 2)
  end
  return opts.rng or core.Rng(opts.seed or 0)
end

--- matrix(v, n, fname, argn): v (a Matrix or table) as a Matrix of n values.
-- @param v a Matrix or table
-- @param n the number of values expected
-- @param fname the public function's name
-- @param argn the argument's number
-- @return the Matrix
function face.matrix(v, n, fname, argn)
  if type(v) == "table" then v = core.call_as(fname, argn, core.Matrix, v) end
  if not face.is(v, "lnn.Matrix") then
    argerror(fname, argn, "lnn.Matrix or table expected, got " .. type(v), 2)
  end
  if v:numel() ~= n then argerror(fname, argn, ("%d values expected, got %d"):format(n, v:numel()), 2) end
  return v
end

--- data(d, k, fname, argn [, n_in]): a data set from the book's list of
-- {x, y} pairs, or the lnn.Data itself; with n_in, checked against the
-- network's n_in inputs and k outputs.
-- @param data an lnn.Data or list of {x, y} pairs
-- @param k the outputs (classes or target length)
-- @param fname the public function's name
-- @param argn the argument's number
-- @param n_in the inputs (optional: no check)
-- @return the lnn.Data
function face.data(data, k, fname, argn, n_in)
  local function check(set)
    local _, d, classes = set:shape()
    if n_in and d ~= n_in then argerror(fname, argn, ("items of %d inputs expected, got %d"):format(n_in, d), 3) end
    if n_in and classes ~= k then
      argerror(fname, argn, ("%d classes or targets expected, got %d"):format(k, classes), 3)
    end
    return set
  end
  if face.is(data, "lnn.Data") then return check(data) end
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
  return check(core.call_as(fname, argn, core.Data, xs, ys, math.type(ys[1]) == "integer" and k or nil))
end

--- check_finite(fname, data, what [, data2, what2 ...]): refuses a data set
-- holding NaN or an infinity (a nil set is skipped): training on it can only
-- poison every weight, and the message should name the item, not the epoch.
-- @param fname the public function's name
-- @param data an lnn.Data, or nil
-- @param what the set's name in messages ("training data")
-- @param ... more sets and their names
function face.check_finite(fname, data, what, ...)
  if data ~= nil then
    local item, part, elem = data:find_nonfinite()
    if item then
      error(("%s: %s item %d holds NaN or infinity (%s element %d)"):format(fname, what, item,
        part, elem), 0)
    end
  end
  if select("#", ...) > 0 then return face.check_finite(fname, ...) end
end

--- fmt(x): a number as the faces print it (integers plainly, else %.10g).
-- @param x the number to print
-- @return its text
function face.fmt(x)
  if math.type(x) == "integer" then return tostring(x) end
  return ("%.10g"):format(x)
end

-- activations: the engine's activation names, in the order messages list them.
face.activations = {"sigmoid", "tanh", "relu", "linear", "softmax"}

--- activation(a): the engine's name for an activation as any face spells it
-- ("ReLU", "relu", "Sigmoid", network3.ReLU, ...), or nil.
-- @param a a name or network3 activation object
-- @return the engine name, or nil
function face.activation(a)
  if type(a) == "table" and type(a.engine) == "string" then a = a.engine end -- network3's objects
  if type(a) ~= "string" then return nil end
  local name = a:lower()
  for _, n in ipairs(face.activations) do
    if n == name then return n end
  end
  return nil
end

-- ------------------------------------------------------------------------
-- The divergence probe.

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

local function output_spread(self, probe)
  return spread(self._net:forward(probe.X):totable(true), probe.m, probe.k)
end

--- probe(self, data): the first (up to) 1000 training items, to tell after
-- each epoch whether the network still answers differently to different
-- inputs.  A sigmoid network driven by too large an eta (100 on MNIST) does
-- not overflow: its units saturate in the first epoch and it gives one output
-- for every input, for good (output spread 1 -> 3e-7).  Measured against the
-- spread when training starts, so a deep network that begins nearly
-- unresponsive (the book's vanishing-gradient run: ~8e-4, and staying there)
-- is not mistaken for one.  nil when there is nothing to tell.
-- @param self the face object
-- @param data the training data
-- @return the probe, or nil
function face.probe(self, data)
  local n = #data
  if n < 2 then return nil end
  local m = math.min(n, 1000)
  local X, Y = data:matrices(1, m)
  local _, k = Y:shape()
  local probe = {X = X, m = m, k = k}
  probe.target_spread = spread(Y:totable(true), m, k)
  if not (probe.target_spread > 0) then return nil end -- every target alike
  probe.start = output_spread(self, probe)
  return probe
end

--- diverged(self, finite, probe): why the network has diverged after an
-- epoch, and "nonfinite" or "saturated"; nil when it has not.
-- @param self the face object
-- @param finite whether every parameter is finite (the step's result)
-- @param probe face.probe's result, or nil
-- @return why and the kind, or nil
function face.diverged(self, finite, probe)
  if not finite then return "a weight became NaN or infinite", "nonfinite" end
  if probe then
    local s = output_spread(self, probe)
    if s ~= s then return "an output became NaN", "nonfinite" end
    if s < 1e-2 * probe.start and s < 1e-2 * probe.target_spread then
      return "the network gives the same output for every input (its units saturated)", "saturated"
    end
  end
  return nil
end

-- ------------------------------------------------------------------------
-- The engine's training step: the one call of core's train_epoch in lnn's Lua.

--- step(self, data, sgd): one pass of mini-batch SGD over data in C with the
-- options sgd (eta, batch, lmbda, n, mu, shuffle, ...) handed over as they
-- are; true while every parameter is finite.
-- @param self the face object
-- @param data the lnn.Data
-- @param sgd the step's options
-- @return true while every parameter is finite
function face.step(self, data, sgd)
  return self._net:train_epoch(data, self.rng, sgd)
end

-- The driver's options every face's SGD takes (beside the face's own).
face.driver_options = {on_epoch = true, on_saturation = true, threads = true, reducer = true,
                       progress = true, should_stop = true, warn = true, accumulate = true,
                       overlap = true}

-- Options the driver hands to the engine's step unchanged when given: the
-- engine checks them.  threads also sets core.threads for the run, so the
-- evaluations between the steps use the same count.  accumulate = k: one
-- step per k mini-batches, of their mean gradient (the step of a mini-batch
-- of k times the size; train_epoch's option, engine/accumulate.h); overlap =
-- true: with accumulate, the sums over the reducer's processes start in
-- buckets during the backward pass (the same bits).
local FORWARD = {"threads", "reducer", "accumulate", "overlap"}

--- accumulate_problem(k, ranks): why ranks processes cannot share the
-- chunks of accumulate = k (min(k, 16) of them, engine/accumulate.h: each
-- process must hold a power of two of them, a whole subtree of the fixed
-- sum; one process takes any k), or nil when they can.
-- @param k mini-batches per step
-- @param ranks the number of processes
-- @return the complaint, or nil
function face.accumulate_problem(k, ranks)
  local c = math.min(k, core.limits.accumulate_chunks)
  local q = c // ranks
  if k > 1 and ranks > 1 and (c % ranks ~= 0 or q & (q - 1) ~= 0) then
    return ("%d processes cannot share its %d chunks (the processes times a power of two, at most %d), got %d")
      :format(ranks, c, core.limits.accumulate_chunks, k)
  end
end

local function check_driver_options(opts, fname)
  for k, want in pairs {on_epoch = "function", should_stop = "function", warn = "function"} do
    if opts[k] ~= nil and type(opts[k]) ~= want then
      args.bad(fname, ("option '%s'"):format(k), ("%s expected, got %s"):format(want, type(opts[k])), 3)
    end
  end
  local s = opts.on_saturation
  if s ~= nil and s ~= "stop" and s ~= "warn" then
    args.bad(fname, "option 'on_saturation'", ("'stop' or 'warn' expected, got %s"):format(
      type(s) == "string" and ("'" .. s .. "'") or type(s)), 3)
  end
  local t = opts.threads
  if t ~= nil and (math.type(t) ~= "integer" or t < 1 or t > core.limits.threads) then
    args.bad(fname, "option 'threads'", ("integer 1 to %d expected, got %s"):format(core.limits.threads, tostring(t)), 3)
  end
  local k = opts.accumulate
  if k ~= nil then
    if math.type(k) ~= "integer" or k < 1 or k > core.limits.accumulate then
      args.bad(fname, "option 'accumulate'", ("integer 1 to %d expected, got %s"):format(core.limits.accumulate, tostring(k)), 3)
    end
    local ranks = opts.reducer ~= nil and type(opts.reducer.size) == "function" and opts.reducer:size() or 1
    local problem = face.accumulate_problem(k, ranks)
    if problem then args.bad(fname, "option 'accumulate'", problem, 3) end
  end
  if opts.overlap ~= nil and type(opts.overlap) ~= "boolean" then
    args.bad(fname, "option 'overlap'", ("boolean expected, got %s"):format(type(opts.overlap)), 3)
  end
  if opts.overlap and (k or 1) < 2 then
    args.bad(fname, "option 'overlap'", ("accumulate of 2 or more expected (overlap works on its steps), got %d")
      :format(k or 1), 3)
  end
  local p = opts.progress
  if p ~= nil and type(p) ~= "boolean" and not (type(p) == "table" and io.type(p.out) == "file") then
    args.bad(fname, "option 'progress'", ("boolean or {out = file} expected, got %s"):format(type(p)), 3)
  end
end

--- sgd_numbers(fname, epochs, mini_batch_size, eta): the positional checks of
-- every face's SGD: arguments 2, 3 and 4 (an integer >= 0, an integer >= 1, a
-- finite positive rate), raised at the level of SGD's caller.
-- @param fname the public function's name
-- @param epochs epochs to train
-- @param mini_batch_size items per mini-batch
-- @param eta the learning rate
function face.sgd_numbers(fname, epochs, mini_batch_size, eta)
  args.count(epochs, fname, 2, "epochs", 0, 2)
  args.count(mini_batch_size, fname, 3, "mini_batch_size", 1, 2)
  args.rate(eta, fname, 4, 2)
end

--- sgd_options(opts, known, fname, argn): a face's SGD options table (or {}):
-- every key known to the face (known: a set, quiet and log among them) or to
-- the driver, the driver's well typed, log a function; and the printer the
-- face's lines go through: opts.log (default print), nil when opts.quiet.
-- Called straight from the face's SGD: errors are raised at its caller's level.
-- @param opts the options table, or nil
-- @param known the face's own option names (a set)
-- @param fname the public function's name
-- @param argn the argument's number
-- @return the options table and the printer (or nil)
function face.sgd_options(opts, known, fname, argn)
  if opts == nil then return {}, print end
  if type(opts) ~= "table" then argerror(fname, argn, "options table expected, got " .. type(opts), 2) end
  for k in pairs(opts) do
    if not known[k] and not face.driver_options[k] then
      local all = {}
      for n in pairs(known) do all[n] = true end
      for n in pairs(face.driver_options) do all[n] = true end
      error(("unknown option '%s' to '%s'%s"):format(tostring(k), fname, args.suggest(k, all)), 3)
    end
  end
  check_driver_options(opts, fname)
  if opts.log ~= nil and type(opts.log) ~= "function" then
    args.bad(fname, "option 'log'", "function expected, got " .. type(opts.log), 2)
  end
  return opts, not opts.quiet and (opts.log or print) or nil
end

--- sgd_state(state, fname, argn): the SGD option 'state' (network2,
--- network3) checked: nil, or a table whose epoch (the epochs run in all, 0
--- when absent) is an integer >= 0; returns it with epoch set.  The face keeps
--- it up to date after every epoch, before the caller's on_epoch, so a
--- checkpoint written there resumes the very run (lnn.resume).
-- @param state the option's value
-- @param fname the public function's name
-- @param argn the options argument's number
-- @return the table, or nil
function face.sgd_state(state, fname, argn)
  if state == nil then return nil end
  if type(state) ~= "table" then
    args.bad(fname, "option 'state'", "table expected, got " .. type(state), 2)
  end
  state.epoch = state.epoch or 0
  if math.type(state.epoch) ~= "integer" or state.epoch < 0 then
    args.bad(fname, "option 'state'", "epoch an integer >= 0 expected, got " .. tostring(state.epoch), 2)
  end
  return state
end

-- Sets lnn's thread count for the run; returns a to-be-closed value that
-- restores it.
local function threads_for(n)
  local set = core.threads
  if n == nil or set == nil then return nil end
  local before = set()
  set(n)
  return setmetatable({}, {__close = function() set(before) end})
end

-- Test hook, for the specs that signal or kill a training process (never for
-- users): with LNN_TEST_HOLD=DIR set, after each epoch's report, checkpoint
-- and callbacks, from the process's Nth epoch on (N: the number in the file
-- DIR/hold, 1 when it holds none) and while DIR/hold exists, the driver writes
-- "epoch E" (the network's epoch count) to DIR/held.PID and waits, polling,
-- until DIR/hold is removed.  A spec acts on that file, so the run it
-- interrupts is between two known epochs and still running whatever the
-- machine's speed.  The wait forks a `sleep` rather than calling os.execute,
-- whose system() would discard a SIGINT.
local epochs_ended = 0 -- by the driver in this process (all its runs), for the hold
local function hold(dir, epoch)
  epochs_ended = epochs_ended + 1
  local function from()
    local f = io.open(dir .. "/hold")
    if not f then return nil end
    local n = f:read("n") or 1
    f:close()
    return n
  end
  local n = from()
  if not n or epochs_ended < n then return end
  local stat = io.open("/proc/self/stat")
  local pid = stat and stat:read("n") or 0
  if stat then stat:close() end
  core.write_file(("%s/held.%d"):format(dir, pid), ("epoch %d\n"):format(epoch))
  while from() do io.popen("sleep 0.02"):close() end
end

--- train(self, plan): THE epoch driver.  For each of plan.count epochs: one
-- step over plan.data (shuffled in C when plan.sgd asks), the divergence
-- check (NaN or infinity always stops, before anything is saved; saturation
-- stops or, with on_saturation = "warn", is reported once and training goes
-- on), self.epoch advanced, then the face's hooks and the caller's:
--   plan.report(info, i, say) evaluation and the face's printed lines
--   plan.checkpoint(info, i)  saves (only after a good epoch)
--   opts.on_epoch(info)       the caller's callback
--   (LNN_TEST_HOLD: the specs' hold, see hold above)
--   plan.stop(info, i, say)   true to stop early (the face's early stopping)
--   opts.should_stop()        true to stop between epochs (after the checkpoint)
-- plan fields: fname, data, sgd (the step's options, given to the engine
-- as they are: a hook may change them between epochs, say eta), count,
-- first (the number printed for the first epoch), base (self.epoch before
-- the first), opts (the SGD options: on_epoch, on_saturation, threads,
-- reducer, progress (true: a bar with ETA on a terminal, moved every few
-- mini-batches; {out = file}: drawn there whatever it is), should_stop,
-- warn), say (the face's line printer, nil when quiet), probe (false: no
-- saturation probe).  The hooks print through their say argument (plan.say
-- around the progress bar, or nothing when quiet); the driver changes none of
-- the plan's tables (the engine gets a copy of plan.sgd each epoch, so a hook's
-- change to plan.sgd, say eta, holds from the next epoch on).
-- info = {epoch = first + i: the number the face prints for the epoch (the
-- one numbering of lnn's lines, metrics, messages and charts: the book's,
-- 0-based; mynet's own, 1-based), seconds = the step's time}; self.epoch
-- counts the epochs trained (model files keep that count).  Returns the list
-- of infos and why it stopped early ("stop" or "should_stop"), if it did.
-- @param self the face object
-- @param plan the plan (fields above)
-- @return the list of infos, and why it stopped early (nil when it did not)
function face.train(self, plan)
  local opts = plan.opts or {}
  local forward = {}
  for _, k in ipairs(FORWARD) do forward[k] = opts[k] end
  local _ <close> = threads_for(opts.threads)
  local warn = opts.warn or function(line) io.stderr:write(line, "\n") end
  -- the bar counts items over the run, moved on from C every few mini-batches
  local bar
  if opts.progress and plan.count > 0 then
    local n = #plan.data
    bar = progress.new {total = plan.count * n, label = ("items (%d epoch%s)"):format(plan.count, plan.count == 1 and "" or "s"),
      out = type(opts.progress) == "table" and opts.progress.out or nil,
      enabled = type(opts.progress) == "table" or nil}
    if not bar.enabled then
      bar = nil
    else
      local done = 0
      function bar.epoch_done(i) done = (i + 1) * n bar:update(done) end
      forward.progress = function(items) bar:update(done + items) end
    end
  end
  local say = plan.say
  if bar and say then
    local inner = say
    say = function(line) bar:clear() inner(line) bar:draw() end
  end
  say = say or function() end
  local probe = plan.count > 0 and plan.probe ~= false and face.probe(self, plan.data) or nil
  local history, warned, why_stopped = {}, false, nil
  local hold_dir = os.getenv("LNN_TEST_HOLD")
  for i = 0, plan.count - 1 do
    local j = plan.first + i
    local t0 = core.clock()
    local sgd = {}
    for k, v in pairs(plan.sgd) do sgd[k] = v end
    for k, v in pairs(forward) do sgd[k] = v end
    local finite = face.step(self, plan.data, sgd)
    local info = {epoch = j, seconds = core.clock() - t0}
    -- checked before anything is saved: a diverged network never replaces a checkpoint
    local why, kind = face.diverged(self, finite, probe)
    if why and (kind == "nonfinite" or opts.on_saturation ~= "warn") then
      if bar then bar:finish() end
      error(("%s: training diverged in epoch %d: %s; try a smaller eta than %s%s"):format(plan.fname, j,
        why, face.fmt(sgd.eta), plan.checkpoint and ("; checkpoints still hold the network after %d epochs")
        :format(plan.base + i) or ""), 0)
    elseif why then
      info.saturated = why
      if not warned then
        warn(("%s: warning: in epoch %d %s; going on (on_saturation = 'warn')"):format(plan.fname, j, why))
        warned = true
      end
    end
    self.epoch = plan.base + i + 1
    -- the epoch's lines (the face's, the caller's on_epoch) print on a clean line
    if bar then bar:clear() end
    if plan.report then plan.report(info, i, say) end
    if plan.checkpoint then plan.checkpoint(info, i) end
    history[#history + 1] = info
    if opts.on_epoch then opts.on_epoch(info) end
    if bar then bar.epoch_done(i) end
    if hold_dir then hold(hold_dir, self.epoch) end
    if plan.stop and plan.stop(info, i, say) then why_stopped = "stop" break end
    if opts.should_stop and i < plan.count - 1 and opts.should_stop() then why_stopped = "should_stop" break end
  end
  if bar then bar:finish() end
  return history, why_stopped
end

-- ------------------------------------------------------------------------
-- What the dense sigmoid faces (network, mynet) share beside the driver.

--- target(y, n, fname, argn): a class y (0..n-1) as its one-hot n x 1
-- Matrix; any other y as it is (for face.matrix to check), for backprop.
-- @param y a class number, or a vector
-- @param n the number of outputs
-- @param fname the public function's name
-- @param argn the argument's number
-- @return the one-hot Matrix, or y
function face.target(y, n, fname, argn)
  if math.type(y) ~= "integer" then return y end
  if y < 0 or y >= n then argerror(fname, argn, ("class 0..%d expected, got %d"):format(n - 1, y), 2) end
  local one = core.Matrix(n, 1)
  one[y + 1][1] = 1
  return one
end

--- gradient(self, x, y): the engine's gradient of the cost at the one input
-- x against y, as per-layer matrices shaped like biases and weights (the
-- book's backprop).
-- @param self a network of a dense face
-- @param x a Matrix of n_in values
-- @param y a Matrix of n_out values
-- @return nabla_b, nabla_w (lists of matrices)
function face.gradient(self, x, y)
  local n_in, n_out = self.sizes[1], self.sizes[#self.sizes]
  local g = self._net:gradient(x:reshape(1, n_in), y:reshape(1, n_out))
  local nabla_b, nabla_w = {}, {}
  for l, layer in ipairs(self._net:layout().layers) do
    nabla_b[l] = g:view(layer.biases + 1, layer.n_out, 1):copy()
    nabla_w[l] = g:view(layer.weights + 1, layer.n_out, layer.n_in):copy()
  end
  return nabla_b, nabla_w
end

--- backups_folder(dir): makes SGD's backups folder dir (and its parents), or
-- raises "SGD: cannot create the backups folder DIR (why)" (network's backups
-- option and mynet's backupDir).
-- @param dir the folder
function face.backups_folder(dir)
  local ok, err = pcall(core.tools.mkdir, dir)
  if not ok then error(("SGD: cannot create the backups folder %s (%s)"):format(dir, tostring(err)), 0) end
end

--- sigmoid_net(sizes, rng): the engine network of network.py and mynet.py: dense
-- sigmoid layers, the quadratic cost, weights and biases drawn from N(0, 1).
-- @param sizes the checked layer sizes
-- @param rng the lnn.Rng to draw from
-- @return a core.Net
function face.sigmoid_net(sizes, rng)
  local net = core.Net {sizes = sizes, hidden = "sigmoid", output = "sigmoid", cost = "quadratic"}
  net:init(rng, "large")
  return net
end

--- sigmoid_misfit(net): nil when a loaded engine network is one network.py or
-- mynet.py can be (dense sigmoid layers, the quadratic cost), else what is not.
-- @param net a core.Net
-- @return nil, or "a layer of kind K with A units" or "the C cost"
function face.sigmoid_misfit(net)
  local lay = net:layout()
  for _, layer in ipairs(lay.layers) do
    if layer.kind ~= "dense" or layer.activation ~= "sigmoid" then
      return ("a layer of kind %s with %s units"):format(layer.kind, tostring(layer.activation))
    end
  end
  if lay.cost ~= "quadratic" then return ("the %s cost"):format(lay.cost) end
  return nil
end

--- dense: network.py's feedforward, backprop, evaluate and cost_derivative,
-- the methods of every face of dense layers with a sizes list (network and
-- network2 take them as they are).
face.dense = {}

--- dense.feedforward(self, a): the output (n_out x 1) for input a.
-- @param self the network
-- @param a an input (lnn.Matrix or table of n_in values)
-- @return the output
function face.dense.feedforward(self, a)
  face.checkself(self, "feedforward")
  return self._net:forward(face.matrix(a, self.sizes[1], "feedforward", 1))
end

--- dense.backprop(self, x, y): nabla_b, nabla_w, the gradient of the cost at x.
-- @param self the network
-- @param x an input (lnn.Matrix or table)
-- @param y a target (lnn.Matrix, table or class number)
-- @return nabla_b, nabla_w
function face.dense.backprop(self, x, y)
  face.checkself(self, "backprop")
  local n_out = self.sizes[#self.sizes]
  x = face.matrix(x, self.sizes[1], "backprop", 1)
  y = face.matrix(face.target(y, n_out, "backprop", 2), n_out, "backprop", 2)
  return face.gradient(self, x, y)
end

--- dense.evaluate(self, test_data): how many items the network classifies correctly.
-- @param self the network
-- @param test_data an lnn.Data set or list of {x, y}
-- @return the count
function face.dense.evaluate(self, test_data)
  face.checkself(self, "evaluate")
  return self._net:evaluate(face.data(test_data, self.sizes[#self.sizes], "evaluate", 1, self.sizes[1]))
end

--- dense.cost_derivative(self, output_activations, y): the vector a - y.
-- @param self the network
-- @param output_activations the network's output (lnn.Matrix or table)
-- @param y a target (lnn.Matrix or table)
-- @return the vector a - y
function face.dense.cost_derivative(self, output_activations, y)
  face.checkself(self, "cost_derivative")
  local n = self.sizes[#self.sizes]
  local a = face.matrix(output_activations, n, "cost_derivative", 1)
  y = face.matrix(y, n, "cost_derivative", 2)
  local d = a:copy()
  for i = 1, n do d[i][1] = d[i][1] - y:reshape(n, 1)[i][1] end
  return d
end

-- sigmoid (or its derivative) of a number, or element-wise of a Matrix or table
local function sigmoid_of(name, z)
  if type(z) == "number" then
    local s = 1 / (1 + math.exp(-z))
    return name == "sigmoid" and s or s * (1 - s)
  end
  if type(z) == "table" then z = core.call_as(name, 1, core.Matrix, z) end
  if not face.is(z, "lnn.Matrix") then argerror(name, 1, "number or lnn.Matrix expected, got " .. type(z), 2) end
  return z:apply(name)
end

--- elementwise(name [, method]): the public sigmoid or sigmoid_prime.
-- @param name "sigmoid" or "sigmoid_prime"
-- @param method true: a method (self, z), as mynet.py has them
-- @return a function of z (network.py's), or the method
function face.elementwise(name, method)
  if method then
    return function(self, z)
      face.checkself(self, name)
      local r = sigmoid_of(name, z)
      return r
    end
  end
  return function(z)
    local r = sigmoid_of(name, z)
    return r
  end
end

--- restore(md, filename): the generator and epoch count in a model file's
-- metadata (a fresh generator and 0 where it holds none).
-- @param md the metadata table lnn.model.load returned
-- @param filename the file's name, for messages
-- @return an lnn.Rng, the epoch count
function face.restore(md, filename)
  local rng = core.Rng(0)
  if md.rng and not pcall(rng.set_state, rng, md.rng) then
    error(("load: %s: bad generator state in metadata"):format(filename), 3)
  end
  return rng, math.tointeger(tonumber(md.epoch or "0")) or 0
end

-- ------------------------------------------------------------------------
-- Methods every face has.

face.methods = {}

--- engine(): the lnn.core.Net this network stands on (its parameter block is
-- the one weights and biases view), for what works on engines as such
-- (lnn.mpi's broadcast and checks, lnn.model).
-- @return the lnn.core.Net
function face.methods:engine()
  face.checkself(self, "engine")
  return self._net
end

--- layer_inputs(layer): how many inputs an engine layer (a layout entry) takes.
-- @param layer a layer of layout().layers
-- @treturn integer the inputs (a conv layer's channels x height x width)
function face.layer_inputs(layer)
  if layer.kind == "convpool" then return layer.image[1] * layer.image[2] * layer.image[3] end
  return layer.n_in
end

--- inputs(x, n_in, k, fname, argn): for predict on inputs without targets: a
--- data set of x's inputs and whether x was one input, or nil when x is a
--- data set (an lnn.Data or a list of {x, y} pairs).  One input is a Matrix or
--- a table of n_in numbers (flat or as one-number rows, as feedforward takes);
--- a Matrix of rows of n_in values is one input per row.
-- @param x what predict was given
-- @tparam integer n_in the network's inputs
-- @tparam integer k the network's outputs
-- @tparam string fname the public function's name
-- @tparam integer argn the argument's number
-- @return the lnn.Data, or nil
-- @treturn boolean true when x was one input
function face.inputs(x, n_in, k, fname, argn)
  local rows, one
  if type(x) == "table" and (type(x[1]) == "number"
      or (#x == n_in and type(x[1]) == "table" and #x[1] == 1 and type(x[1][1]) == "number")) then
    x = core.call_as(fname, argn, core.Matrix, x)
  elseif not face.is(x, "lnn.Matrix") then
    return nil
  end
  local r, c = x:shape()
  if x:numel() == n_in then
    rows, one = {x}, true
  elseif c == n_in then
    rows = {}
    for i = 1, r do rows[i] = x[i] end
  else
    argerror(fname, argn, ("%d input values (or rows of %d) expected, got %dx%d"):format(n_in, n_in, r, c), 2)
  end
  local ys = {}
  for i = 1, #rows do ys[i] = 0 end
  return core.call_as(fname, argn, core.Data, rows, ys, k), one
end

--- predict(x): the predicted class (0-based) of one input x (a Matrix or
--- table of the network's inputs), as Keras's and PyTorch's model(x); of every
--- item of a data set x (an lnn.Data or list of {x, y} pairs), a list; of every
--- row of a Matrix of rows of inputs, a list.
-- @param x one input, a data set, or a Matrix of rows of inputs
-- @return the class, or the list of classes
function face.methods:predict(x)
  face.checkself(self, "predict")
  local lay = self._net:layout().layers
  local n_in, k = face.layer_inputs(lay[1]), lay[#lay].n_out
  local set, one = face.inputs(x, n_in, k, "predict", 1)
  if set then
    local classes = self._net:predict(set)
    return one and classes[1] or classes
  end
  return self._net:predict(face.data(x, k, "predict", 1, n_in))
end

local function shape_text(layer)
  if layer.kind == "convpool" then
    local f, im, p = layer.filters, layer.image, layer.pool
    local oh, ow = (im[2] - f[3] + 1) // p[1], (im[3] - f[4] + 1) // p[2]
    return ("%dx%dx%d -> %dx%dx%d"):format(im[1], im[2], im[3], f[1], oh, ow)
  end
  return ("%d -> %d"):format(layer.n_in, layer.n_out)
end

local function layer_name(layer)
  if layer.kind == "convpool" then
    local f, p = layer.filters, layer.pool
    return ("conv %dx%d, %d filters, pool %dx%d"):format(f[3], f[4], f[1], p[1], p[2])
  elseif layer.kind == "dropout" then
    return ("dropout p=%g"):format(layer.p)
  end
  return "dense"
end

--- summary([print_fn = print]): a table of the layers (kind, shapes,
-- activation, parameter counts) and the total, as Keras's model.summary(),
-- handed line by line to print_fn; returns the text and the total number of
-- parameters.
-- @param print_fn a function taking a line (optional; print by default)
-- @return the text, and the number of parameters
function face.methods:summary(print_fn)
  face.checkself(self, "summary")
  if print_fn ~= nil and type(print_fn) ~= "function" then
    argerror("summary", 1, "function expected, got " .. type(print_fn), 1)
  end
  local lay = self._net:layout()
  local rows = {{"#", "layer", "shape", "activation", "weights", "biases", "parameters"}}
  for l, layer in ipairs(lay.layers) do
    rows[#rows + 1] = {tostring(l), layer_name(layer), shape_text(layer),
      layer.kind == "dropout" and "-" or layer.activation, tostring(layer.nweights),
      tostring(layer.nbiases), tostring(layer.nweights + layer.nbiases)}
  end
  local width = {}
  for _, r in ipairs(rows) do
    for c, cell in ipairs(r) do width[c] = math.max(width[c] or 0, #cell) end
  end
  local lines = {}
  local function line(r)
    local cells = {}
    for c, cell in ipairs(r) do
      cells[c] = c <= 4 and cell .. (" "):rep(width[c] - #cell) or (" "):rep(width[c] - #cell) .. cell
    end
    lines[#lines + 1] = table.concat(cells, "  ")
  end
  line(rows[1])
  local rule = 0
  for c = 1, #width do rule = rule + width[c] + (c > 1 and 2 or 0) end
  lines[#lines + 1] = ("-"):rep(rule)
  for i = 2, #rows do line(rows[i]) end
  lines[#lines + 1] = ("-"):rep(rule)
  lines[#lines + 1] = ("%s: %d layers, %d parameters, cost %s"):format(getmetatable(self).__name, #lay.layers,
    lay.nparams, lay.cost)
  for _, l in ipairs(lines) do (print_fn or print)(l) end
  return table.concat(lines, "\n"), lay.nparams
end

return face
