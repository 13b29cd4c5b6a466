--- lnn.distributed: what the MPI flag of every script does, written once.
-- The flag is `--mpi`. Synchronous data-parallel SGD over the ranks of `mpirun -np N`: parameters
-- and generator start as rank 0's (broadcast) and are checked identical after
-- every epoch; each mini-batch is split over the ranks and the gradients are
-- summed in C (train_epoch's reducer); only rank 0 prints and writes files.
-- Also the embarrassingly parallel case: a list of jobs dealt over the ranks
-- (ensemble members, sweep points) and their results gathered on every rank.
-- Without `--mpi` the same calls run serially in one process (rank 0 of 1).
-- It does not start processes (mpirun does) nor recover a lost rank: MPI
-- ends the whole job when one dies, and a resumed run reads rank 0's files.
-- @internal lnn.distributed

local json = require "lnn.json"

local distributed = {}

--- The command-line flag, for a script's cli.parse flag list.
distributed.flag = {name = "mpi", kind = "flag",
  help = "data-parallel over the ranks of mpirun -np N (rank 0 prints and writes)"}

--- The accumulate flag (beside the mpi flag in every command that trains one
--- network): one step, and one gradient sum over the ranks, per K
--- mini-batches; the step is that of a mini-batch of K times the size (the
--- mean gradient over K m items, eta / (K m)), not K steps.
distributed.accumulate_flag = {name = "accumulate", kind = "int", default = 1, arg = "K",
  help = "one step (and one sum over the ranks) per K mini-batches: the step of a K times larger "
    .. "mini-batch, not K steps (min(K, 16) chunks; under --mpi the ranks share them: the ranks times a power of two; one thread a process)",
  check = function(v)
    if v < 1 or v > require("lnn.core").limits.accumulate then
      return ("must be 1 to %d"):format(require("lnn.core").limits.accumulate)
    end
  end}

--- The overlap flag (with the accumulate flag): each step's gradient sum over
--- the ranks is started in buckets of layers as the backward pass finishes
--- them (nonblocking MPI), hidden behind the layers below; the same bits.
distributed.overlap_flag = {name = "overlap", kind = "flag",
  help = "with --accumulate: start the sums over the ranks in buckets of layers during the backward pass (same results)"}

local Run = {}
Run.__index = Run

-- --accumulate K: the ranks must share its chunks (lnn.face.accumulate_problem)
local function check_accumulate(self)
  local problem = self.accumulate and require("lnn.face").accumulate_problem(self.accumulate, self.size)
  if problem then
    local msg = "option '--accumulate': " .. problem
    self.disagreed = true -- every rank refuses the same at once: they end together (see __close)
    if self.root then io.stderr:write(("%s: %s\n"):format(self.who, msg)) io.stderr:flush() end
    self.comm:barrier()
    require("lnn.cli").refuse(self.who, msg, true)
  end
end

--- start(use_mpi, who, threads [, accumulate]): the run's context.  use_mpi false or nil:
--- one process (rank 0 of 1, no communicator).  who names the script in
--- errors.  threads (a command's threads flag): lnn's thread count for the run
--- (core.threads); without it, ranks on one machine share its processors.
--- accumulate (a command's accumulate flag): mini-batches per step, given to every
--- SGD of the run (sgd); under MPI the ranks must share its chunks (every
--- rank refuses it together, naming the flag, otherwise).  overlap (the
--- overlap flag, with accumulate): the sums start during backward.
-- @param use_mpi whether to run over MPI ranks
-- @param who the program's name in messages
-- @param threads optional thread count (core.threads)
-- @param accumulate optional mini-batches per step (1: every mini-batch steps)
-- @param overlap optional: whether the sums start in buckets during backward
-- @return the run's context
function distributed.start(use_mpi, who, threads, accumulate, overlap)
  who = who or "lnn"
  if threads then require("lnn.core").threads(threads) end
  if overlap and (accumulate or 1) < 2 then
    require("lnn.cli").fail(who, "option '--overlap': works with --accumulate K (K of 2 or more)")
  end
  local self = setmetatable({rank = 0, size = 1, root = true, who = who,
    accumulate = accumulate ~= 1 and accumulate or nil, overlap = overlap or nil}, Run)
  if not use_mpi then return self end
  local ok, mpi = pcall(require, "lnn.mpi")
  if not ok then
    error(("%s: option '--mpi': lnn was built without MPI (no lnn.mpi module); install "
      .. "openmpi-bin and libopenmpi-dev, then rebuild (scripts/setup.sh)"):format(who), 0)
  end
  self.comm = mpi.init()
  self.rank, self.size = self.comm:rank(), self.comm:size()
  self.root = self.rank == 0
  -- the ranks on one machine share its cores, unless --threads said otherwise
  local here = math.tointeger(tonumber(os.getenv("OMPI_COMM_WORLD_LOCAL_SIZE") or "")) or self.size
  if here > 1 and not threads then
    local core = require "lnn.core"
    core.threads(math.max(1, core.threads() // here))
  end
  check_accumulate(self)
  return self
end

--- only_root_writes(opts, keys): on ranks other than 0, print does nothing
--- and the script's options named in keys (files it writes) are cleared, and
--- opts.quiet is set: one rank reports, one rank writes.
-- @param opts options table (the keys are listed above)
-- @param keys option names of files the command writes
-- @return on ranks other than 0, print does nothing and the script's options named in keys (files
--  it writes) are cleared, and opts.quiet is set: one rank reports, one rank writes
function Run:only_root_writes(opts, keys)
  if self.root then return opts end
  print = function() end -- luacheck: ignore (one report for the job)
  opts.quiet = true
  for _, k in ipairs(keys or {}) do opts[k] = nil end
  return opts
end

--- available(): whether lnn.mpi was built.
-- @return whether lnn.mpi was built
function distributed.available()
  return (pcall(require, "lnn.mpi"))
end

-- how a value shows in a disagreement message
local function show(v)
  if v == nil then return "none" end
  local s = type(v) == "string" and v or json.encode(v)
  if #s > 120 then s = s:sub(1, 117) .. "..." end
  return s
end

--- agree(facts): the ranks compare their configurations before they train
--- together (a gather of each rank's facts: safe whatever they hold).  facts:
--- a table of what must be the same on every rank (data set sizes and
--- checksums, batch, epochs, ...); the lnn version is added.  When a fact
--- differs, every rank raises the same refusal at once ("the ranks disagree:
--- batch: rank 0 10, rank 1 20"; status 2) and the job ends together, before
--- any collective that would fail inside MPI (MPI_ERR_TRUNCATE) or train on a
--- mixture.  Serially it does nothing.
-- @param facts a table of names and values (strings, numbers, lists)
function Run:agree(facts)
  if not self.comm then return end
  local mine = {}
  for k, v in pairs(facts) do mine[k] = v end
  mine.version = require("lnn.core").version
  local all = self.comm:gather(json.encode(mine))
  local names, seen = {}, {}
  local decoded = {}
  for r, s in ipairs(all) do
    decoded[r] = json.decode(s)
    for k in pairs(decoded[r]) do if not seen[k] then seen[k] = true names[#names + 1] = k end end
  end
  table.sort(names)
  local diffs = {}
  for _, k in ipairs(names) do
    local v0 = show(decoded[1][k])
    for r = 2, #decoded do
      local v = show(decoded[r][k])
      if v ~= v0 then
        diffs[#diffs + 1] = ("%s: rank 0 %s, rank %d %s"):format(k, v0, r - 1, v)
        break
      end
    end
  end
  if #diffs > 0 then
    self.disagreed = true -- every rank knows: they end together (see __close)
    local msg = ("--mpi: the ranks disagree, so they cannot train together: %s"):format(table.concat(diffs, "; "))
    -- every rank says it before any ends: once one rank exits with status 2,
    -- mpirun ends the others, which might not have written it yet
    io.stdout:flush()
    io.stderr:write(("%s: %s\n"):format(self.who, msg))
    io.stderr:flush()
    self.comm:barrier()
    require("lnn.cli").refuse(self.who, msg, true)
  end
end

-- what the ranks must agree on about a network: its face and layers (the
-- shapes of what is broadcast and summed) and its parameter count
local function net_facts(net)
  local lay = net:engine():layout()
  local f = {face = tostring(getmetatable(net) and getmetatable(net).__name), layers = #lay.layers,
             cost = lay.cost, parameters = lay.nparams}
  for l, layer in ipairs(lay.layers) do f[("layer %d"):format(l)] = layer end
  return f
end

--- share(net [, facts]): rank 0's parameters, generator state and epoch on every rank,
--- after the ranks agree (agree) on the network's architecture and on facts.
--- net is a face's network (net:engine(), net.rng, net.epoch).
-- @param net a network
-- @param facts what else must be the same on every rank (see agree), or a function returning it
--  (called under MPI only: checksums of data sets cost a pass over them)
-- @return rank 0's parameters, generator state and epoch on every rank
function Run:share(net, facts)
  if not self.comm then return net end
  local all = net_facts(net)
  if type(facts) == "function" then facts = facts() end
  for k, v in pairs(facts or {}) do all[k] = v end
  self:agree(all)
  self.comm:broadcast(net:engine())
  self.comm:broadcast(net.rng)
  if net.epoch ~= nil then net.epoch = self.comm:broadcast(net.epoch) end
  return net
end

--- check(net, when): raises the same error on every rank unless parameters
--- and generator state are bit-identical across the ranks.
-- @param net a network
-- @param when when, for the message
function Run:check(net, when)
  if not self.comm then return end
  self.comm:same(net:engine(), when)
  self.comm:same(net.rng, when)
end

--- sgd(net, opts): a face's SGD options for this run: the reducer, every
--- rank quiet and without checkpoints but rank 0, and after every epoch the
--- identity check before rank 0's on_epoch (which then may save); and, with
--- or without MPI, the run's accumulate and overlap.
-- @param net a network
-- @param opts options table (the keys are listed above)
-- @return a face's SGD options for this run: the reducer, every rank quiet and without checkpoints
--  but rank 0, and after every epoch the identity check before rank 0's on_epoch (which then may
--  save)
function Run:sgd(net, opts)
  opts = opts or {}
  if not self.comm and not self.accumulate then return opts end
  local out = {}
  for k, v in pairs(opts) do out[k] = v end
  out.accumulate, out.overlap = self.accumulate, self.overlap
  if not self.comm then return out end
  out.reducer = self.comm
  if not self.root then
    out.quiet, out.backups, out.backup_every = true, nil, nil
  end
  local on_epoch = opts.on_epoch
  out.on_epoch = function(info, ...)
    self:check(net, ("after epoch %s"):format(tostring(info and info.epoch or "?")))
    if self.root and on_epoch then return on_epoch(info, ...) end
  end
  return out
end

--- print(...): print on rank 0 only.
function Run:print(...)
  if self.root then print(...) end
end

--- mine(n): the job numbers 1..n this rank runs (job i on rank (i-1) % size).
-- @param n how many jobs there are
-- @return the job numbers 1..n this rank runs (job i on rank (i-1) % size)
function Run:mine(n)
  local list = {}
  for i = self.rank + 1, n, self.size do list[#list + 1] = i end
  return list
end

--- gather(results): results is {[job] = value} of this rank's jobs (values
--- JSON-encodable); returns every rank's, merged, on every rank.
-- @param results {[job] = value} of this rank's jobs
-- @return results is {[job] = value} of this rank's jobs (values JSON-encodable); returns every
--  rank's, merged, on every rank
function Run:gather(results)
  if not self.comm then return results end
  local keyed = {}
  for k, v in pairs(results) do keyed[tostring(k)] = v end
  local all = {}
  for _, s in ipairs(self.comm:gather(json.encode(keyed))) do
    for k, v in pairs(json.decode(s)) do all[math.tointeger(tonumber(k)) or k] = v end
  end
  return all
end

--- Closing the run (`local run <close> = distributed.start(...)`) ends MPI:
--- at the script's normal end every rank finalizes together; closed by an
--- error, the rank writes it and ends the whole job at once (the other ranks
--- may be waiting for it in an all-reduce).
function Run:__close(err)
  -- a disagreement raised the same refusal on every rank at once: they end together
  if self.disagreed then err = nil end
  if self.comm then getmetatable(self.comm).__close(self.comm, err) end
end

-- ------------------------------------------------------------------------
-- Signals: SIGINT or SIGTERM during a training command stops it at the next
-- epoch boundary, after that epoch's checkpoint and metrics are written
-- (csrc/sys/signals.c: a first signal only sets a flag, a second stops at once,
-- removing the temporary file of a save in progress).  Every training command
-- goes through this one path.

local Stop = {}
Stop.__index = Stop
local SIGNAL_NAMES = {[2] = "SIGINT", [15] = "SIGTERM"}

--- catch_signals(): until the value returned is closed (`local stop <close> =
--- run:catch_signals()`), SIGINT and SIGTERM only set a flag.  stop.should_stop
--- is the epoch driver's should_stop option (lnn.face.train): true once a
--- signal came.  Under MPI every rank asks together (a sum over the ranks at
--- the epoch's end), so all ranks stop after the same epoch even when the
--- signal reached only some of them; every rank must then call it at the same
--- points (data-parallel training does).  stop.should_stop_here asks this rank
--- alone, for jobs a rank runs by itself (sweep points, ensemble members).
--- stop.signal is {name =, number =} once a stop was decided.
-- @return the stop object (close it to put the previous handling back)
function Run:catch_signals()
  local core = require "lnn.core"
  local stop = setmetatable({run = self, before = core.catch_signals(true)}, Stop)
  stop.should_stop = function() return stop:stopping(true) end
  stop.should_stop_here = function() return stop:stopping(false) end
  return stop
end

--- stopping(together): whether to stop now (see catch_signals); together:
--- every rank decides at once (under MPI a collective call, made on every
--- rank whatever this rank knows already, so none waits for another).
-- @param together whether every rank asks together
-- @return true when a signal came (to this rank, or with together to any)
function Stop:stopping(together)
  local collective = together and self.run.comm
  if self.signal and not collective then return true end
  local _, number = require("lnn.core").interrupted()
  if self.signal then number = self.signal.number end
  if collective then
    -- any SIGTERM wins over SIGINT: the job is being ended from outside
    local code = self.run.comm:sum(number == 15 and 65536 or number and 1 or 0)
    number = code >= 65536 and 15 or code > 0 and 2 or nil
  end
  if number then self.signal = {name = SIGNAL_NAMES[number] or ("signal " .. number), number = number} end
  return self.signal ~= nil
end

--- report(prog, epoch, what): after a stop, rank 0 writes "prog: SIGINT:
--- interrupted after epoch N; what" (what: the command that resumes, or what
--- was saved) to stderr; every rank returns the exit status, 128 + the
--- signal's number (130 for SIGINT, 143 for SIGTERM).
-- @param prog the program's name in messages
-- @param epoch the last epoch done (a number, or a phrase such as "3 of point 2")
-- @param what the command that resumes, or what was saved
-- @return the exit status
function Stop:report(prog, epoch, what)
  if self.run.root then
    io.stdout:flush()
    io.stderr:write(("%s: %s: interrupted after epoch %s; %s\n"):format(prog, self.signal.name, tostring(epoch), what))
  end
  return 128 + self.signal.number
end

--- Closing the stop object puts back the signal handlers it replaced.
function Stop:__close()
  require("lnn.core").catch_signals(self.before) -- what was there before (lnn.cli's "now", or none)
end

--- resume_command(prog, argv, flags): the command line that runs prog with
--- argv again, each flag of flags (a list of {name, value}, the name with its
--- dashes) removed from argv, whether given with its value as the next word or
--- after '=', and appended with its value (a flag without a value, {name}, is
--- removed and appended alone); words quoted for sh where needed.
--- Under MPI it starts with "mpirun -np N".
-- @param prog the program's name ("lnn train", "scripts/train.lua")
-- @param argv the command's arguments
-- @param flags the flags to set, in order
-- @return the command line
function Run:resume_command(prog, argv, flags)
  local drop = {}
  for _, f in ipairs(flags) do drop[f[1]] = f[2] == nil and "bare" or "value" end
  local words = {(self.comm and ("mpirun -np %d "):format(self.size) or "")
    .. (prog:match("%.lua$") and ("lua5.4 " .. prog) or prog)}
  local i = 1
  while i <= #argv do
    local a = argv[i]
    local name = a:match("^(%-%-[^=]+)=")
    if drop[a] == "value" then i = i + 1 elseif not (drop[a] or name and drop[name]) then words[#words + 1] = a end
    i = i + 1
  end
  for _, f in ipairs(flags) do
    words[#words + 1] = f[1]
    if f[2] ~= nil then words[#words + 1] = tostring(f[2]) end
  end
  local quote = require("lnn.runinfo").shell_quote
  for k = 2, #words do words[k] = quote(words[k]) end
  return table.concat(words, " ")
end

--- barrier(): every rank waits for the others (no-op serially).
function Run:barrier()
  if self.comm then self.comm:barrier() end
end

return distributed
