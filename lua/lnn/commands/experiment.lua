--- lnn experiment NAME: one of the book's experiments: chapters 1, 3 and 4
-- (lnn.experiments, network2) and chapter 6's runs 6.1 to 6.8 (lnn.chapter6,
-- network3), with its flags; `lnn experiment` with the list flag shows them all with
-- the book's figure for each.  scripts/experiments/<name>.lua runs named(name).
-- @internal lnn.commands.experiment
local core = require "lnn.core"
local args = require "lnn.args"
local cli = require "lnn.cli"
local E = require "lnn.experiments"
local X = require "lnn.chapter6"
local registry = require "lnn.registry"
local toolkit = require "lnn.commands.toolkit"
local network3 = require "lnn.network3"
local distributed = require "lnn.distributed"
local resume = require "lnn.resume"

local M = {summary = "run one of the book's experiments (--list shows them and the book's figures)"}

-- chapters 1, 3 and 4
M.flags = {
  {name = "epochs", kind = "int", help = "epochs (default: the book's)", check = cli.nonnegative},
  {name = "seed", kind = "int", default = 1, help = "random seed"},
  {name = "data", kind = "string", help = "folder with the four MNIST files", arg = "DIR"},
  {name = "train-size", kind = "int", help = "use only the first N training images", check = cli.positive, arg = "N"},
  {name = "out", kind = "string", default = "results/experiments", help = "folder for the metrics JSON and SVG", arg = "DIR", check = cli.writable_folder},
  {name = "quiet", kind = "flag", help = "print only the summary"},
  cli.progress_flag,
  cli.no_progress_flag,
  distributed.flag,
  distributed.accumulate_flag,
  distributed.overlap_flag,
  cli.threads_flag,
  resume.flags[1],
  resume.flags[2],
}

