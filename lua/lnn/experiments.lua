--- lnn.experiments: the book's chapter 1, 3 and 4 experiments (the seed's
-- test.py), one entry each, and run(name, opts) to run one: it prints the
-- book's figure beside its own and writes a metrics JSON and an SVG learning
-- curve named for the run (lnn.registry.run_id), keeping a checkpoint while it
-- trains (lnn.resume).  Options shorten a run for the specs; the defaults reproduce the book.
-- The command line (`lnn experiment NAME`, scripts/experiments/<name>.lua)
-- lives in lnn.commands.experiment, not here.
-- @internal lnn.experiments
local core = require "lnn.core"
local args = require "lnn.args"
local json = require "lnn.json"
local mnist_loader = require "lnn.mnist_loader"
local network2 = require "lnn.network2"
local plot = require "lnn.plot"
local runinfo = require "lnn.runinfo"
local distributed = require "lnn.distributed"
local resume = require "lnn.resume"

local E = {}

-- config fields: sizes, cost (network2 cost name), init ("default"|"large"),
-- eta, lmbda, batch, epochs, train_size (first N training images), eval
-- ("test"|"validation"), monitor (list of "training_cost", "training_accuracy",
-- "evaluation_cost"), early_stopping_n, schedule_n, on_saturation ("warn":
-- saturated units are reported and training goes on), label (the curve's name)
local CH1 = {cost = "QuadraticCost", init = "large", eta = 3.0, batch = 10, epochs = 30, eval = "test"}
-- chapter 3 keeps the old N(0,1) weights (large_weight_initializer) until it
-- introduces the new ones; the runs after that section use the default
local CH3 = {cost = "CrossEntropyCost", init = "large", eta = 0.5, batch = 10, epochs = 30, eval = "test"}

local function with(base, over)
  local t = {}
  for k, v in pairs(base) do t[k] = v end
  for k, v in pairs(over) do t[k] = v end
  return t
end

E.list = {
  {name = "ch1_30_hidden", title = "Chapter 1: [784,30,10], quadratic cost, eta 3.0",
   book = "95.42% test accuracy (best of three runs)", book_best = 95.42,
   runs = {with(CH1, {sizes = {784, 30, 10}, label = "30 hidden"})}},
  {name = "ch1_100_hidden", title = "Chapter 1: [784,100,10], quadratic cost, eta 3.0",
   book = "96.59% test accuracy", book_best = 96.59,
   runs = {with(CH1, {sizes = {784, 100, 10}, label = "100 hidden"})}},
  {name = "ch1_eta_small", title = "Chapter 1: [784,100,10] with eta 0.001 (too small)",
   book = "learns very slowly: far below the eta 3.0 run after 30 epochs",
   runs = {with(CH1, {sizes = {784, 100, 10}, eta = 0.001, label = "eta 0.001"})}},
  {name = "ch1_eta_large", title = "Chapter 1: [784,30,10] with eta 100 (too large)",
   book = "gets stuck near 1009 / 10000 (about 10%) for 30 epochs: the sigmoids saturate",
   -- the units saturate in the first epoch: reported, and the run goes on as the book's
   runs = {with(CH1, {sizes = {784, 30, 10}, eta = 100.0, label = "eta 100", on_saturation = "warn"})}},
  {name = "ch3_ce_30", title = "Chapter 3: [784,30,10], cross-entropy, eta 0.5",
   book = "95.49% test accuracy", book_best = 95.49,
   runs = {with(CH3, {sizes = {784, 30, 10}, label = "cross-entropy, 30 hidden"})}},
  {name = "ch3_ce_100", title = "Chapter 3: [784,100,10], cross-entropy, eta 0.5",
   book = "96.82% test accuracy", book_best = 96.82,
   runs = {with(CH3, {sizes = {784, 100, 10}, label = "cross-entropy, 100 hidden"})}},
  {name = "ch3_overfitting", title = "Chapter 3: overfitting, 1,000 training images, 400 epochs",
   book = "training accuracy 100%; test accuracy peaks at 82.27% and stops improving around epoch 280; test cost rises after epoch 15",
   book_best = 82.27,
   runs = {with(CH3, {sizes = {784, 30, 10}, epochs = 400, train_size = 1000,
                      monitor = {"training_cost", "training_accuracy", "evaluation_cost"},
                      label = "no regularisation"})}},
  {name = "ch3_l2_1000", title = "Chapter 3: L2 (lambda 0.1) on 1,000 training images, 400 epochs",
   book = "test accuracy peaks at 87.1% (82.27% unregularised); no overfitting of the cost",
   book_best = 87.1,
   runs = {with(CH3, {sizes = {784, 30, 10}, epochs = 400, train_size = 1000, lmbda = 0.1,
                      monitor = {"training_cost", "training_accuracy", "evaluation_cost"},
                      label = "lambda 0.1"})}},
  {name = "ch3_l2_30", title = "Chapter 3: L2 on all data, [784,30,10], lambda 5.0, eta 0.5",
   book = "96.49% validation accuracy", book_best = 96.49,
   runs = {with(CH3, {sizes = {784, 30, 10}, lmbda = 5.0, eval = "validation", label = "30 hidden, lambda 5"})}},
  {name = "ch3_l2_100", title = "Chapter 3: L2 on all data, [784,100,10], lambda 5.0, eta 0.5",
   book = "97.92% validation accuracy", book_best = 97.92,
   runs = {with(CH3, {sizes = {784, 100, 10}, lmbda = 5.0, eval = "validation", label = "100 hidden, lambda 5"})}},
  {name = "ch3_l2_100_60", title = "Chapter 3: [784,100,10], lambda 5.0, eta 0.1, 60 epochs",
   book = "98.04% validation accuracy", book_best = 98.04,
   runs = {with(CH3, {sizes = {784, 100, 10}, lmbda = 5.0, eta = 0.1, epochs = 60, eval = "validation",
                      label = "100 hidden, 60 epochs"})}},
  {name = "ch3_init", title = "Chapter 3: old N(0,1) vs new N(0,1/n_in) weights, [784,30,10], lambda 5.0, eta 0.1",
   book = "both end a little over 96%; the new initialisation gets there far sooner", book_best = 96.0,
   runs = {with(CH3, {sizes = {784, 30, 10}, lmbda = 5.0, eta = 0.1, eval = "validation", init = "large",
                      label = "old initialisation"}),
           with(CH3, {sizes = {784, 30, 10}, lmbda = 5.0, eta = 0.1, eval = "validation", init = "default",
                      label = "new initialisation"})}},
  {name = "ch3_early_stopping", title = "Chapter 3: early stopping (no-improvement-in-10), [784,30,10], lambda 5.0",
   book = "an exercise: stop once 10 epochs bring no better validation accuracy",
   runs = {with(CH3, {sizes = {784, 30, 10}, lmbda = 5.0, epochs = 100, eval = "validation",
                      early_stopping_n = 10, init = "default", label = "early stopping"})}},
  {name = "ch3_schedule", title = "Chapter 3: learning-rate schedule (halve eta after 10 flat epochs, stop at eta/128)",
   book = "an exercise: vary eta with the no-improvement-in-10 rule",
   runs = {with(CH3, {sizes = {784, 30, 10}, lmbda = 5.0, epochs = 200, eval = "validation",
                      schedule_n = 10, init = "default", label = "eta schedule"})}},
  {name = "ch4_vanishing", title = "Vanishing gradient: [784,30,30,30,30,10], 1,000 images, eta 0.1",
   book = "speed of learning (bias gradient length) of hidden layers 1-4 at initialisation: 0.002, 0.005, 0.029, 0.199",
   vanishing = true,
   runs = {with(CH3, {sizes = {784, 30, 30, 30, 30, 10}, eta = 0.1, epochs = 30, train_size = 1000,
                      init = "default", vanishing = true,
                      label = "hidden layer"})}},
  -- the seed's own test.py runs, with the seed's settings (no figure recorded there)
  {name = "seed_784_5_10", title = "The seed's test.py: network.py [784,5,10], quadratic cost, eta 3.0, batch 10, 30 epochs",
   book = "the seed's test.py records no figure; five hidden neurons end below the book's [784,30,10] (95.42%)",
   runs = {with(CH1, {sizes = {784, 5, 10}, label = "5 hidden"})}},
  {name = "seed_early_stopping", title = "The seed's test.py: early stopping (no-improvement-in-10) on 1,000 images, 30 epochs, lambda 5.0",
   book = "the seed's test.py records no figure: [784,30,10], cross-entropy, eta 0.5, validation accuracy and training cost monitored",
   runs = {with(CH3, {sizes = {784, 30, 10}, init = "default", lmbda = 5.0, train_size = 1000, eval = "validation",
                      monitor = {"training_cost"}, early_stopping_n = 10, label = "early stopping, 1,000 images"})}},
  {name = "seed_vanishing", title = "The seed's test.py: vanishing gradient, [784,30,30,30,30,10] on all the data, eta 0.1, lambda 5.0",
   book = "chapter 5's run: 96.53% validation accuracy, no better than one hidden layer (96.48%); the early layers learn slowest",
   book_best = 96.53,
   vanishing = true,
   runs = {with(CH3, {sizes = {784, 30, 30, 30, 30, 10}, init = "default", eta = 0.1, lmbda = 5.0, eval = "validation",
                      vanishing = true, label = "hidden layer"})}},
}

E.by_name = {}
for _, e in ipairs(E.list) do E.by_name[e.name] = e end

local function percent(k, n) return 100 * k / n end

-- The network of one configured run, as the book builds it.
local function network_of(cfg, seed)
  local net = network2.Network(cfg.sizes, network2[cfg.cost], {seed = seed})
  if cfg.init == "large" then net:large_weight_initializer() end
  return net
end

-- The training set of one configured run (the first N images when asked).
local function training_of(cfg, sets, opts)
  local training = sets.training
  local size = opts.train_size or cfg.train_size
  if size then
    if size > #training then error(("train_size: at most %d, got %d"):format(#training, size), 0) end
    training = training:slice(1, size)
  end
  return training
end

-- One configured run; returns its per-epoch records.  opts.part (from a
-- checkpoint, or fresh) is {records, grads, sgd = network2's SGD state};
-- opts.checkpoint(net, part) is called after every whole epoch.
local function run_one(cfg, sets, opts, say)
  local net = network_of(cfg, opts.seed)
  local part = opts.part
  if opts.restore then opts.restore(net) end
  local training = training_of(cfg, sets, opts)
  local eval = cfg.eval == "validation" and sets.validation or sets.test
  local epochs = opts.epochs or cfg.epochs
  -- ranks that would train on other data or for other steps stop here, together (lnn.distributed)
  opts.dist:share(net, function()
    return {training_images = #training, training_checksum = training:checksum(), evaluation_images = #eval,
            evaluation_checksum = eval:checksum(), batch = cfg.batch, epochs = epochs, eta = cfg.eta,
            lmbda = cfg.lmbda or 0, seed = opts.seed}
  end)
  local monitor = {}
  for _, m in ipairs(cfg.monitor or {}) do monitor[m] = true end
  local records, grads = part.records, part.grads
  local probe = training:slice(1, math.min(#training, 1000))
  -- gradient lengths by epochs trained: 0 at initialisation, then after each epoch
  if cfg.vanishing and #grads == 0 then grads[1] = {trained = 0, norms = (net:gradient_norms(probe))} end
  net:SGD(training, epochs, cfg.batch, cfg.eta, opts.dist:sgd(net, {
    lmbda = cfg.lmbda or 0, evaluation_data = eval,
    monitor_evaluation_accuracy = true,
    monitor_evaluation_cost = monitor.evaluation_cost,
    monitor_training_cost = monitor.training_cost,
    monitor_training_accuracy = monitor.training_accuracy,
    early_stopping_n = cfg.early_stopping_n, schedule_n = cfg.schedule_n,
    on_saturation = cfg.on_saturation, quiet = true, progress = opts.progress,
    should_stop = opts.stop and opts.stop.should_stop, state = part.sgd,
    on_epoch = function(info)
      local r = {epoch = info.epoch, seconds = info.seconds, eta = info.eta,
                 accuracy = percent(info.evaluation_accuracy, #eval),
                 correct = info.evaluation_accuracy, total = #eval,
                 evaluation_cost = info.evaluation_cost, training_cost = info.training_cost,
                 training_accuracy = info.training_accuracy and percent(info.training_accuracy, #training)}
      if cfg.vanishing then
        r.gradient_norms = net:gradient_norms(probe)
        grads[#grads + 1] = {trained = #grads, epoch = info.epoch, norms = r.gradient_norms}
      end
      records[#records + 1] = r
      local extra = {}
      if r.training_accuracy then extra[#extra + 1] = ("training %.2f%%"):format(r.training_accuracy) end
      if r.training_cost then extra[#extra + 1] = ("training cost %.4f"):format(r.training_cost) end
      if r.evaluation_cost then extra[#extra + 1] = ("%s cost %.4f"):format(cfg.eval, r.evaluation_cost) end
      if r.gradient_norms then
        local g = {}
        for l = 1, #r.gradient_norms - 1 do g[l] = ("%.4g"):format(r.gradient_norms[l]) end
        extra[#extra + 1] = "hidden-layer gradients " .. table.concat(g, ", ")
      end
      say(("  [%s] epoch %d: %s %d / %d (%.2f%%)%s"):format(cfg.label, info.epoch, cfg.eval,
        r.correct, r.total, r.accuracy, #extra > 0 and ("; " .. table.concat(extra, "; ")) or ""))
      if opts.checkpoint then opts.checkpoint(net, part) end
    end,
  }))
  -- runs judged on validation data also report the test set once, at the end
  local test_accuracy = percent(net:accuracy(sets.test), #sets.test)
  return records, grads, #training, test_accuracy
end

local function best_of(records)
  local best, at = -1, 0
  for _, r in ipairs(records) do
    if r.accuracy > best then best, at = r.accuracy, r.epoch end
  end
  return best, at
end

local function series(records, field, label, set)
  local pts = {}
  for _, r in ipairs(records) do
    if r[field] then pts[#pts + 1] = {r.epoch, r[field]} end
  end
  return {name = label, set = set, points = pts}
end

--- curves(metrics): the charts of an experiment's metrics (as E.run returns
--- them or its JSON file holds them): a list of {suffix =, field =, spec =}
--- with the plot.svg spec of the accuracy curves ("", metrics.plot), the cost
--- curves ("-cost", plot_cost) and the gradient lengths ("-gradients",
--- plot_gradients) where the run has them.  Each curve names its monitored set
--- (plot colours a set alike on every chart); the book's figure, where it is a
--- number, is the accuracy chart's reference line.
-- @param metrics the metrics table to write
-- @return the charts of an experiment's metrics (as E.run returns them or its JSON file holds
--  them): a list of {suffix =, field =, spec =} with the plot.svg spec of the accuracy curves ("",
--  metrics.plot), the cost curves ("-cost", plot_cost) and the gradient lengths ("-gradients",
--  plot_gradients) where the run has them
function E.curves(metrics)
  local e = E.by_name[metrics.experiment] or {}
  local acc, cost, grads = {}, {}, nil
  for k, r in ipairs(metrics.runs or {}) do
    local cfg, records = r.config or {}, r.epochs or {}
    local eval = cfg.eval or "test"
    local label = r.label or ("run " .. k)
    acc[#acc + 1] = series(records, "accuracy", label .. " (" .. eval .. ")", eval)
    for _, m in ipairs(cfg.monitor or {}) do
      if m == "training_accuracy" then acc[#acc + 1] = series(records, m, label .. " (training)", "training") end
      if m:match("cost$") then
        local which = m == "training_cost" and "training" or eval
        cost[#cost + 1] = series(records, m, label .. " (" .. which .. ")", which)
      end
    end
    local g = r.gradient_norms
    if g and #g > 0 then
      grads = {}
      for l = 1, #g[1].norms - 1 do
        local pts = {}
        for _, p in ipairs(g) do pts[#pts + 1] = {p.trained or p.epoch, p.norms[l]} end
        grads[l] = {name = ("hidden layer %d"):format(l), points = pts}
      end
    end
  end
  local title = metrics.title or e.title or metrics.experiment
  local book = e.book_best and {y = e.book_best, label = ("book: %.2f%%"):format(e.book_best)}
  local out = {{suffix = "", field = "plot", spec = {title = title, xlabel = "epoch", ylabel = "accuracy (%)",
                series = acc, reference = book}}}
  if #cost > 0 then
    out[#out + 1] = {suffix = "-cost", field = "plot_cost",
                     spec = {title = title, xlabel = "epoch", ylabel = "cost", series = cost}}
  end
  if grads then
    out[#out + 1] = {suffix = "-gradients", field = "plot_gradients",
                     spec = {title = title, xlabel = "epochs trained (0: at initialisation)", ylabel = "length of the bias gradient",
                             series = grads}}
  end
  return out
end

--- command(name, opts): the command line that runs experiment name with opts.
-- @param name the experiment's name
-- @param opts options table (the keys are listed above)
-- @return the command line that runs experiment name with opts
function E.command(name, opts)
  local w = {"lnn", "experiment", name}
  if opts.epochs then w[#w + 1] = "--epochs" w[#w + 1] = tostring(opts.epochs) end
  if opts.train_size then w[#w + 1] = "--train-size" w[#w + 1] = tostring(opts.train_size) end
  if (opts.seed or 1) ~= 1 then w[#w + 1] = "--seed" w[#w + 1] = tostring(opts.seed) end
  if opts.data then w[#w + 1] = "--data" w[#w + 1] = opts.data end
  if opts.mpi then w[#w + 1] = "--mpi" end
  return runinfo.command(w)
end

--- run(name, opts): runs experiment name with opts {epochs, seed, data,
--- train_size, out, quiet, print, progress (the epoch driver's bar option),
--- command (the command line that ran, for the results file; default: one
--- made from opts), resume, restart, refuse (lnn.resume.open's policy for
--- the run's checkpoint),
--- dist (an lnn.distributed run: data-parallel
--- over its ranks, rank 0 alone prints and writes), stop (dist's
--- catch_signals(): a signal ends the experiment after the epoch, and the
--- metrics of the epochs run are written with interrupted = {signal, run,
--- epoch})}.  After every whole epoch rank 0 writes the checkpoint
--- <out>/<id>.checkpoint (id: lnn.registry.run_id; the finished runs of an
--- experiment of several are kept in it); at the end <out>/<id>.json and
--- .svg files, then the checkpoint is removed.  Returns the metrics table.
-- @param name the experiment's name
-- @param opts options table (the keys are listed above)
-- @return runs experiment name with opts {epochs, seed, data, train_size, out, quiet, print, dist
--  (an lnn.distributed run: data-parallel over its ranks, rank 0 alone prints and writes)}; writes
--  <out>/<id>.json and .svg files and returns the metrics table
function E.run(name, opts)
  local e = E.by_name[name]
  if not e then args.fail("run", 1, ("an experiment name expected, got %s; `lnn experiment --list` shows them")
    :format(tostring(name))) end
  opts = opts or {}
  local dist = opts.dist or distributed.start(false)
  local say = dist.root and (opts.print or print) or function() end
  local verbose = opts.quiet and function() end or say
  local out = opts.out or "results/experiments"
  local id = require("lnn.registry").run_id(name, opts)
  if dist.root then core.tools.mkdir(out) end
  local ck = resume.open(opts, resume.path(out, id), dist.root) -- refused here, before any work
  local tr, va, te = mnist_loader.load_data(opts.data)
  local sets = {training = tr, validation = va, test = te}
  local seed = opts.seed or 1
  -- what makes a checkpoint this run's: the experiment, its options, its data and lnn's version
  local first = training_of(e.runs[1], sets, opts)
  ck:check {experiment = name, seed = seed, epochs = opts.epochs or e.runs[1].epochs,
            train_size = #first, training_checksum = first:checksum(),
            validation_checksum = va:checksum(), test_checksum = te:checksum(), lnn = core.version}
  say(e.title)
  local metrics = {experiment = name, title = e.title, book = e.book, seed = seed, runs = {},
                   options = {epochs = opts.epochs, train_size = opts.train_size},
                   run = runinfo.describe(opts.command or E.command(name, opts))}
  local t0 = core.clock()
  local saved = ck.loaded and ck.loaded.state or {done = {}, seconds = 0}
  for k, cfg in ipairs(e.runs) do
    local finished = saved.done[k]
    local records, grads, ntrain, test_accuracy
    if finished then -- whole in the checkpoint
      records, grads, ntrain, test_accuracy = finished.records, finished.grads, finished.ntrain, finished.test_accuracy
    else
      local part = saved.part or {records = {}, grads = {}, sgd = {epoch = 0}}
      local resuming = saved.part ~= nil
      saved.part = nil
      local epochs = opts.epochs or cfg.epochs
      records, grads, ntrain, test_accuracy = run_one(cfg, sets, {epochs = opts.epochs, seed = seed,
        train_size = opts.train_size, dist = dist, stop = opts.stop, progress = opts.progress, part = part,
        restore = resuming and function(net) ck:restore(net) end,
        checkpoint = function(net, p)
          saved.part = p
          saved.seconds = saved.seconds + (core.clock() - t0)
          t0 = core.clock()
          ck:save(net, saved, #e.runs > 1 and ("epoch %d of %d of run '%s'"):format(p.sgd.epoch, epochs, cfg.label)
            or ("epoch %d of %d"):format(p.sgd.epoch, epochs))
          saved.part = nil
        end}, verbose)
      saved.done[k] = {records = records, grads = grads, ntrain = ntrain, test_accuracy = test_accuracy}
    end
    local best, at = best_of(records)
    metrics.runs[#metrics.runs + 1] = {label = cfg.label, config = cfg, training_images = ntrain,
                                       epochs = records, best_accuracy = best, best_epoch = at,
                                       final_accuracy = records[#records] and records[#records].accuracy,
                                       final_test_accuracy = test_accuracy}
    if e.vanishing and #grads > 0 then
      metrics.runs[#metrics.runs].gradient_norms = grads
      local at0 = {}
      for l = 1, #grads[1].norms - 1 do at0[l] = ("%.3f"):format(grads[1].norms[l]) end
      metrics.runs[#metrics.runs].summary = "at initialisation: " .. table.concat(at0, ", ")
    end
    if #records > 0 then
      local r = metrics.runs[#metrics.runs]
      r.summary = (r.summary and (r.summary .. "; ") or "")
        .. ("best %s accuracy %.2f%% (epoch %d), final %.2f%%, %d epochs"):format(cfg.eval, best, at,
          r.final_accuracy, #records)
        .. (cfg.eval == "validation" and ("; final test accuracy %.2f%%"):format(test_accuracy) or "")
    end
    -- a signal stops the experiment after the epoch (the next run is not started)
    local stop = opts.stop
    if stop and (stop.signal or (cfg ~= e.runs[#e.runs] and stop:stopping(true))) then
      metrics.interrupted = {signal = stop.signal.name, run = cfg.label, epoch = records[#records] and records[#records].epoch}
      break
    end
  end
  -- the wall time of the whole run, over every process that ran a part of it
  metrics.seconds = saved.seconds + (core.clock() - t0)
  metrics.checkpoint = metrics.interrupted and ck.path or nil
  if not dist.root then return metrics end
  for _, c in ipairs(E.curves(metrics)) do
    local path = ("%s/%s%s.svg"):format(out, id, c.suffix)
    metrics[c.field] = path
    plot.write(path, c.spec)
  end
  metrics.file = ("%s/%s.json"):format(out, id)
  core.write_file(metrics.file, json.encode(metrics) .. "\n")
  if not metrics.interrupted then ck:remove() end
  say("  book: " .. e.book)
  for _, r in ipairs(metrics.runs) do
    say(("  lnn:  [%s] %s"):format(r.label, r.summary or "no epochs run"))
  end
  say(("  %.2f s; metrics %s; plot %s%s"):format(metrics.seconds, metrics.file, metrics.plot,
    metrics.plot_cost and (", " .. metrics.plot_cost) or ""))
  return metrics
end

return E
