--- lnn bootstrap-training: bootyNet's training loop, made to work.  Trains a
-- network.py-style network in rounds of --per-round epochs, the mini-batch
-- growing x--growth per round up to --max-batch, until lnn.bootstrap's
-- getConvergeRate (the rule is in lua/lnn/bootstrap.lua) says the validation
-- accuracy has stopped improving.  Prints each round and the whole history.
-- bootyNet's gooo(prev, entropyYears) knobs are --previous FILE (the network
-- to continue from) and --rounds-done N (how many rounds it has had).  With
-- --save FILE a checkpoint FILE.checkpoint (the network after every epoch, its
-- generator, and every epoch's validation count) is kept until the run ends;
-- --resume continues from it, bit for bit the run that was not stopped (kill -9
-- included: the last whole epoch survives).
-- @internal lnn.commands.bootstrap_training
local core = require "lnn.core"
local cli = require "lnn.cli"
local bootstrap = require "lnn.bootstrap"
local network = require "lnn.network"
local distributed = require "lnn.distributed"
local toolkit = require "lnn.commands.toolkit"

local M = {summary = "train in rounds with a growing mini-batch until converged (bootyNet)"}
M.about = "Trains in rounds with a growing mini-batch until the validation accuracy stops improving."
M.flags = {
  {name = "sizes", kind = "sizes", default = {784, 30, 10}, help = "layer sizes", arg = "A,B,...", check = cli.layer_sizes},
  {name = "eta", kind = "number", default = 3.0, help = "learning rate", check = cli.rate},
  {name = "batch", kind = "int", default = 10, help = "mini-batch size of the first round", check = cli.batch},
  {name = "growth", kind = "number", default = 1.1, help = "mini-batch growth per round",
   check = function(v) if v < 1 then return "must be >= 1" end end},
  {name = "max-batch", kind = "int", default = 100, help = "largest mini-batch", check = cli.positive},
  {name = "per-round", kind = "int", default = 5, help = "epochs per round", check = cli.positive},
  {name = "large-bin", kind = "int", default = 10, help = "getConvergeRate's largeBin (epochs)", check = cli.positive},
  {name = "small-bin", kind = "int", default = 3, help = "getConvergeRate's smallBin (epochs)", check = cli.positive},
  {name = "threshold", kind = "number", default = 0.005, help = "converged below this gain per epoch", check = cli.nonnegative},
  {name = "max-rounds", kind = "int", default = 20, help = "stop after this many rounds anyway", check = cli.positive},
  {name = "seed", kind = "int", default = 1, help = "random seed (weights and shuffling)"},
  {name = "data", kind = "string", help = "folder with the four MNIST files (.gz or raw)", arg = "DIR"},
  {name = "train-size", kind = "int", help = "use only the first N training images", check = cli.positive, arg = "N"},
  {name = "save", kind = "string", help = "save the network here after the last round (atomic)", arg = "FILE", check = cli.writable_file},
  {name = "previous", kind = "string", arg = "FILE",
   help = "continue from this saved network (its sizes win over --sizes; bootyNet's gooo(prev))"},
  {name = "rounds-done", kind = "int", default = 0,
   check = function(v)
     if v < 0 or v > bootstrap.max_rounds_done then return ("must be 0 to %d"):format(bootstrap.max_rounds_done) end
   end,
   help = "rounds the previous network has had: numbering and batch growth go on from there (gooo's entropyYears)"},
  {name = "resume", kind = "flag",
   help = "continue from --save's checkpoint (FILE.checkpoint) when there is one, else start from the beginning"},
  cli.progress_flag,
  cli.no_progress_flag,
}

-- the options a checkpoint must share with the run that resumes it (all but
-- the stopping rule --max-rounds and what only prints)
local SAME = {"sizes", "eta", "batch", "growth", "max_batch", "per_round", "large_bin", "small_bin", "threshold",
              "seed", "train_size", "previous", "rounds_done"}

local function flag_value(v)
  if type(v) == "table" then return table.concat(v, ",") end
  if type(v) == "number" then return ("%.17g"):format(v) end -- 3 from JSON and 3.0 from the flag alike
  return tostring(v)
end

-- the checkpoint's state (options, data, the counts of every epoch) and its
-- network, or nil without one; without --resume, or of another run, it is refused
local function resume_from(prog, file, opts, data_sum)
  local engine, state = toolkit.checkpoint_load(prog, file, opts.resume, "network", "bootstrap")
  if not engine then return nil end
  if type(state.options) ~= "table" or type(state.correct) ~= "table" then
    cli.refuse(prog, ("--resume: %s is not a checkpoint of lnn bootstrap-training"):format(file))
  end
  for _, k in ipairs(SAME) do
    if flag_value(state.options[k]) ~= flag_value(opts[k]) then
      local function show(v)
        if type(v) == "table" then return table.concat(v, ",") end
        -- a whole float as typed (--eta 3, kept exact as 3.0)
        if math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 2 ^ 53 then return ("%d"):format(v) end
        return tostring(v)
      end
      cli.refuse(prog, ("--resume: the checkpoint %s was made with --%s %s, this run has %s"):format(file,
        k:gsub("_", "-"), show(state.options[k]), show(opts[k])))
    end
  end
  if state.data ~= data_sum then
    cli.refuse(prog, ("--resume: the checkpoint %s was made on other training data"):format(file))
  end
  if #state.correct > opts.max_rounds * opts.per_round then
    cli.refuse(prog, ("--resume: the checkpoint %s holds %d epochs, more than --max-rounds %d allows")
      :format(file, #state.correct, opts.max_rounds))
  end
  local net = network.load(file)
  return state, net
end

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about)
  cli.no_arguments(opts, prog)
  opts.progress = cli.progress(opts, prog) -- the bar, or false
  if opts.small_bin > opts.large_bin then
    cli.fail(prog, ("option '--small-bin': at most --large-bin (%d), got '%d'"):format(opts.large_bin, opts.small_bin))
  end
  if opts.sizes[1] ~= 784 or opts.sizes[#opts.sizes] ~= 10 then
    cli.fail(prog, ("option '--sizes': MNIST needs 784 inputs and 10 outputs, got '%s'"):format(table.concat(opts.sizes, ",")))
  end

  if opts.resume and not opts.save then
    cli.fail(prog, "--resume: expected with --save FILE (the checkpoint is FILE.checkpoint), got it alone")
  end
  local training_data, validation_data, test_data = toolkit.load_data(prog, opts)
  local ckpt = opts.save and opts.save .. ".checkpoint"
  local data_sum = training_data:checksum()
  local state, net
  if ckpt then state, net = resume_from(prog, ckpt, opts, data_sum) end
  if state then
    print(("resuming from %s after %d epochs"):format(ckpt, #state.correct))
  elseif opts.previous then
    net = cli.load_network(prog, "--previous", opts.previous, network.load, toolkit.sigmoid_loads,
      toolkit.sigmoid_takes)
    if net.sizes[1] ~= 784 or net.sizes[#net.sizes] ~= 10 then
      cli.fail(prog, ("option '--previous': MNIST needs 784 inputs and 10 outputs, got a [%s] network in '%s'")
        :format(table.concat(net.sizes, ","), opts.previous))
    end
    print(("continuing from %s (%d epochs, %d rounds done)"):format(opts.previous, net.epoch, opts.rounds_done))
  else
    net = network.Network(opts.sizes, {seed = opts.seed})
  end
  -- after every epoch: the network, its generator and the counts so far, in one file written atomically
  local options = {}
  for _, k in ipairs(SAME) do options[k] = opts[k] end
  local function checkpoint(correct)
    toolkit.checkpoint_save(ckpt, net, "network", "bootstrap", {options = options, data = data_sum, correct = correct})
  end
  print(("lnn %s: network [%s], %d training images, eta %g, rounds of %d epochs, batch %d x%g up to %d,"
    .. " largeBin %d, smallBin %d, threshold %g"):format(core.version, table.concat(net.sizes, ","),
    #training_data, opts.eta, opts.per_round, opts.batch, opts.growth, opts.max_batch, opts.large_bin,
    opts.small_bin, opts.threshold))
  -- a signal ends training after an epoch: the network is saved (--save) and
  -- the command that continues from it printed
  local run = distributed.start(false, prog)
  local stop <close> = run:catch_signals()
  local t0 = core.clock()
  local okt, result = pcall(bootstrap.train, net, training_data, opts.eta, validation_data, {
    should_stop = stop.should_stop,
    epochs_per_round = opts.per_round, batch = opts.batch, growth = opts.growth, max_batch = opts.max_batch,
    largeBin = opts.large_bin, smallBin = opts.small_bin, threshold = opts.threshold, max_rounds = opts.max_rounds,
    rounds_done = opts.rounds_done, progress = opts.progress,
    checkpoint = ckpt and checkpoint or nil, resume = state and state.correct or nil,
    on_round = function(r)
      print(("Round %d: batch %d, epochs %d-%d, validation %.2f%%, rate %s, ratio %s -> %s"):format(r.round,
        r.batch, r.epochs - opts.per_round, r.epochs - 1, 100 * r.accuracy,
        r.rate == math.huge and "n/a (history too short)" or ("%.5f"):format(r.rate),
        r.ratio and ("%.3f"):format(r.ratio) or "n/a",
        r.converged and "converged" or "keep training"))
    end,
  })
  if not okt then cli.die(prog, result) end
  local seconds = core.clock() - t0

  local h = {}
  for i, a in ipairs(result.history) do h[i] = ("%.2f"):format(100 * a) end
  print("History (validation accuracy % per epoch): " .. table.concat(h, " "))
  local i = result.interrupted
  if i then
    local oks, err = true, nil
    if opts.save then oks, err = pcall(net.save, net, opts.save) end
    if not oks then cli.die(prog, err) end
    local again = run:resume_command(prog, argv, {})
    return stop:report(prog, ("%d (round %d, %d of its %d epochs)"):format(net.epoch - 1, i.round, i.epochs,
      opts.per_round), opts.save and ("saved %s; continue with: %s%s"):format(opts.save, again,
      opts.resume and "" or " --resume")
      or "no --save, so nothing to continue from")
  end
  print(("%s after %d round%s (%d epochs, %.2f s)"):format(result.converged and "Converged" or "Stopped at --max-rounds",
    #result.rounds, #result.rounds == 1 and "" or "s", net.epoch, seconds))
  local correct = net:evaluate(test_data)
  print(("Test accuracy: %d / %d (%.2f%%)"):format(correct, #test_data, 100 * correct / #test_data))
  if opts.save then
    local oks, err = pcall(net.save, net, opts.save)
    if not oks then cli.die(prog, err) end
    os.remove(ckpt) -- the run is whole: its checkpoint (this command's own file) is done with
    print("saved " .. opts.save)
  end
  return 0
end

return M