--- chapter6_flags(run): the flags of chapter 6 run run, with its defaults.
-- @param run a chapter 6 run (lnn.chapter6.list entry)
-- @return the flags of chapter 6 run run, with its defaults
function M.chapter6_flags(run)
  local f = {
    {name = "epochs", kind = "int", default = run.epochs, help = "epochs (the book's count by default)", check = cli.nonnegative},
    {name = "seed", kind = "int", default = 1, help = "random seed (initial weights, dropout masks)"},
    {name = "data", kind = "string", help = "MNIST folder (default: see `lnn data`)", arg = "DIR"},
    {name = "train-size", kind = "int", help = "train on the first N images only (a quick run)", check = cli.positive, arg = "N"},
    {name = "eval-size", kind = "int", help = "validate and test on the first N images only", check = cli.positive, arg = "N"},
    {name = "save", kind = "string", help = "save the trained network here", arg = "FILE", check = cli.writable_file},
    {name = "shuffle", kind = "flag", help = "shuffle the training data every epoch (network3.py does not)"},
    {name = "quiet", kind = "flag", help = "print only the result lines"},
    cli.progress_flag,
    cli.no_progress_flag,
    {name = "out", kind = "string", default = "results/experiments", help = "folder for the metrics JSON and the SVG curve", arg = "DIR", check = cli.writable_folder},
    distributed.flag,
    cli.threads_flag,
    resume.flags[1],
    resume.flags[2],
  }
  -- 6.8 trains each member whole on one rank: no step to accumulate over the ranks
  if not run.ensemble then
    f[#f + 1] = distributed.accumulate_flag
    f[#f + 1] = distributed.overlap_flag
  end
  if run.ensemble then
    f[#f + 1] = {name = "nets", kind = "int", default = 5, help = "networks in the ensemble", check = cli.positive}
    f[#f + 1] = {name = "members", kind = "string", help = "vote with these saved networks instead of training", arg = "F1,F2,..."}
    f[#f + 1] = {name = "save-dir", kind = "string", help = "save each trained network as DIR/member-K.lnn", arg = "DIR", check = cli.writable_folder}
  end
  return f
end

local function pct(x) return x and ("%.2f%%"):format(100 * x) or "-" end

-- a checkpoint's refusal as the command's: a usage error when the flags are at fault
local function refusal(prog)
  return function(msg, flags_fault)
    if flags_fault then cli.fail(prog, msg) end
    cli.refuse(prog, msg)
  end
end

-- the command that continues an interrupted run from its checkpoint
local function resume_command(dist, prog, argv)
  local rest = {}
  for _, a in ipairs(argv) do if a ~= "--restart" then rest[#rest + 1] = a end end
  return "resume with: " .. dist:resume_command(prog, rest, {{"--resume"}})
end

-- a chapter 1, 3 or 4 experiment
local function run_book(name, argv, prog)
  local e = E.by_name[name]
  local opts = cli.parse(argv, M.flags, prog, e.title .. "\nbook: " .. e.book)
  opts.command = toolkit.command(prog, argv) -- what the results file records
  opts.refuse = refusal(prog)
  cli.no_arguments(opts, prog)
  opts.progress = cli.progress(opts, prog) -- the bar, or false
  local dist <close> = distributed.start(opts.mpi, prog, opts.threads, opts.accumulate, opts.overlap)
  opts.dist = dist
  local stop <close> = dist:catch_signals()
  opts.stop = stop
  local m = E.run(name, opts)
  if stop.signal then
    local i = m.interrupted
    return stop:report(prog, #e.runs > 1 and ("%d of run '%s'"):format(i.epoch, i.run) or i.epoch,
      ("the metrics of the epochs run are in %s; %s"):format(m.file, resume_command(dist, prog, argv)))
  end
  return 0
end

-- what makes a chapter 6 checkpoint this run's: the run, its options, its data and lnn's version
local function identity_of(run, opts, tr, va, te)
  return {experiment = run.name, seed = opts.seed, epochs = opts.epochs, train_size = #tr, eval_size = #te,
          shuffle = opts.shuffle and true or false, nets = opts.nets, training_checksum = tr:checksum(),
          validation_checksum = va:checksum(), test_checksum = te:checksum(), lnn = core.version}
end

-- a chapter 6 run other than 6.8
local function run_chapter6(run, argv, prog)
  local opts = cli.parse(argv, M.chapter6_flags(run), prog, run.about)
  opts.command = toolkit.command(prog, argv) -- what the results file records
  cli.no_arguments(opts, prog)
  opts.progress = cli.progress(opts, prog) -- the bar, or false
  local dist <close> = distributed.start(opts.mpi, prog, opts.threads, opts.accumulate, opts.overlap)
  dist:only_root_writes(opts, {"save"})
  if dist.root then core.tools.mkdir(opts.out) end
  opts.refuse = refusal(prog)
  local ck = resume.open(opts, resume.path(opts.out, registry.run_id(run.name, opts)), dist.root)
  local tr, va, te = X.data(opts, run.expanded)
  ck:check(identity_of(run, opts, tr, va, te))
  if not opts.quiet then print(run.about) end
  -- a signal stops the run after an epoch: the network then is saved (--save)
  -- and the metrics of the epochs run are written, as at the end
  local stop <close> = dist:catch_signals()
  opts.stop = stop
  local part = ck.loaded and ck.loaded.state or {}
  part.restore = ck.loaded and function(net) ck:restore(net) end
  function part.checkpoint(net, p)
    ck:save(net, {sgd = p.sgd, epochs = p.epochs, seconds = p.seconds},
      ("epoch %d of %d"):format(p.sgd.epoch, opts.epochs))
  end
  local net, best, iter, test, seconds, epochs = X.train(run, opts, tr, va, te, nil, dist, part)
  if opts.save then net:save(opts.save) end
  X.report(run, opts, test, #tr, seconds, #epochs)
  local file = dist.root and X.write_results(run, opts, {epochs = epochs, best_validation_accuracy = best,
    best_iteration = iter, test_accuracy = test, seconds = seconds, training_images = #tr,
    test_images = #te, ranks = dist.size, interrupted = stop.signal and {signal = stop.signal.name,
    epoch = #epochs - 1}})
  if stop.signal then
    return stop:report(prog, #epochs - 1, ("%sthe metrics of the epochs run are in %s; %s"):format(
      opts.save and ("the network after it is saved in " .. opts.save .. "; ") or "", file,
      resume_command(dist, prog, argv)))
  end
  ck:remove()
  if file and not opts.quiet then print("metrics " .. file) end
  return 0
end

-- 6.8: trains the five with seeds seed..seed+4 (with --mpi one member per
-- rank in turn, each trained whole by its rank; the members' parameters are
-- then broadcast so every rank holds all), or votes with networks saved
-- earlier (--members, e.g. from `lnn experiment ch6_7 --save`).  Serially it
-- resumes member by member: each whole member is saved as
-- <out>/<id>.members/member-K.lnn and named in the checkpoint, which also holds
-- the member in training; the vote comes when all are whole.  Under --mpi
-- (members trained at once on several ranks) it keeps no checkpoint.
local function run_ensemble(run, argv, prog)
  local opts = cli.parse(argv, M.chapter6_flags(run), prog, run.about)
  opts.command = toolkit.command(prog, argv) -- what the results file records
  cli.no_arguments(opts, prog)
  opts.progress = cli.progress(opts, prog) -- the bar, or false
  if opts.mpi and (opts.resume or opts.restart) then
    cli.fail(prog, ("--%s: the ensemble resumes only without --mpi (under --mpi its members train at once "
      .. "on several ranks and keep no checkpoint)"):format(opts.resume and "resume" or "restart"))
  end
  if opts.members and (opts.resume or opts.restart) then
    cli.fail(prog, ("--%s: a vote of saved networks (--members) trains nothing and has no checkpoint")
      :format(opts.resume and "resume" or "restart"))
  end
  local dist <close> = distributed.start(opts.mpi, prog, opts.threads)
  local save_dir = dist.root and opts.save_dir
  dist:only_root_writes(opts, {"save_dir"})
  local members, test_data, ntrain, t0, results = {}, nil, nil, core.clock(), {}
  local ck, saved, kept
  if opts.members then
    local _, _, te = X.data({data = opts.data, eval_size = opts.eval_size}, false)
    for file in opts.members:gmatch("[^,]+") do
      local net = network3.load(file)
      members[#members + 1] = net
      results[#members] = {file = file, test_accuracy = net:accuracy(te)}
      print(("member %d (%s): test accuracy %s"):format(#members, file, pct(results[#members].test_accuracy)))
    end
    test_data = te
  else
    local id = registry.run_id(run.name, opts)
    kept = ("%s/%s.members"):format(opts.out, id) -- whole members, until the vote
    if not dist.comm then
      core.tools.mkdir(opts.out)
      opts.refuse = refusal(prog)
      ck = resume.open(opts, resume.path(opts.out, id))
    end
    local tr, va, te = X.data(opts, run.expanded)
    if ck then
      ck:check(identity_of(run, opts, tr, va, te))
      saved = ck.loaded and ck.loaded.state or {whole = {}, seconds = 0}
    end
    if save_dir then core.tools.mkdir(save_dir) end
    -- a signal stops the member in training after an epoch (each rank's
    -- alone); then every rank learns of it, and there is no vote
    local stop <close> = dist:catch_signals()
    opts.stop = stop
    local where
    local mine = dist:mine(opts.nets)
    local whole = {}
    for _, w in ipairs(saved and saved.whole or {}) do whole[w.member] = w.result end
    for n, k in ipairs(mine) do
      local member_file = ("%s/member-%d.lnn"):format(kept, k)
      if whole[k] then -- trained whole before an interruption
        members[k], results[k] = network3.load(member_file), whole[k]
        if not opts.quiet then print(("-- member %d of %d (seed %d): whole in %s"):format(k, opts.nets,
          opts.seed + k - 1, member_file)) end
      else
        if not opts.quiet then print(("-- member %d of %d (seed %d)"):format(k, opts.nets, opts.seed + k - 1)) end
        local part
        if ck then
          part = saved.part or {}
          part.restore = saved.part and function(net) ck:restore(net) end
          saved.part = nil
          function part.checkpoint(net, p)
            ck:save(net, {whole = saved.whole, part = {sgd = p.sgd, epochs = p.epochs, seconds = p.seconds}},
              ("epoch %d of %d of member %d of %d"):format(p.sgd.epoch, opts.epochs, k, opts.nets))
          end
        end
        local net, best, iter, test, seconds, epochs = X.train(run, opts, tr, va, te, opts.seed + k - 1, nil, part)
        results[k] = {seed = opts.seed + k - 1, best_validation_accuracy = best, best_iteration = iter,
                      test_accuracy = test, seconds = seconds, epochs = epochs, rank = dist.rank}
        members[k] = net
        -- (a signal after this rank's last member, whole, stops nothing)
        if stop:stopping(false) and (#epochs < opts.epochs or n < #mine) then
          where = ("%d of member %d"):format(#epochs - 1, k)
          break
        end
        if ck then -- whole: kept, then named in the checkpoint
          core.tools.mkdir(kept)
          net:save(member_file)
          saved.whole[#saved.whole + 1] = {member = k, result = results[k]}
          ck:save(net, {whole = saved.whole}, ("member %d of %d (whole)"):format(k, opts.nets))
        end
      end
    end
    if stop:stopping(true) then
      local places = dist:gather({[dist.rank + 1] = where})
      for r = 1, dist.size do where = where or places[r] end
      if where then
        return stop:report(prog, where, ck and ("the members trained whole are kept in %s; %s"):format(kept,
          resume_command(dist, prog, argv)) or ("nothing saved: the vote needs all %d members (train them one at a "
          .. "time with `lnn experiment ch6_7 --save FILE --seed N`, then vote with --members)"):format(opts.nets))
      end
    end
    results = dist:gather(results)
    for k = 1, opts.nets do
      if dist.comm then -- member k's parameters from the rank that trained it
        local mbs = run.mini_batch_size or 10
        members[k] = members[k] or network3.Network(run.layers(network3, mbs), mbs, {seed = opts.seed + k - 1})
        dist.comm:broadcast(members[k]:engine(), (k - 1) % dist.size)
      end
      if save_dir then members[k]:save(("%s/member-%d.lnn"):format(save_dir, k)) end
      print(("member %d: test accuracy %s (at its best validation accuracy)"):format(k,
        pct(results[k].test_accuracy)))
    end
    test_data, ntrain = te, #tr
  end
  local acc = network3.ensemble(members):accuracy(test_data)
  if not dist.root then return 0 end
  print(("6.8 ensemble of %d, plurality vote on the test set: book %s | lnn %s (%s)"):format(#members,
    pct(run.book), pct(acc), require("lnn.progress").seconds(core.clock() - t0)))
  local file = X.write_results(run, opts, {members = results, vote_test_accuracy = acc,
                                           training_images = ntrain, test_images = #test_data,
                                           seconds = core.clock() - t0, ranks = dist.size})
  if ck then -- the run ended whole: its checkpoint and kept members (its own files) go
    ck:remove()
    for k = 1, opts.nets do os.remove(("%s/member-%d.lnn"):format(kept, k)) end
    os.remove(kept)
  end
  if not opts.quiet then print("metrics " .. file) end
  return 0
end

--- listing(): every experiment, one per line, with the book's figure.
-- @return every experiment, one per line, with the book's figure
function M.listing()
  return registry.listing()
end

--- named(name): the command function(argv, prog) of experiment name (what
--- scripts/experiments/<name>.lua runs).
-- @param name the experiment's name, as the list of experiments shows it
-- @return the command function(argv, prog) of experiment name (what scripts/experiments/<name>.lua
--  runs)
function M.named(name)
  local entry = registry.by_name[name]
  if not entry then args.fail("named", 1, ("an experiment name expected, got %s"):format(tostring(name))) end
  if entry.kind == "experiment" then
    return function(argv, prog) return run_book(name, argv, prog) end
  end
  local run = entry.def
  if run.ensemble then return function(argv, prog) return run_ensemble(run, argv, prog) end end
  return function(argv, prog) return run_chapter6(run, argv, prog) end
end

M.synopsis = "NAME [options] | --list"
M.about = "Runs one of the book's experiments; each prints the book's figure beside its own and writes\n"
  .. "a metrics JSON and SVG curves.  --list shows them; NAME --help shows an experiment's flags."

--- run(argv, prog): `lnn experiment NAME ...`, or the list of experiments.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local name = argv[1]
  if name == "--list" then
    if argv[2] then cli.fail(prog, ("unexpected argument '%s'"):format(argv[2])) end
    print(M.listing())
    return 0
  end
  if name == nil or name:sub(1, 1) == "-" then
    cli.parse(argv, {{name = "list", kind = "flag", help = "list the experiments and the book's figures"}},
      prog, M.about, M.synopsis)
    cli.fail(prog, "an experiment NAME expected (--list shows them)")
  end
  if not registry.kind(name) then
    cli.fail(prog, ("unknown experiment '%s' (--list shows them)"):format(name))
  end
  return M.named(name)({table.unpack(argv, 2)}, prog .. " " .. name)
end

return M
