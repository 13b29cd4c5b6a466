--- lnn train: the book's chapter 1 run.  Trains a sigmoid network on MNIST's
-- 50,000 training images with mini-batch SGD and reports test accuracy after
-- every epoch, as network.py does.  The flag table below is the one place
-- train's flags are declared (bin/lnn, scripts/train.lua and the root
-- train.lua all run this).  It parses and reports; it never exits.
-- @internal lnn.commands.train
local core = require "lnn.core"
local cli = require "lnn.cli"
local json = require "lnn.json"
local network = require "lnn.network"
local distributed = require "lnn.distributed"
local toolkit = require "lnn.commands.toolkit"

local M = {summary = "train the book's chapter 1 network (network.py) on MNIST"}

M.flags = {
  {name = "sizes", kind = "sizes", default = {784, 30, 10}, help = "layer sizes", arg = "A,B,...", check = cli.layer_sizes},
  {name = "epochs", kind = "int", default = 30, help = "epochs in total", check = cli.nonnegative},
  {name = "batch", kind = "int", default = 10, help = "mini-batch size", check = cli.batch},
  {name = "eta", kind = "number", default = 3.0, help = "learning rate", check = cli.rate},
  {name = "seed", kind = "int", default = 1, help = "random seed (weights and shuffling)"},
  {name = "data", kind = "string", help = "folder with the four MNIST files (.gz or raw; `lnn data` shows the search)", arg = "DIR"},
  {name = "save", kind = "string", help = "save the network here after every epoch (atomic)", arg = "FILE", check = cli.writable_file},
  {name = "load", kind = "string", help = "continue from this saved network and its epoch", arg = "FILE"},
  {name = "backups", kind = "string", help = "checkpoint folder: initial, latest, epoch-N", arg = "DIR", check = cli.writable_folder},
  {name = "backup-every", kind = "int", default = 0, help = "also keep epoch-N every N epochs", check = cli.nonnegative},
  {name = "metrics", kind = "string", help = "write per-epoch JSON metrics here", arg = "FILE", check = cli.writable_file},
  {name = "train-size", kind = "int", help = "use only the first N training images", check = cli.positive, arg = "N"},
  cli.threads_flag,
  {name = "quiet", kind = "flag", help = "print only the final result"},
  cli.progress_flag,
  cli.no_progress_flag,
  {name = "rss", kind = "flag", help = "print the peak resident memory (VmHWM) at the end"},
  distributed.flag,
  distributed.accumulate_flag,
  distributed.overlap_flag,
}
M.about = "Trains a network.py-style sigmoid network on MNIST and reports test accuracy per epoch."

