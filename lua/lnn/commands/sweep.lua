--- lnn sweep (scripts/sweep.lua): a grid of hyper-parameters (eta x lmbda x sizes) for network2's
-- cross-entropy network, each point trained on MNIST and scored on the
-- validation data, as the book's chapter 3 tunes them.  Prints one table and
-- writes one JSON file.  With --mpi under `mpirun -np N` the points are dealt
-- over the ranks (point i on rank (i-1) % N, each trained whole by one rank)
-- and rank 0 prints and writes; without it they run one after another, and
-- a checkpoint OUT.checkpoint (the points done, the one in training with its
-- network and generator after every epoch) lets --resume go on bit for bit
-- from the last whole epoch, kill -9 included.
-- It does not pick the best point for you, nor train one point over ranks.
-- @internal lnn.commands.sweep
local core = require "lnn.core"
local cli = require "lnn.cli"
local json = require "lnn.json"
local network2 = require "lnn.network2"
local mnist_loader = require "lnn.mnist_loader"
local distributed = require "lnn.distributed"
local toolkit = require "lnn.commands.toolkit"

local M = {summary = "a grid of eta x lmbda x sizes for network2, one table and one JSON (--mpi: over ranks)"}

-- "a,b,c" -> list of numbers (check each), or nil and why
local function numbers(s, positive)
  local t = {}
  for part in (s .. ","):gmatch("([^,]*),") do
    local v = tonumber(part)
    local f = v and v == v and v >= 0 and v < math.huge and string.unpack("<f", string.pack("<f", v)) -- the engine's float32
    if not f or f == math.huge or (positive and f == 0) then
      return nil, ("a list of %s numbers like %s"):format(positive and "positive" or "non-negative",
        positive and "0.5,1,3" or "0,1,5")
    end
    t[#t + 1] = v
  end
  return t
end

M.flags = {
  {name = "eta", kind = "string", default = "0.5", help = "learning rates", arg = "A,B,..."},
  {name = "lmbda", kind = "string", default = "0", help = "L2 strengths", arg = "A,B,..."},
  {name = "sizes", kind = "string", default = "784,30,10", help = "networks, separated by ':'", arg = "S1:S2"},
  {name = "epochs", kind = "int", default = 5, help = "epochs per point", check = cli.positive},
  {name = "batch", kind = "int", default = 10, help = "mini-batch size", check = cli.batch},
  {name = "seed", kind = "int", default = 1, help = "random seed of every point"},
  {name = "train-size", kind = "int", help = "use only the first N training images", check = cli.positive, arg = "N"},
  {name = "data", kind = "string", help = "folder with the four MNIST files", arg = "DIR"},
  {name = "out", kind = "string", default = "results/sweep.json", help = "the results' JSON file", arg = "FILE", check = cli.writable_file},
  {name = "resume", kind = "flag", help = "continue from OUT.checkpoint when there is one, else start (not with --mpi)"},
  cli.progress_flag,
  cli.no_progress_flag,
  distributed.flag,
  cli.threads_flag,
}
M.about = "Trains network2 (cross-entropy) at every point of an eta x lmbda x sizes grid; one table, one JSON."

-- The grid's axes from the flags: the etas, the lmbdas and the networks' sizes.
local function axes(prog, opts)
  local etas, why = numbers(opts.eta, true)
  if not etas then cli.fail(prog, ("option '--eta': %s expected, got '%s'"):format(why, opts.eta)) end
  local lmbdas
  lmbdas, why = numbers(opts.lmbda, false)
  if not lmbdas then cli.fail(prog, ("option '--lmbda': %s expected, got '%s'"):format(why, opts.lmbda)) end
  local nets = {}
  for spec in (opts.sizes .. ":"):gmatch("([^:]*):") do
    local sizes = {}
    for part in (spec .. ","):gmatch("([^,]*),") do sizes[#sizes + 1] = math.tointeger(tonumber(part)) or -1 end
    local ok = #sizes >= 2 and sizes[1] == 784 and sizes[#sizes] == 10
    for _, v in ipairs(sizes) do ok = ok and v >= 1 end
    if not ok then
      cli.fail(prog, ("option '--sizes': networks like 784,30,10:784,100,10 (784 inputs, 10 outputs) expected, got '%s'")
        :format(opts.sizes))
    end
    nets[#nets + 1] = sizes
  end
  return etas, lmbdas, nets
end

-- One point of the grid trained: its row of the results (final and best
-- validation accuracy, or SGD's error) and whether it ran every epoch.
-- resume {engine, rng, epoch, accuracy, seconds}: the point's checkpoint, its
-- epochs trained already; checkpoint(net, accuracy, seconds) after each epoch.
local function train_point(p, opts, training_data, validation_data, run, stop, resume, checkpoint)
  local net = network2.Network(p.sizes, network2.CrossEntropyCost, {seed = opts.seed})
  local had, before = {}, 0
  if resume then
    net:engine():params():copy_from(resume.engine:params())
    net.rng:set_state(resume.rng)
    net.epoch, before = resume.epoch, resume.seconds
    for k, a in ipairs(resume.accuracy) do had[k] = a end
  end
  local t = core.clock()
  local okt, err = true, nil
  if #had < opts.epochs then
    okt, err = pcall(net.SGD, net, training_data, opts.epochs - #had, opts.batch, p.eta, {
      lmbda = p.lmbda, evaluation_data = validation_data, monitor_evaluation_accuracy = true, quiet = true,
      progress = opts.progress, should_stop = stop.should_stop_here,
      on_epoch = function(info)
        had[#had + 1] = info.evaluation_accuracy
        if checkpoint then checkpoint(net, had, before + core.clock() - t) end
      end})
  end
  local accuracy = okt and had or err
  local r = {sizes = p.sizes, eta = p.eta, lmbda = p.lmbda, rank = run.rank, seconds = before + core.clock() - t}
  if okt then
    local best = 0
    for _, a in ipairs(accuracy) do best = math.max(best, a) end
    r.final, r.best, r.total = accuracy[#accuracy], best, #validation_data
    r.epochs = #accuracy
  else
    r.error = tostring(accuracy) -- SGD's own text: called straight from pcall, without a position
  end
  return r, okt and #accuracy < opts.epochs
end

-- The printed table of every point (all: the gathered rows), and where a
-- signal stopped the sweep (nil: it did not).
local function results_table(grid, all)
  local lines = {("%-16s %8s %8s %10s %10s %8s %5s"):format("sizes", "eta", "lmbda", "final", "best", "seconds", "rank")}
  local where
  for i = 1, #grid do
    local r = all[i]
    if r then
      local acc = function(v) return v and ("%.2f%%"):format(100 * v / r.total) or "-" end
      local note = r.error or (r.interrupted and ("interrupted " .. r.interrupted))
      lines[#lines + 1] = ("%-16s %8g %8g %10s %10s %8.1f %5d%s"):format(table.concat(r.sizes, ","), r.eta,
        r.lmbda, acc(r.final), acc(r.best), r.seconds, r.rank, note and ("  " .. note) or "")
      if r.stopped and not where then where = ("%s of point %d"):format(r.epochs and r.epochs - 1 or "none", i) end
    else
      local p = grid[i]
      lines[#lines + 1] = ("%-16s %8g %8g %10s %10s %8s %5s  not run (interrupted)"):format(table.concat(p.sizes, ","),
        p.eta, p.lmbda, "-", "-", "-", "-")
    end
  end
  return table.concat(lines, "\n"), where
end

-- a value as one canonical string (numbers to the last bit), to compare a
-- checkpoint's grid and options with this run's
local function canon(v)
  if type(v) == "table" then
    local t = {}
    for i, x in ipairs(v) do t[i] = canon(x) end
    return "{" .. table.concat(t, ",") .. "}"
  end
  return type(v) == "number" and ("%.17g"):format(v) or tostring(v)
end

-- the checkpoint at path (its state and the network of the point in
-- training), nil when there is none; without --resume, or of another sweep, it is refused
local function read_checkpoint(prog, path, resume, same)
  local engine, state, md = toolkit.checkpoint_load(prog, path, resume, "network2", "sweep")
  if not engine then return nil end
  if type(state.current) ~= "table" or type(state.done) ~= "table" then
    cli.refuse(prog, ("--resume: %s is not a checkpoint of lnn sweep"):format(path))
  end
  if state.same ~= same then
    cli.refuse(prog, ("--resume: the checkpoint %s is of another sweep (other --eta, --lmbda, --sizes, --epochs, "
      .. "--batch, --seed, --train-size or data)"):format(path))
  end
  state.engine, state.rng, state.epoch = engine, md.rng, math.tointeger(tonumber(md.epoch)) or 0
  return state
end

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about)
  cli.no_arguments(opts, prog)
  opts.progress = cli.progress(opts, prog) -- the bar, or false
  local etas, lmbdas, nets = axes(prog, opts)
  if opts.resume and opts.mpi then cli.fail(prog, "--resume: expected without --mpi (a sweep over ranks does not resume)") end

  local run <close> = distributed.start(opts.mpi, prog, opts.threads)
  run:only_root_writes(opts, {})

  local training_data, validation_data = mnist_loader.load_data_wrapper(opts.data) -- an error: cli.run says it
  if opts.train_size then training_data = training_data:slice(1, math.min(opts.train_size, #training_data)) end

  -- ranks dealt other grids or other data would report a mixture: they stop here, together
  if run.comm then
    run:agree {training_images = #training_data, training_checksum = training_data:checksum(),
               validation_images = #validation_data, validation_checksum = validation_data:checksum(),
               eta = etas, lmbda = lmbdas, sizes = nets, epochs = opts.epochs, batch = opts.batch, seed = opts.seed}
  end
  local grid = {}
  for _, sizes in ipairs(nets) do
    for _, eta in ipairs(etas) do
      for _, lmbda in ipairs(lmbdas) do grid[#grid + 1] = {sizes = sizes, eta = eta, lmbda = lmbda} end
    end
  end
  print(("sweep: %d points (%d sizes x %d eta x %d lmbda), %d epochs each on %d images, %d rank%s")
    :format(#grid, #nets, #etas, #lmbdas, opts.epochs, #training_data, run.size, run.size == 1 and "" or "s"))

  -- the checkpoint (serial runs only): what decides the bits, the points done, the one in training
  local ckpt = not run.comm and opts.out .. ".checkpoint" or nil
  local same = canon {etas, lmbdas, nets, opts.epochs, opts.batch, opts.seed, #training_data,
                      training_data:checksum(), validation_data:checksum()}
  local state = ckpt and read_checkpoint(prog, ckpt, opts.resume, same) or nil
  if state then
    print(("resuming from %s: %d point%s done, point %d after %d epoch%s"):format(ckpt, #state.done,
      #state.done == 1 and "" or "s", state.current.index, #state.current.accuracy,
      #state.current.accuracy == 1 and "" or "s"))
  end
  -- a signal stops the point in training after an epoch (each rank's alone: the
  -- ranks train different points) and no further point starts; the points
  -- done, and the stopped one with its epochs, are printed and written
  local stop <close> = run:catch_signals()
  local t0 = core.clock()
  local mine = {}
  local jobs = run:mine(#grid)
  for n, i in ipairs(jobs) do
    local r, partial
    local function checkpoint(net, accuracy, seconds)
      local done = {}
      for j = 1, i - 1 do done[j] = mine[j] end
      toolkit.checkpoint_save(ckpt, net, "network2", "sweep",
        {same = same, done = done, current = {index = i, accuracy = accuracy, seconds = seconds}})
    end
    if state and i < state.current.index then
      r = state.done[i] -- a point done before the interruption
    else
      local resume = state and i == state.current.index and {engine = state.engine, rng = state.rng,
        epoch = state.epoch, accuracy = state.current.accuracy, seconds = state.current.seconds} or nil
      r, partial = train_point(grid[i], opts, training_data, validation_data, run, stop, resume,
        ckpt and checkpoint or nil)
    end
    mine[i] = r
    if stop:stopping(false) and (partial or n < #jobs) then
      r.stopped = true
      if partial then r.interrupted = ("after epoch %d"):format(r.epochs - 1) end
      break
    end
  end
  stop:stopping(true) -- every rank learns whether any was stopped
  local all = run:gather(mine)

  local text, where = results_table(grid, all)
  if not where then stop.signal = nil end -- it came after the last point: the sweep is whole
  print(text)
  if run.root then
    local list = {}
    for i = 1, #grid do
      list[i] = all[i] or {sizes = grid[i].sizes, eta = grid[i].eta, lmbda = grid[i].lmbda, not_run = true}
    end
    local dir = opts.out:match("^(.*)/[^/]*$")
    local okw, err = pcall(function()
      if dir then core.tools.mkdir(dir) end
      core.write_file(opts.out, json.encode({epochs = opts.epochs, batch = opts.batch, seed = opts.seed,
        training_images = #training_data, validation_images = #validation_data, ranks = run.size,
        seconds = core.clock() - t0, points = list, interrupted = stop.signal and stop.signal.name}) .. "\n")
    end)
    if not okw then cli.die(prog, err) end
    if not stop.signal then
      if ckpt then os.remove(ckpt) end -- the sweep is whole: its checkpoint (this command's own file) is done with
      print(("sweep: %.1f s; results in %s"):format(core.clock() - t0, opts.out))
    end
  end
  if stop.signal then
    local again = run:resume_command(prog, argv, {})
    return stop:report(prog, where, ckpt and ("the results of the points done are in %s; resume with: %s%s")
      :format(opts.out, again, opts.resume and "" or " --resume") or ("the results of the points done are in %s "
      .. "(a sweep over ranks does not resume: run the points not run again)"):format(opts.out))
  end
  return 0
end

return M
