--- lnn.distributed: what every script's `--mpi` flag does, written once.
-- Synchronous data-parallel SGD over the ranks of `mpirun -np N`: parameters
-- and generator start as rank 0's (broadcast) and are checked identical after
-- every epoch; each mini-batch is split over the ranks and the gradients are
-- summed in C (train_epoch's reducer); only rank 0 prints and writes files.
-- Also the embarrassingly parallel case: a list of jobs dealt over the ranks
-- (ensemble members, sweep points) and their results gathered on every rank.
-- Without `--mpi` the same calls run serially in one process (rank 0 of 1).
-- It does not start processes (mpirun does) nor recover a lost rank: MPI
-- ends the whole job when one dies, and a resumed run reads rank 0's files.
-- @module lnn.distributed

local json = require "lnn.json"

local distributed = {}

--- The command-line flag, for a script's cli.parse flag list.
distributed.flag = {name = "mpi", kind = "flag",
  help = "data-parallel over the ranks of mpirun -np N (rank 0 prints and writes)"}

local Run = {}
Run.__index = Run

--- start(use_mpi, who, threads): the run's context.  use_mpi false or nil:
--- one process (rank 0 of 1, no communicator).  who names the script in
--- errors.  threads (a command's threads flag): lnn's thread count for the run
--- (core.threads); without it, ranks on one machine share its processors.
-- @param use_mpi whether to run over MPI ranks
-- @param who the program's name in messages
-- @param threads optional thread count (core.threads)
-- @return the run's context
function distributed.start(use_mpi, who, threads)
  who = who or "lnn"
  if threads then require("lnn.core").threads(threads) end
  local self = setmetatable({rank = 0, size = 1, root = true, who = who}, Run)
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

--- share(net): rank 0's parameters, generator state and epoch on every rank.
--- net is a face's network (net:engine(), net.rng, net.epoch).
-- @param net a network
-- @return rank 0's parameters, generator state and epoch on every rank
function Run:share(net)
  if not self.comm then return net end
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
--- identity check before rank 0's on_epoch (which then may save).
-- @param net a network
-- @param opts options table (the keys are listed above)
-- @return a face's SGD options for this run: the reducer, every rank quiet and without checkpoints
--  but rank 0, and after every epoch the identity check before rank 0's on_epoch (which then may
--  save)
function Run:sgd(net, opts)
  opts = opts or {}
  if not self.comm then return opts end
  local out = {}
  for k, v in pairs(opts) do out[k] = v end
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
-- @param n a count
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
  if self.comm then getmetatable(self.comm).__close(self.comm, err) end
end

--- barrier(): every rank waits for the others (no-op serially).
function Run:barrier()
  if self.comm then self.comm:barrier() end
end

return distributed