-- The network to train: --load's (its sizes must agree with a --sizes given),
-- or a new one of --sizes.
local function the_network(prog, opts, argv)
  if not opts.load then
    if opts.sizes[1] ~= 784 or opts.sizes[#opts.sizes] ~= 10 then
      cli.fail(prog, ("option '--sizes': MNIST needs 784 inputs and 10 outputs, got '%s'")
        :format(table.concat(opts.sizes, ",")))
    end
    return network.Network(opts.sizes, {seed = opts.seed})
  end
  local net = cli.load_network(prog, "--load", opts.load, network.load, toolkit.sigmoid_loads,
    toolkit.sigmoid_takes)
  local given = false
  for _, a in ipairs(argv) do if a:match("^%-%-sizes") then given = true end end
  if given and table.concat(net.sizes, ",") ~= table.concat(opts.sizes, ",") then
    cli.die(prog, ("--sizes %s disagrees with %s (%s)"):format(table.concat(opts.sizes, ","), opts.load,
      table.concat(net.sizes, ",")))
  end
  return net
end

-- Resuming with --metrics continues the file: the entries of the epochs the
-- loaded network has been through (numbered 0 .. net.epoch - 1, as printed)
-- stay (a later epoch's, from a run that went further than this checkpoint,
-- are dropped).
local function continue_metrics(prog, opts, net, metrics)
  if not (opts.load and opts.metrics and io.open(opts.metrics)) then return end
  local okm, old = pcall(core.call_as, "read", nil, core.read_file, opts.metrics)
  if okm then okm, old = pcall(json.decode, old, opts.metrics) end
  if not okm or type(old) ~= "table" or type(old.epochs) ~= "table" then
    cli.die(prog, ("--metrics %s: cannot continue it: %s"):format(opts.metrics,
      okm and "no \"epochs\" list" or tostring(old)))
  end
  for _, e in ipairs(old.epochs) do
    if type(e) == "table" and math.type(e.epoch) == "integer" and e.epoch < net.epoch then
      metrics.epochs[#metrics.epochs + 1] = e
    end
  end
end

-- The closing line: the last epoch's test accuracy and the training time, or
-- (no epoch run) the loaded network's accuracy.
local function final_line(net, metrics, last, test_data)
  if last then
    local total = 0
    for _, e in ipairs(metrics.epochs) do total = total + e.seconds end
    print(("Test accuracy after %d epoch%s: %.2f%% (%d / %d); training %.2f s"):format(net.epoch,
      net.epoch == 1 and "" or "s", 100 * last.correct / last.total, last.correct, last.total, total))
  else
    local correct = net:evaluate(test_data)
    print(("Test accuracy after %d epoch%s: %.2f%% (%d / %d)"):format(net.epoch,
      net.epoch == 1 and "" or "s", 100 * correct / #test_data, correct, #test_data))
  end
end

--- run(argv, prog): the command; returns its exit status (raises cli exits).
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about)
  cli.no_arguments(opts, prog)
  opts.progress = cli.progress(opts, prog) -- the bar, or false
  -- --mpi: rank 0 alone prints and writes files (lnn.distributed); an error
  -- closes the run, which ends the whole job
  local run <close> = distributed.start(opts.mpi, prog, opts.threads, opts.accumulate, opts.overlap)
  run:only_root_writes(opts, {"save", "metrics", "backups", "rss"})

  local training_data, _, test_data = toolkit.load_data(prog, opts)

  local net = the_network(prog, opts, argv)
  -- ranks that would train on other data or for other steps stop here, together, with a message
  run:share(net, function()
    return {training_images = #training_data, training_checksum = training_data:checksum(),
            test_images = test_data and #test_data, test_checksum = test_data and test_data:checksum(),
            batch = opts.batch, epochs = opts.epochs, eta = opts.eta, seed = opts.seed}
  end)

  -- the network and the command are what the report (lnn report) shows beside the curve
  local runinfo = require "lnn.runinfo"
  local metrics = {epochs = {}, sizes = net.sizes, eta = opts.eta, batch = opts.batch, seed = opts.seed,
                   training_images = #training_data, run = runinfo.describe(toolkit.command(prog, argv))}
  continue_metrics(prog, opts, net, metrics)

  -- Ctrl-C or SIGTERM: stop after the epoch whose checkpoint and metrics are
  -- written, and say how to resume (a second signal stops at once); under
  -- --mpi every rank stops after the same epoch (lnn.distributed)
  local checkpoint = opts.save or (opts.backups and opts.backups .. "/latest")
  local stop <close> = run:catch_signals()

  if not opts.quiet then
    print(("lnn %s: network [%s], %d training images, batch %d, eta %g, seed %d, kernels %s%s")
      :format(core.version, table.concat(net.sizes, ","), #training_data, opts.batch, opts.eta,
        opts.seed, core.simd(), net.epoch > 0 and (", resuming after epoch " .. net.epoch - 1) or ""))
  end
  local last
  -- --epochs counts in total: a loaded network continues from its epoch up to it
  local okt, err = pcall(net.SGD, net, training_data, opts.epochs, opts.batch, opts.eta, test_data, run:sgd(net, {
    quiet = true, progress = opts.progress, backups = opts.backups, backup_every = opts.backup_every, start_epoch = net.epoch,
    should_stop = stop.should_stop,
    on_epoch = function(info)
      last = info
      if opts.save then net:save(opts.save) end
      metrics.epochs[#metrics.epochs + 1] = {epoch = info.epoch, seconds = info.seconds,
        correct = info.correct, total = info.total}
      if opts.metrics then core.write_file(opts.metrics, json.encode(metrics) .. "\n") end
      if not opts.quiet then
        print(("Epoch %d: %d / %d  (%.3f s)"):format(info.epoch, info.correct, info.total, info.seconds))
      end
    end,
  }))
  if not okt then cli.die(prog, err) end
  if stop.signal then
    return stop:report(prog, net.epoch - 1, checkpoint
      and ("resume with: " .. run:resume_command(prog, argv, {{"--load", checkpoint}}))
      or "no --save or --backups, so nothing to resume from")
  end
  final_line(net, metrics, last, test_data)
  if opts.rss then print(("peak RSS: %s kB"):format(toolkit.peak_rss_kb() or "?")) end
  return 0
end

return M
