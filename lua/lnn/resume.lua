--- lnn.resume: the checkpoint an `lnn experiment` run keeps beside its
-- results, <out>/<id>.checkpoint, so that --resume continues it bit for bit:
-- one lnn model file (lnn.model, written atomically: never half-written)
-- holding the network in training, its generator state and epoch count, and in
-- its metadata the run's identity and its state (the epochs' records,
-- best-so-far figures, finished parts) as JSON whose numbers come back exact.
-- The policy (refuse, resume, restart) and its messages live here once; what
-- a state holds is each kind's (lnn.experiments, lnn.chapter6).  It does not
-- decide what a run is: the id and the identity are its caller's.
-- @internal lnn.resume
local json = require "lnn.json"
local model = require "lnn.model"

local resume = {}

-- JSON text keeps a float as float32 (lnn.json): a state's floats travel as
-- "f:" and C's %a (exact), its strings as "s:..", so a best-so-far figure
-- compares after a resume as it did before
local function pack(v)
  local t = type(v)
  if t == "number" and math.type(v) == "float" then
    if v ~= v then return "f:nan" end
    if v == math.huge or v == -math.huge then return v > 0 and "f:inf" or "f:-inf" end
    return ("f:%a"):format(v)
  elseif t == "string" then
    return "s:" .. v
  elseif t == "table" then
    local o = {}
    for k, x in pairs(v) do o[k] = pack(x) end
    return o
  end
  return v
end

local SPECIAL = {["f:nan"] = 0 / 0, ["f:inf"] = math.huge, ["f:-inf"] = -math.huge}
local function unpack_(v)
  if type(v) == "string" then
    if SPECIAL[v] then return SPECIAL[v] end
    if v:sub(1, 2) == "f:" then return tonumber(v:sub(3)) + 0.0 end
    return v:sub(3)
  elseif type(v) == "table" then
    local o = {}
    for k, x in pairs(v) do o[k] = unpack_(x) end
    return o
  end
  return v
end
resume.pack, resume.unpack = pack, unpack_

--- path(out, id): the checkpoint of run id in folder out.
-- @tparam string out the results folder
-- @tparam string id the run's id (lnn.registry.run_id)
-- @treturn string the path
function resume.path(out, id)
  return ("%s/%s.checkpoint"):format(out, id)
end

local function show(v)
  if v == nil then return "none" end
  return type(v) == "string" and v or json.encode(v)
end

local Checkpoint = {}
Checkpoint.__index = Checkpoint

--- open(opts, path [, root = true]): the run's checkpoint, as the flags say,
--- decided before any work: opts.restart discards an existing one (this
--- run's own: its name is this run's id); opts.resume reads it, or says in one
--- line that there is none and the run starts from the beginning; without
--- either flag an existing checkpoint is refused, naming it, the place it
--- holds and both flags.  ck:check(identity) then compares what it was
--- written for.  ck.loaded is {net = lnn.Net, rng = state, epoch =, state =
--- the caller's state} when resuming.  root false (an MPI rank other than 0):
--- reads rank 0's file, prints, removes and writes nothing.  A refusal goes
--- through opts.refuse(msg, flags_fault) (a command's: cli.fail when
--- flags_fault, else cli.refuse), or is raised as it is.
-- @tparam table opts the command's options (resume, restart, refuse)
-- @tparam string path the checkpoint (resume.path)
-- @param root whether this process writes (rank 0)
-- @return the checkpoint object
function resume.open(opts, path, root)
  root = root ~= false
  local refuse = opts.refuse or function(msg) error(msg, 0) end
  local ck = setmetatable({path = path, root = root, refuse = refuse}, Checkpoint)
  if opts.resume and opts.restart then refuse("--resume and --restart contradict each other", true) end
  local f = io.open(path, "rb")
  if f then f:close() end
  if not f then
    if opts.resume and root then print(("no checkpoint %s: starting from the beginning"):format(path)) end
    return ck
  end
  if opts.restart then
    if root then os.remove(path) end
    return ck
  end
  local ok, net, md = pcall(model.load, path)
  local okj, saved = false, nil
  if ok then okj, saved = pcall(json.decode, md.checkpoint or "", path) end
  if not (ok and okj and type(saved) == "table" and type(saved.identity) == "table") then
    refuse(("%s is not a checkpoint lnn can read (%s); --restart discards it and starts over")
      :format(path, ok and (okj and "no run state in it" or tostring(saved)) or tostring(net)))
  end
  saved = unpack_(saved)
  if not opts.resume then
    refuse(("%s holds this run after %s: --resume continues it, --restart starts over")
      :format(path, saved.where or "?"))
  end
  ck.loaded = {net = net, rng = md.rng, epoch = math.tointeger(tonumber(md.epoch or "0")) or 0, state = saved.state,
               identity = saved.identity, where = saved.where}
  return ck
end

--- check(identity): identity (a flat table of what makes the run this one:
--- experiment, seed, options, data checksums, lnn's version) is what the
--- checkpoints are written for; a loaded checkpoint written for another is
--- refused as the resume flag's fault, naming each difference.
-- @tparam table identity what the checkpoint must match
function Checkpoint:check(identity)
  self.identity = identity
  local l = self.loaded
  if not l then return end
  local keys, seen, diffs = {}, {}, {}
  for _, t in ipairs {identity, l.identity} do
    for k in pairs(t) do if not seen[k] then seen[k] = true keys[#keys + 1] = k end end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local mine, theirs = show(identity[k]), show(l.identity[k])
    if mine ~= theirs then diffs[#diffs + 1] = ("%s %s there, %s here"):format(k, theirs, mine) end
  end
  if #diffs > 0 then
    self.refuse(("--resume: the checkpoint %s is of another run (%s); --restart discards it and starts over")
      :format(self.path, table.concat(diffs, "; ")), true)
  end
  if self.root then print(("resuming %s after %s"):format(self.path, l.where or "?")) end
end

--- restore(net): the checkpoint's parameters, generator state and epoch
--- count into net (a face's network of the same architecture).
-- @param net the network
function Checkpoint:restore(net)
  local l = assert(self.loaded, "restore: no checkpoint loaded")
  local dst, src = net:engine():params(), l.net:params()
  if dst:numel() ~= src:numel() then
    error(("%s: the checkpoint's network has %d parameters, this run's %d"):format(self.path, src:numel(),
      dst:numel()), 0)
  end
  dst:copy_from(src)
  net.rng:set_state(l.rng)
  net.epoch = l.epoch
end

--- save(net, state, where): writes the checkpoint (rank 0 only), atomically:
--- net (a face's network: parameters, generator state, epoch count), the
--- identity and state (any table of numbers, strings, booleans and tables),
--- and where, the place it holds in words ("epoch 2 of 3").
-- @param net the network in training
-- @tparam table state the run's state
-- @tparam string where the place, for messages
function Checkpoint:save(net, state, where)
  if not self.root then return end
  model.save(self.path, net:engine(), {epoch = net.epoch, rng = net.rng:state(),
    checkpoint = json.encode(pack({identity = self.identity, where = where, state = state}))})
end

--- remove(): removes the checkpoint (rank 0 only), once the run ended whole
--- and its results are written.
function Checkpoint:remove()
  if self.root then os.remove(self.path) end
end

--- flags: the resume and restart flags, for a command's cli.parse flag list.
resume.flags = {
  {name = "resume", kind = "flag",
   help = "continue this run from its checkpoint (<out>/<id>.checkpoint), if it has one"},
  {name = "restart", kind = "flag", help = "discard this run's checkpoint and start over"},
}

return resume
