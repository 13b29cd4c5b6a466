--- lnn.report: one offline HTML page of the book's results beside lnn's.  It
-- reads what the experiments, the chapter 6 runs, the baselines, train.lua
-- --metrics and visualize.lua wrote under a results folder (any JSON file
-- there, found by its fields, and visualize.lua's marked folders) and writes
-- DIR/index.html: the "book vs lnn" table, learning curves as inline SVG, the
-- visualiser's pictures as data: URIs.  No network fetch, no external script
-- or font; the few lines of JavaScript only sort the table.  It does not run
-- anything itself: quick_plan() says what --quick should run and the caller
-- runs it (scripts/report.lua).
-- @internal lnn.report
local core = require "lnn.core"
local args = require "lnn.args"
local json = require "lnn.json"
local plot = require "lnn.plot"
local runinfo = require "lnn.runinfo"
local registry = require "lnn.registry"

local R = {}

-- the book's baselines (chapter 1): mnist_average_darkness.py and mnist_svm.py
R.BASELINES = {
  {name = "average_darkness", title = "Baseline: average darkness (mnist_average_darkness.py)",
   book = 22.25, script = "scripts/average_darkness.lua"},
  {name = "svm", title = "Baseline: SVM (mnist_svm.py; lnn: a linear SVM, the book: libsvm's RBF SVM)",
   book = 94.35, script = "scripts/svm_baseline.lua",
   caveat = "not like for like: lnn's SVM is linear, the book's an RBF SVM"},
  {name = "svm_rbf", title = "Baseline: RBF SVM (mnist_svm.py; lnn: random Fourier features, one-vs-one, SVC()'s gamma and C)",
   book = 94.35, script = "scripts/svm_baseline.lua", args = {"--kernel", "rbf"}, quick = false},
}
R.BASELINE = {}
for _, b in ipairs(R.BASELINES) do R.BASELINE[b.name] = b end

-- the checkout's scripts and the lnn commands they are (a page shows the lnn
-- command; the script only as a second form, when the page is built in a checkout)
local LNN_COMMAND = {["scripts/average_darkness.lua"] = "darkness", ["scripts/svm_baseline.lua"] = "svm",
  ["scripts/expand_mnist.lua"] = "expand", ["scripts/train.lua"] = "train", ["scripts/visualize.lua"] = "visualize",
  ["scripts/report.lua"] = "report"}
local SCRIPT_OF = {}
for script, cmd in pairs(LNN_COMMAND) do SCRIPT_OF[cmd] = script end

-- each part of a command line joined by " && ", rewritten by f (nil: as it is)
local function each_part(cmd, f)
  local parts = {}
  for part in (cmd .. " && "):gmatch("(.-) && ") do parts[#parts + 1] = f(part) or part end
  return table.concat(parts, " && ")
end

--- lnn_form(cmd): the command line cmd as the lnn command a reader types: a
--- checkout's script (`lua scripts/experiments/NAME.lua ...`, `lua
--- scripts/average_darkness.lua ...`, `bin/lnn ...`) becomes `lnn experiment
--- NAME ...`, `lnn darkness ...`, `lnn ...`; anything else stays as it is.
-- @tparam string cmd a command line (each part of a `&&` chain is rewritten)
-- @treturn string the lnn form
function R.lnn_form(cmd)
  return each_part(cmd, function(part)
    local words = part:gsub("^lua[%d%.]*%s+", "")
    local name, rest = words:match("^%S-scripts/experiments/([%w_]+)%.lua(.*)$")
    if name then return "lnn experiment " .. name .. rest end
    local script, rest2 = words:match("^%S-(scripts/[%w_]+%.lua)(.*)$")
    if script and LNN_COMMAND[script] then return "lnn " .. LNN_COMMAND[script] .. rest2 end
    local rest3 = words:match("^%S-bin/lnn(%s.*)$") or words:match("^%S-bin/lnn$") and ""
    if rest3 then return "lnn" .. rest3 end
  end)
end

--- script_form(cmd): the lnn command line cmd as the checkout's script
--- (`lnn experiment NAME ...` is `lua scripts/experiments/NAME.lua ...`), run
--- from the checkout's root; nil when some part has no script.
-- @tparam string cmd an lnn command line (each part of a `&&` chain is rewritten)
-- @treturn ?string the script form
function R.script_form(cmd)
  local none = false
  local out = each_part(cmd, function(part)
    local name, rest = part:match("^lnn experiment ([%w_]+)(.*)$")
    if name then return "lua scripts/experiments/" .. name .. ".lua" .. rest end
    local sub, rest2 = part:match("^lnn (%S+)(.*)$")
    if sub and SCRIPT_OF[sub] then return "lua " .. SCRIPT_OF[sub] .. rest2 end
    none = true
  end)
  if not none then return out end
end

--- checkout(): the root of the lnn checkout this module was loaded from (the
--- folder holding scripts/experiments/), or nil in an installed tree.
-- @treturn ?string the folder
function R.checkout()
  local src = debug.getinfo(1, "S").source
  local root = src:match("^@(.*)/lua/lnn/report%.lua$") or (src:match("^@lua/lnn/report%.lua$") and ".")
  local f = root and io.open(root .. "/scripts/experiments/ch1_30_hidden.lua")
  if f then f:close() return root end
end

-- the seed's test.py runs are named seed_*; the one with a book figure is chapter 5's
local SEED_CHAPTER = {seed_vanishing = "5"}
local function chapter_of(name) return name:match("^ch(%d)") or SEED_CHAPTER[name] or "-" end

--- rows(): the "book vs lnn" table's rows in the book's order: chapter 1, the
--- baselines, chapter 3, chapter 6.  Each: {id, chapter, kind ("experiment",
--- "chapter6", "baseline"), name, title, book (percent), measure, run (which
--- run of a multi-run experiment), command (the full-length one)}.
-- @return the "book vs lnn" table's rows in the book's order: chapter 1, the baselines, chapter 3,
--  chapter 6
function R.rows()
  local rows = {}
  local function add_experiment(e)
    local last = e.runs[#e.runs]
    rows[#rows + 1] = {id = e.name, chapter = chapter_of(e.name), kind = "experiment", name = e.name,
      title = e.title, book = e.book_best, run = #e.runs, approx = e.name == "ch3_init",
      measure = ("best %s accuracy over the epochs%s"):format(last.eval or "test",
        #e.runs > 1 and (" (" .. last.label .. ")") or ""),
      command = "lnn experiment " .. e.name}
  end
  for _, e in ipairs(registry.of("experiment")) do
    if e.book_best and chapter_of(e.name) == "1" then add_experiment(e) end
  end
  for _, b in ipairs(R.BASELINES) do
    rows[#rows + 1] = {id = b.name, chapter = "1", kind = "baseline", name = b.name, title = b.title, book = b.book,
      measure = "test images classified correctly", caveat = b.caveat,
      command = "lnn " .. LNN_COMMAND[b.script] .. (b.args and " " .. table.concat(b.args, " ") or "")}
  end
  for _, e in ipairs(registry.of("experiment")) do
    if e.book_best and chapter_of(e.name) ~= "1" then add_experiment(e) end
  end
  for _, r in ipairs(registry.of("chapter6")) do
    rows[#rows + 1] = {id = r.name, chapter = "6", kind = "chapter6", name = r.name,
      title = registry.by_name[r.name].title,
      book = 100 * r.book, measure = r.ensemble and "test accuracy of the plurality vote"
        or "test accuracy at the best validation accuracy",
      command = (r.expanded and "lnn expand && " or "") .. "lnn experiment " .. r.name}
  end
  return rows
end

--- qualitative(): the experiments whose book result is a sentence, not a figure.
-- @return the experiments whose book result is a sentence, not a figure
function R.qualitative()
  local t = {}
  for _, e in ipairs(registry.of("experiment")) do
    if not e.book_best then t[#t + 1] = e end
  end
  return t
end

---------------------------------------------------------------- reading

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- every file under dir whose name ends in suffix (sorted), via find(1): the
-- report is no hot path and lnn.core.tools.dir lists one folder only
local function find(dir, name)
  local p = io.popen(("find -L %s -type f -name %s 2>/dev/null | LC_ALL=C sort"):format(runinfo.shell_quote(dir),
    runinfo.shell_quote(name)))
  local out = {}
  if not p then return out end
  for line in p:lines() do out[#out + 1] = line end
  p:close()
  return out
end

local function is_null(v) return v == nil or v == json.null end

-- What the page says of a file its own computation failed on (the net under
-- the schema below): the failure is the page's (a Lua error with its position),
-- not the file's, so the reader gets this, and LNN_DEBUG=1 the error itself.
local function failed_on(err)
  if os.getenv("LNN_DEBUG") == "1" then io.stderr:write(tostring(err), "\n") end
  return "the page cannot compute its figures from it"
end

-- What a results file's fields must be, checked when the file is read so that
-- the page can trust what it shows: a field that is there has its type and a
-- sane range (null counts as absent); `need` names the keys that must be there.
-- Keys the page does not read are not checked.
local MAX_COUNT = 2 ^ 31
local function count(v)
  if type(v) ~= "number" or v ~= math.floor(v) or v < 0 or v > MAX_COUNT then
    return "a whole number from 0 to 2^31"
  end
end
local function positive(v) return count(v) or (v == 0 and "a whole number from 1 to 2^31") or nil end
local function range(lo, hi)
  return function(v)
    if type(v) ~= "number" or v ~= v or v < lo or v > hi then return ("a number from %g to %g"):format(lo, hi) end
  end
end
local function typed(t) return function(v) if type(v) ~= t then return "a " .. t end end end
local str, bool = typed("string"), typed("boolean")
local seconds_v, number_v, percent, fraction = range(0, 1e9), range(-1e9, 1e9), range(-1, 100), range(0, 1)
local seed_v = function(v) return (type(v) ~= "number" or v ~= math.floor(v) or math.abs(v) > 2 ^ 53)
  and "a whole number" or nil end
local function list(item, min)
  return {list = item, min = min}
end
local function fields(f, need) return {fields = f, need = need} end

local RUN_INFO = fields {command = str, machine = str, date = str}
local OPTIONS = fields {epochs = count, train_size = count, eval_size = count, nets = count}
local SCHEMA = {
  experiment = fields({title = str, seed = seed_v, seconds = seconds_v, options = OPTIONS, run = RUN_INFO,
    runs = list(fields {best_accuracy = percent, training_images = count, label = str, summary = str,
      config = fields {eval = str, monitor = list(str)},
      epochs = list(fields({epoch = count, accuracy = percent, total = count}, {"epoch"})),
      gradient_norms = list(fields({trained = count, epoch = count, norms = list(number_v, 2)}, {"norms"}))})},
    {"runs"}),
  chapter6 = fields {about = str, seed = seed_v, seconds = seconds_v, shuffle = bool, options = OPTIONS, run = RUN_INFO,
    test_accuracy = fraction, vote_test_accuracy = fraction, test_images = positive, training_images = count,
    epochs = list(fields({epoch = count, validation_accuracy = fraction, test_accuracy = fraction},
      {"epoch", "validation_accuracy"})),
    members = list(fields {seed = seed_v, epochs = list(fields {})})},
  baseline = fields({seed = seed_v, seconds = seconds_v, run = RUN_INFO, correct = count, total = positive},
    {"correct", "total"}),
  train = fields({run = RUN_INFO, eta = number_v, sizes = list(positive),
    epochs = list(fields({epoch = count, correct = count, total = positive, seconds = seconds_v},
      {"epoch", "correct", "total"}), 1)}, {"epochs"}),
  visualize = fields {network = str, set = str, correct = count, total = positive,
    confusion = list(list(count, 10), 10)},
}

-- nil if v fits schema s, else why not ("runs[1].epochs[2].total: a whole number ...");
-- nulls in tables become absent on the way
local function misfit(v, s, where)
  if type(s) == "function" then
    local want = s(v)
    return want and ("%s: %s expected, got %s"):format(where, want,
      type(v) == "string" and ("%q"):format(#v > 20 and v:sub(1, 20) .. "..." or v) or
      type(v) == "number" and ("%.6g"):format(v) or type(v))
  end
  if type(v) ~= "table" then return ("%s: %s expected, got %s"):format(where, s.list and "a list" or "an object", type(v)) end
  if s.list then
    if #v < (s.min or 0) then return ("%s: at least %d items expected, got %d"):format(where, s.min, #v) end
    for i = 1, #v do
      local why = misfit(v[i], s.list, ("%s[%d]"):format(where, i))
      if why then return why end
    end
    return nil
  end
  if #v > 0 then return ("%s: an object expected, got a list"):format(where == "" and "the file" or where) end
  for _, k in ipairs(s.need or {}) do
    if is_null(v[k]) then return ("%s%s missing"):format(where == "" and "" or where .. ".", k) end
  end
  for k, fs in pairs(s.fields) do
    if v[k] == json.null then v[k] = nil end
    if v[k] ~= nil then
      local why = misfit(v[k], fs, where == "" and k or where .. "." .. k)
      if why then return why end
    end
  end
end

local probe -- (below) computes for a file what the page shows of it; an error there makes it unreadable

local function classify(m)
  if type(m) ~= "table" then return nil end
  if type(m.experiment) == "string" then return registry.kind(m.experiment) end
  if type(m.baseline) == "string" and R.BASELINE[m.baseline] then return "baseline" end
  if m.kind == "visualize" then return "visualize" end
  if type(m.epochs) == "table" and type(m.epochs[1]) == "table" and m.epochs[1].correct then return "train" end
  return nil
end

--- collect(results): what the results folder holds: {experiment = {name ->
--- list}, chapter6 = {name -> list}, baseline = {name -> list}, train = list,
--- visualize = list of {dir, summary, pictures = {confusion, misclassified,
--- weights}}, unreadable = list of {path, err}}.  Every list item is the
--- decoded JSON with .path (its file) added.
-- @param results {[job] = value} of this rank's jobs
-- @param skip a path prefix: files under it are left out
-- @return what the results folder holds: {experiment = {name -> list}, chapter6 = {name -> list},
--  baseline = {name -> list}, train = list, visualize = list of {dir, summary, pictures =
--  {confusion, misclassified, weights}}, unreadable = list of {path, err}}
function R.collect(results, skip)
  local c = {experiment = {}, chapter6 = {}, baseline = {}, train = {}, visualize = {}, unreadable = {}}
  for _, path in ipairs(find(results, "*.json")) do
    if not (skip and path:sub(1, #skip) == skip) then
      local text = read(path)
      local ok, m = pcall(json.decode, text or "", path)
      if not ok then
        c.unreadable[#c.unreadable + 1] = {path = path, err = m}
      else
        local kind = classify(m)
        local why = kind and (misfit(m, SCHEMA[kind], "") or probe(kind, m))
        if why then
          c.unreadable[#c.unreadable + 1] = {path = path, err = why}
        elseif kind then
          m.path = path
          if kind == "train" or kind == "visualize" then
            if kind == "train" then c.train[#c.train + 1] = m end
          else
            local key = kind == "baseline" and m.baseline or m.experiment
            c[kind][key] = c[kind][key] or {}
            table.insert(c[kind][key], m)
          end
        end
      end
    end
  end
  for _, mark in ipairs(find(results, ".lnn-visualize")) do
    local dir = mark:match("^(.*)/[^/]*$")
    local v = {dir = dir, pictures = {}}
    local s = read(dir .. "/summary.json")
    if s then
      local ok, m = pcall(json.decode, s, dir .. "/summary.json")
      local why = not ok and m or misfit(m, SCHEMA.visualize, "")
      if why then
        c.unreadable[#c.unreadable + 1] = {path = dir .. "/summary.json", err = why}
      else
        v.summary = m
      end
    end
    for _, p in ipairs {"confusion", "misclassified", "weights"} do
      local f = dir .. "/" .. p .. ".png"
      if read(f) then v.pictures[p] = f end
    end
    c.visualize[#c.visualize + 1] = v
  end
  return c
end

---------------------------------------------------------------- judging

local function fmt_int(n)
  local s = tostring(math.floor(n + 0.5))
  return (s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", ""))
end
R.fmt_int = fmt_int

-- the figure lnn's result m reports for row (percent), the number of images it
-- is measured on, and the run time
local function figure(row, m)
  if row.kind == "experiment" then
    local r = m.runs and m.runs[row.run]
    if not r or is_null(r.best_accuracy) or r.best_accuracy < 0 then return nil end
    local n = r.epochs and r.epochs[1] and r.epochs[1].total
    return r.best_accuracy, n, m.seconds
  elseif row.kind == "chapter6" then
    local acc = registry.by_name[row.name].def.ensemble and m.vote_test_accuracy or m.test_accuracy
    if type(acc) ~= "number" then return nil end
    return 100 * acc, type(m.test_images) == "number" and m.test_images or 10000, m.seconds
  else
    if type(m.correct) ~= "number" or type(m.total) ~= "number" or m.total <= 0 then return nil end
    return 100 * m.correct / m.total, m.total, m.seconds
  end
end

--- shortness(row, m): nil for a full-length run of row, else why it is short
--- ("3 of 30 epochs", "10,000 of 50,000 training images", ...).  Judged from
--- what the file records, not from a flag it may not carry.
-- @param row the report's row (what the book's figure is for)
-- @param m one result file of the row (decoded JSON)
-- @return nil for a full-length run of row, else why it is short ("3 of 30 epochs", "10,000 of
--  50,000 training images", ...)
function R.shortness(row, m)
  local why = {}
  local opts = type(m.options) == "table" and m.options or {}
  if row.kind == "experiment" then
    local e = registry.by_name[row.name].def
    local cfg = e.runs[row.run]
    local r = m.runs and m.runs[row.run] or {}
    local ran = r.epochs and #r.epochs or 0
    local stops_early = cfg.early_stopping_n or cfg.schedule_n
    local asked = type(opts.epochs) == "number" and opts.epochs or nil
    if (asked and asked < cfg.epochs) or (not stops_early and ran < cfg.epochs) then
      why[#why + 1] = ("%d of %d epochs"):format(asked or ran, cfg.epochs)
    end
    local full = cfg.train_size or 50000
    if type(r.training_images) == "number" and r.training_images < full then
      why[#why + 1] = ("%s of %s training images"):format(fmt_int(r.training_images), fmt_int(full))
    end
  elseif row.kind == "chapter6" then
    local run = registry.by_name[row.name].def
    local epochs = type(opts.epochs) == "number" and opts.epochs
    if not epochs and type(m.epochs) == "table" and #m.epochs > 0 then epochs = #m.epochs end
    if not epochs and type(m.members) == "table" and type(m.members[1]) == "table"
      and type(m.members[1].epochs) == "table" then epochs = #m.members[1].epochs end
    if epochs and epochs < run.epochs then why[#why + 1] = ("%d of %d epochs"):format(epochs, run.epochs) end
    local full = run.expanded and 250000 or 50000
    if type(m.training_images) == "number" and m.training_images < full then
      why[#why + 1] = ("%s of %s training images"):format(fmt_int(m.training_images), fmt_int(full))
    end
    if type(opts.eval_size) == "number" and opts.eval_size < 10000 then
      why[#why + 1] = ("%s of 10,000 test images"):format(fmt_int(opts.eval_size))
    end
    if run.ensemble then
      local nets = type(m.members) == "table" and #m.members or 5
      if nets < 5 then why[#why + 1] = ("%d of 5 networks"):format(nets) end
    end
  end
  if #why == 0 then return nil end
  return table.concat(why, ", ")
end

--- command_of(row, m): the command that reproduces result m of row: the one
--- the file records, else one made from what it records (and true as the
--- second result: reconstructed).
-- @param row the report's row (what the book's figure is for)
-- @param m one result file of the row (decoded JSON)
-- @return the command that reproduces result m of row: the one the file records, else one made from
--  what it records (and true as the second result: reconstructed)
function R.command_of(row, m)
  if type(m.run) == "table" and type(m.run.command) == "string" then return R.lnn_form(m.run.command), false end
  local opts = type(m.options) == "table" and m.options or {}
  if row.kind == "experiment" then
    local e = registry.by_name[row.name].def
    local cfg, r = e.runs[row.run or #e.runs], m.runs and m.runs[row.run or #e.runs] or {}
    local o = {seed = type(m.seed) == "number" and m.seed or 1, epochs = opts.epochs, train_size = opts.train_size}
    local ran = r.epochs and #r.epochs or 0
    if not o.epochs and not (cfg.early_stopping_n or cfg.schedule_n) and ran < cfg.epochs then o.epochs = ran end
    if not o.train_size and type(r.training_images) == "number" and r.training_images < (cfg.train_size or 50000) then
      o.train_size = r.training_images
    end
    return R.lnn_form(registry.command(row.name, o)), true
  elseif row.kind == "chapter6" then
    local run = registry.by_name[row.name].def
    local o = {seed = type(m.seed) == "number" and m.seed or 1, shuffle = m.shuffle == true, epochs = opts.epochs,
               train_size = opts.train_size, eval_size = opts.eval_size}
    if not o.epochs then o.epochs = type(m.epochs) == "table" and #m.epochs > 0 and #m.epochs or run.epochs end
    local full = run.expanded and 250000 or 50000
    if not o.train_size and type(m.training_images) == "number" and m.training_images < full then
      o.train_size = m.training_images
    end
    if run.ensemble and type(m.members) == "table" then o.nets = #m.members end
    return R.lnn_form(registry.command(row.name, o)), true
  end
  return row.command, true
end

-- the epochs result m of row ran (the row's run of a multi-run experiment, a
-- chapter 6 run's or its first member's), nil for a baseline
local function epochs_ran(row, m)
  if row.kind == "experiment" then
    local r = m.runs and m.runs[row.run]
    return r and r.epochs and #r.epochs or 0
  elseif row.kind == "chapter6" then
    if type(m.epochs) == "table" and #m.epochs > 0 then return #m.epochs end
    local first = type(m.members) == "table" and m.members[1]
    return type(first) == "table" and type(first.epochs) == "table" and #first.epochs or 0
  end
end

-- the training images times epochs that result m of kind trained (all runs of
-- an experiment, all members of an ensemble): what its seconds paid for
local function work_of(kind, m)
  local n = 0
  if kind == "experiment" then
    for _, r in ipairs(m.runs or {}) do
      n = n + (r.epochs and #r.epochs or 0) * (type(r.training_images) == "number" and r.training_images or 0)
    end
  elseif kind == "chapter6" then
    local images = type(m.training_images) == "number" and m.training_images or 0
    if type(m.members) == "table" and #m.members > 0 then
      for _, x in ipairs(m.members) do n = n + (type(x.epochs) == "table" and #x.epochs or 0) * images end
    else
      n = (type(m.epochs) == "table" and #m.epochs or 0) * images
    end
  end
  return n
end

local function date_of(m)
  return type(m.run) == "table" and type(m.run.date) == "string" and m.run.date or ""
end

--- judge(row, list): the table cell values for row from its result files:
--- {status = "not run" | "full" | "short", value, n (runs), seeds, diff,
--- noise = {within, se, basis}, seconds, machine, command, short (why),
--- epochs and values (each chosen run's), sd (over seeds, with two or more)}.
--- Full-length runs win over short ones; full runs of different seeds are
--- averaged (the newest file per seed counts), and with three or more seeds
--- their spread is the noise; otherwise the binomial error of one accuracy.
-- @param row the report's row (what the book's figure is for)
-- @param list the row's result files (decoded JSON)
-- @return the table cell values for row from its result files: {status = "not run" | "full" |
--  "short", value, n (runs), seeds, diff, noise = {within, se, basis}, seconds, machine, command,
--  short (why), epochs, values, sd}
function R.judge(row, list)
  local full, short = {}, {}
  for _, m in ipairs(list or {}) do
    local v, n, secs = figure(row, m)
    if v then
      local item = {m = m, value = v, images = n, seconds = secs, why = R.shortness(row, m)}
      if item.why then short[#short + 1] = item else full[#full + 1] = item end
    end
  end
  if #full == 0 and #short == 0 then return {status = "not run", command = row.command} end
  local chosen, status
  if #full > 0 then
    -- one per seed, the newest
    local by_seed = {}
    for _, it in ipairs(full) do
      local seed = type(it.m.seed) == "number" and it.m.seed or 1
      local old = by_seed[seed]
      if not old or date_of(it.m) >= date_of(old.m) then by_seed[seed] = it end
    end
    chosen = {}
    for _, it in pairs(by_seed) do chosen[#chosen + 1] = it end
    table.sort(chosen, function(a, b) return (a.m.seed or 1) < (b.m.seed or 1) end)
    status = "full"
  else
    table.sort(short, function(a, b) return date_of(a.m) > date_of(b.m) end)
    chosen, status = {short[1]}, "short"
  end
  local n, sum, secs = #chosen, 0, 0
  for _, it in ipairs(chosen) do sum, secs = sum + it.value, secs + (it.seconds or 0) end
  local mean = sum / n
  local out = {status = status, value = mean, n = n, seconds = secs / n, short = chosen[1].why,
               diff = row.book and (mean - row.book), seeds = {}, files = {}}
  out.epochs, out.values = {}, {}
  for _, it in ipairs(chosen) do
    out.seeds[#out.seeds + 1] = type(it.m.seed) == "number" and it.m.seed or 1
    out.files[#out.files + 1] = it.m.path
    out.epochs[#out.epochs + 1] = epochs_ran(row, it.m)
    out.values[#out.values + 1] = it.value
  end
  if n >= 2 then
    local ss = 0
    for _, it in ipairs(chosen) do ss = ss + (it.value - mean) ^ 2 end
    out.sd = math.sqrt(ss / (n - 1))
  end
  local info = chosen[1].m.run
  out.machine = type(info) == "table" and info.machine or nil
  out.command, out.reconstructed = R.command_of(row, chosen[1].m)
  out.date = type(info) == "table" and info.date or nil
  if n >= 3 then
    local sd = out.sd
    out.noise = {se = sd * math.sqrt(1 + 1 / n), basis = ("spread of %d seeds (sd %.2f)"):format(n, sd)}
  else
    local images = chosen[1].images or 10000
    local p = math.min(math.max(mean / 100, 0), 1)
    local sd = 100 * math.sqrt(p * (1 - p) / images)
    out.noise = {se = sd * math.sqrt(1 + 1 / n), basis = ("binomial, %s images"):format(fmt_int(images))}
  end
  if out.diff then out.noise.within = math.abs(out.diff) <= 2 * out.noise.se end
  return out
end

-- probe(kind, m): nil, or why the page cannot show file m: what the page
-- computes of it (its figure, shortness, command, charts), under pcall.  The
-- schema above says why in the file's terms; this is the net under it.
function probe(kind, m)
  local ok, err = pcall(function()
    local rows = {}
    for _, row in ipairs(R.rows()) do
      if row.kind == kind and (row.name == m.experiment or row.name == m.baseline) then rows[#rows + 1] = row end
    end
    if kind == "experiment" and #rows == 0 then
      rows[1] = {kind = kind, name = m.experiment, run = #registry.by_name[m.experiment].def.runs}
    end
    for _, row in ipairs(rows) do
      figure(row, m)
      R.shortness(row, m)
      R.command_of(row, m)
    end
    local charts = (kind == "experiment" or kind == "chapter6") and registry.curves(kind, m) or {}
    for _, ch in ipairs(charts) do plot.svg(ch.spec) end
  end)
  if not ok then return "cannot be shown: " .. failed_on(err) end
end


--- quick_plan(collected, opts): the short runs the quick option makes for what is
--- missing, in order: a list of {name, args (the script and its flags, after
--- the interpreter), lnn (the same as the arguments of the lnn command), short
--- (what makes it short), mkdir (a folder to make first, or nil)}.  opts {results, data,
--- expanded (true when the expanded training set exists)}.
R.QUICK = {
  default = {epochs = 3},
  ch3_overfitting = {epochs = 30}, ch3_l2_1000 = {epochs = 30}, ch4_vanishing = {epochs = 5},
  ch6_1 = {epochs = 3},
  ch6_2 = {epochs = 1, train_size = 5000, eval_size = 2000}, ch6_3 = {epochs = 1, train_size = 5000, eval_size = 2000},
  ch6_4 = {epochs = 1, train_size = 5000, eval_size = 2000}, ch6_5 = {epochs = 1, train_size = 5000, eval_size = 2000},
  ch6_6 = {epochs = 1, train_size = 5000, eval_size = 2000}, ch6_7 = {epochs = 1, train_size = 5000, eval_size = 2000},
  ch6_8 = {epochs = 1, train_size = 3000, eval_size = 2000, nets = 3},
}
--- quick_plan(c, opts): the short runs for what is missing (described above R.QUICK).
-- @param c what collect() found
-- @tparam table opts {results, data, expanded}
-- @treturn table the list of runs {name, args, lnn, short, mkdir}
function R.quick_plan(c, opts)
  local res = opts.results
  local plan = {}
  local data = opts.data and {"--data", opts.data} or {}
  local function add(name, args, short, mkdir)
    for _, a in ipairs(data) do args[#args + 1] = a end
    -- the same run as an `lnn` command line: scripts/X.lua is lnn's command X
    local lnn = {}
    local exp = args[1]:match("^scripts/experiments/(.-)%.lua$")
    if exp then lnn = {"experiment", exp} else lnn = {LNN_COMMAND[args[1]]} end
    for i = 2, #args do lnn[#lnn + 1] = args[i] end
    plan[#plan + 1] = {name = name, args = args, lnn = lnn, short = short, mkdir = mkdir}
  end
  for _, e in ipairs(registry.of("experiment")) do
    if not c.experiment[e.name] then
      local q = R.QUICK[e.name] or R.QUICK.default
      add(e.name, {"scripts/experiments/" .. e.name .. ".lua", "--epochs", tostring(q.epochs), "--quiet",
                   "--out", res .. "/experiments"}, ("%d epochs"):format(q.epochs))
    end
  end
  for _, b in ipairs(R.BASELINES) do
    -- (the RBF SVM takes minutes: --quick leaves it to a run of its own)
    if not c.baseline[b.name] and b.quick ~= false then add(b.name, {b.script, "--out", res .. "/baselines"}, nil) end
  end
  local need_expanded = false
  for _, r in ipairs(registry.of("chapter6")) do
    if not c.chapter6[r.name] then
      if r.expanded and not opts.expanded and not need_expanded then
        need_expanded = true
        add("expand_mnist", {"scripts/expand_mnist.lua"}, nil)
      end
      local q = R.QUICK[r.name]
      local args = {"scripts/experiments/" .. r.script, "--epochs", tostring(q.epochs)}
      local what = {("%d epoch%s"):format(q.epochs, q.epochs == 1 and "" or "s")}
      if q.train_size then
        args[#args + 1], args[#args + 2] = "--train-size", tostring(q.train_size)
        what[#what + 1] = fmt_int(q.train_size) .. " training images"
      end
      if q.eval_size then
        args[#args + 1], args[#args + 2] = "--eval-size", tostring(q.eval_size)
        what[#what + 1] = fmt_int(q.eval_size) .. " validation and test images"
      end
      if q.nets then
        args[#args + 1], args[#args + 2] = "--nets", tostring(q.nets)
        what[#what + 1] = q.nets .. " networks"
      end
      for _, a in ipairs {"--quiet", "--out", res .. "/experiments"} do args[#args + 1] = a end
      add(r.name, args, table.concat(what, ", "))
    end
  end
  if #c.train == 0 or #c.visualize == 0 then
    local net = res .. "/train/quick.lnn"
    if #c.train == 0 then
      add("train", {"scripts/train.lua", "--epochs", "3", "--quiet", "--save", net,
                    "--metrics", res .. "/train/quick.json"}, "3 epochs", res .. "/train")
    end
    if #c.visualize == 0 then
      local have = read(net) ~= nil or #c.train == 0
      if not have then
        add("train", {"scripts/train.lua", "--epochs", "3", "--quiet", "--save", net}, "3 epochs", res .. "/train")
      end
      add("visualize", {"scripts/visualize.lua", net, "--out", res .. "/visualize"}, nil)
    end
  end
  return plan
end

-- full runs: what lnn report --full plans, and its estimate of their time

-- FULL_SEEDS: the seeds the full option runs each cheap row with (chapters 1 to 5, 6.1).
R.FULL_SEEDS = {1, 2, 3}

-- the network family of a row: a run with no result of its own to time is
-- estimated from its family's (6.5 is the 6.4 net, 6.8 five 6.7 nets)
local FAMILY = {ch6_1 = "fc3", ch6_2 = "conv1", ch6_3 = "conv2", ch6_4 = "conv2", ch6_5 = "conv2",
                ch6_6 = "conv2fc2", ch6_7 = "dropout", ch6_8 = "dropout"}
local function family_of(row)
  if row.kind == "experiment" then return "fc2" end
  return FAMILY[row.name] or row.name
end

-- PER_IMAGE: the fallback seconds per training image and epoch of each
-- family (evaluation included), for a row whose family has no result yet,
-- timed alone on the machine named here: the network2 nets and 6.1 from
-- full-length runs of ch1_30_hidden (2.09 s) and ch6_1 (9.42 s), the conv
-- nets from one epoch on 5,000 images (validation and test 1,000 each; 400
-- for the expanded-set nets) of 6.2, 6.3, 6.6 and 6.7.
R.PER_IMAGE = {machine = "AMD EPYC with AVX-512, 2 cores, 2026-12-08",
  fc2 = 1.4e-6, fc3 = 3.1e-6, conv1 = 7.1e-5, conv2 = 9.4e-5, conv2fc2 = 7.5e-5, dropout = 2.1e-4}

-- the training images times epochs of a full-length run of row (all its runs,
-- all members): what the estimate multiplies by the seconds per image
local function full_work(row)
  local d = registry.by_name[row.name].def
  if row.kind == "experiment" then
    local n = 0
    for _, cfg in ipairs(d.runs) do n = n + cfg.epochs * (cfg.train_size or 50000) end
    return n, ("%d epochs x %s images"):format(d.runs[#d.runs].epochs, fmt_int(d.runs[#d.runs].train_size or 50000))
      .. (#d.runs > 1 and (" (%d runs)"):format(#d.runs) or "")
  end
  local images, nets = d.expanded and 250000 or 50000, d.ensemble and 5 or 1
  return d.epochs * images * nets, ("%d epochs x %s images%s"):format(d.epochs, fmt_int(images),
    nets > 1 and (" x %d nets"):format(nets) or "")
end

local function median(t)
  table.sort(t)
  local n = #t
  return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2
end

-- seconds per training image of row from the results collected (its own runs,
-- else its family's, else PER_IMAGE), and how that figure was made
local function per_image(c, row)
  local function of(r)
    local t = {}
    for _, m in ipairs(c[r.kind][r.name] or {}) do
      local w = work_of(r.kind, m)
      if type(m.seconds) == "number" and m.seconds > 0 and w > 0 then t[#t + 1] = m.seconds / w end
    end
    return t
  end
  local own = of(row)
  if #own > 0 then return median(own), ("its %d result%s here"):format(#own, #own == 1 and "" or "s") end
  local fam, names = {}, {}
  for _, r in ipairs(R.rows()) do
    if r.kind ~= "baseline" and family_of(r) == family_of(row) then
      local t = of(r)
      for _, v in ipairs(t) do fam[#fam + 1] = v end
      if #t > 0 then names[#names + 1] = r.name end
    end
  end
  if #fam > 0 then return median(fam), "its family's results: " .. table.concat(names, ", ") end
  return R.PER_IMAGE[family_of(row)], "the built-in figure (" .. R.PER_IMAGE.machine .. ")"
end

--- full_plan(c, opts): the full-length runs the full option makes for the headlines
--- without a full-length result in c, in order: the baselines, the cheap rows
--- (chapters 1 to 5 with a book figure, 6.1) seed by seed over FULL_SEEDS
--- (only the seeds they lack), then 6.2 to 6.8 once with seed 1 (unless
--- any seed has a full-length result), `lnn expand` before the first that
--- needs the expanded set when it is missing.  Each is {name, seed, lnn (the
--- lnn command's arguments: an experiment with the resume flag), work (what a run
--- trains, as words), estimate (seconds, nil when not estimated), basis (how
--- the estimate was made)}.
-- @param c what collect() found
-- @tparam table opts {results, data, expanded (true when the expanded training set exists)}
-- @treturn table the list of runs
function R.full_plan(c, opts)
  local res, plan = opts.results, {}
  local function add(step)
    if opts.data then step.lnn[#step.lnn + 1] = "--data" step.lnn[#step.lnn + 1] = opts.data end
    plan[#plan + 1] = step
  end
  -- the seeds of row's full-length results
  local function full_seeds(row)
    local have = {}
    for _, m in ipairs(c[row.kind][row.name] or {}) do
      if figure(row, m) and not R.shortness(row, m) then have[type(m.seed) == "number" and m.seed or 1] = true end
    end
    return have
  end
  local function experiment(row, seed)
    local work, words = full_work(row)
    local cost, basis = per_image(c, row)
    add {name = row.name, seed = seed, work = words, estimate = work * cost,
         basis = ("%.2g s per image from %s"):format(cost, basis),
         lnn = {"experiment", row.name, "--seed", tostring(seed), "--resume", "--quiet", "--out", res .. "/experiments"}}
  end
  local cheap, conv = {}, {}
  for _, row in ipairs(R.rows()) do
    if row.kind == "baseline" then
      if not next(full_seeds(row)) then
        local b = R.BASELINE[row.name]
        local prev = {}
        for _, m in ipairs(c.baseline[row.name] or {}) do
          if type(m.seconds) == "number" then prev[#prev + 1] = m.seconds end
        end
        local lnn = {LNN_COMMAND[b.script]}
        for _, a in ipairs(b.args or {}) do lnn[#lnn + 1] = a end
        lnn[#lnn + 1], lnn[#lnn + 2] = "--out", res .. "/baselines"
        add {name = row.name, lnn = lnn, work = "one run (no epochs)", estimate = #prev > 0 and median(prev) or nil,
             basis = #prev > 0 and "its earlier runs here" or "no earlier run to time"}
      end
    elseif row.kind == "experiment" or row.name == "ch6_1" then
      cheap[#cheap + 1] = row
    else
      conv[#conv + 1] = row
    end
  end
  for _, seed in ipairs(R.FULL_SEEDS) do
    for _, row in ipairs(cheap) do
      if not full_seeds(row)[seed] then experiment(row, seed) end
    end
  end
  local expanded = opts.expanded
  for _, row in ipairs(conv) do
    if not next(full_seeds(row)) then
      if registry.by_name[row.name].def.expanded and not expanded then
        expanded = true
        add {name = "expand", lnn = {"expand"}, work = "250,000 shifted images", basis = "not estimated (minutes)"}
      end
      experiment(row, 1)
    end
  end
  return plan
end

---------------------------------------------------------------- writing

local esc = plot.escape -- every string a results file, a file name or the machine brings

--- escape(s): s with & < > " and ' written as HTML entities: the one escape
-- of the page and of its charts (lnn.plot's), for text and attributes alike.
-- @param s the text to escape
-- @return the escaped string
function R.escape(s) return esc(s) end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
--- base64(s): s in base64 (RFC 4648, with padding).
-- @param s the bytes to encode
-- @return s in base64 (RFC 4648, with padding)
function R.base64(s)
  local out, n = {}, #s
  local enc = {}
  for i = 0, 63 do enc[i] = B64:sub(i + 1, i + 1) end
  for i = 1, n - 2, 3 do
    local a, b, c = s:byte(i, i + 2)
    local v = a << 16 | b << 8 | c
    out[#out + 1] = enc[v >> 18] .. enc[v >> 12 & 63] .. enc[v >> 6 & 63] .. enc[v & 63]
  end
  local rest = n % 3
  if rest == 1 then
    local v = s:byte(n) << 16
    out[#out + 1] = enc[v >> 18] .. enc[v >> 12 & 63] .. "=="
  elseif rest == 2 then
    local a, b = s:byte(n - 1, n)
    local v = a << 16 | b << 8
    out[#out + 1] = enc[v >> 18] .. enc[v >> 12 & 63] .. enc[v >> 6 & 63] .. "="
  end
  return table.concat(out)
end

local function pct(v) return v and ("%.2f%%"):format(v) or "" end

local function seconds(s)
  if type(s) ~= "number" then return "" end
  if s < 100 then return ("%.1f s"):format(s) end
  if s < 6000 then return ("%.1f min"):format(s / 60) end
  return ("%.1f h"):format(s / 3600)
end

local CSS = [[
:root { --test: #0072b2; --validation: #e69f00; --training: #009e73; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1a1a1a;
  margin: 0 auto; max-width: 64rem; padding: 1rem 1.5rem 3rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { margin-bottom: .3rem; }
dl.info { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .8rem 0; }
dl.info dt { font-weight: 600; } dl.info dd { margin: 0; }
nav ul { padding-left: 1.2rem; columns: 2; }
table { border-collapse: collapse; width: 100%; font-size: .86rem; margin: .6rem 0; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
table#book-vs-lnn { table-layout: fixed; }
th, td { overflow-wrap: break-word; border: 1px solid #ccc; padding: .25rem .4rem; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
td.lnn { text-align: right; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafafa; }
tr.notrun td { color: #555; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .8rem; overflow-wrap: break-word; }
.tag { display: inline-block; font-size: .75rem; padding: 0 .35rem; border-radius: .25rem; border: 1px solid; }
.short { background: #fff4d6; border-color: #b98900; color: #6b4f00; }
.yes { color: #176b2c; font-weight: 600; } .no { color: #a4161a; font-weight: 600; }
.muted { color: #555; }
.nb { white-space: nowrap; }
figure { margin: 1rem 0; break-inside: avoid; }
figure svg, figure img { max-width: 100%; height: auto; }
figure img.pixels { image-rendering: pixelated; border: 1px solid #ccc; }
figcaption { font-size: .85rem; color: #333; }
.charts { display: flex; flex-wrap: wrap; gap: .5rem 1rem; }
.charts figure { flex: 1 1 40rem; margin: .4rem 0; max-width: 46rem; }
.key span { display: inline-block; margin-right: 1rem; }
.key i { display: inline-block; width: 1.6rem; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: .3rem; }
svg circle.pt:hover { fill-opacity: 1; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; text-align: left; }
th button::after { content: " \2195"; color: #888; }
.print-only { display: none; }
table.confusion td { text-align: right; font-variant-numeric: tabular-nums; }
table.confusion td.diag { background: #e3f1e6; font-weight: 600; }
table.confusion { width: auto; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  nav, th button { display: none; }
  th .print-only { display: inline; }
  .screen-only { display: none; }
  h2 { break-after: avoid; margin-top: 1.2rem; }
  table { font-size: 7.5pt; } code { font-size: 7pt; }
  tr, figure { break-inside: avoid; }
  h3 { break-after: avoid; }
  .charts figure { max-width: 62%; margin: .2rem 0; }
  a { color: inherit; text-decoration: none; }
}
]]

-- sorts the book-vs-lnn table by a column when its header is clicked; the
-- buttons exist only when this runs, so without JavaScript the headers are text
local JS = [[
(function () {
  var table = document.getElementById("book-vs-lnn");
  if (!table) return;
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = th.textContent;
    b.title = "sort by " + th.textContent;
    var label = document.createElement("span");
    label.className = "print-only";
    label.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(b);
    th.appendChild(label);
    b.addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (r1, r2) {
        var a = r1.cells[col].getAttribute("data-sort") || r1.cells[col].textContent;
        var c = r2.cells[col].getAttribute("data-sort") || r2.cells[col].textContent;
        var x = parseFloat(a), y = parseFloat(c);
        var d = (!isNaN(x) && !isNaN(y)) ? x - y : a.localeCompare(c);
        if (isNaN(x) !== isNaN(y)) d = isNaN(x) ? 1 : -1;
        return up ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
]]

local function data_uri(path)
  local s = read(path)
  if not s then return nil end
  return "data:image/png;base64," .. R.base64(s), s
end

local function png_size(s)
  if not s or #s < 24 then return nil end
  local w = s:byte(17) << 24 | s:byte(18) << 16 | s:byte(19) << 8 | s:byte(20)
  local h = s:byte(21) << 24 | s:byte(22) << 16 | s:byte(23) << 8 | s:byte(24)
  return w, h
end

-- a command for a narrow column: may break after a slash or before a flag
local function cmd_html(cmd)
  return (esc(cmd):gsub("/", "/<wbr>"):gsub(" (%-%-[%w%-]+)", ' <span class="nb">%1</span>'))
end

-- a command as the page shows it: the lnn command, and inside a checkout the
-- script that is the same run as a second form
local function cmd_forms(ctx, cmd)
  local script = ctx.checkout and R.script_form(cmd)
  return ("<code>%s</code>%s"):format(cmd_html(cmd), script
    and ('<br><span class="muted">in the checkout: <code>%s</code></span>'):format(cmd_html(script)) or "")
end

-- the shown command for a judged row
local function command_cell(ctx, j, row)
  local cmd = j.command or row.command
  local extra = ""
  if j.n and j.n > 1 then
    local s = {}
    for k, v in ipairs(j.seeds) do s[k] = tostring(v) end
    extra = ("<br><span class=\"muted\">%d runs, seeds %s (<code>--seed N</code>)</span>"):format(j.n, table.concat(s, ", "))
  end
  if j.reconstructed then extra = extra .. '<br><span class="muted">(made from the file; it records none)</span>' end
  return cmd_forms(ctx, cmd) .. extra
end

local function id_of(s) return (tostring(s):gsub("[^%w%-_]", "-")) end

-- The page is built section by section, each function writing through w
-- (which appends its strings) from ctx: c (what collect found), about, info
-- (runinfo of the builder), rows, judged (R.judge of each row), not_run(name)
-- (what a row without a run says) and the counts the header gives.

local function page_context(c, about)
  local ctx = {c = c, about = about, info = about.built or runinfo.describe(), rows = R.rows(), judged = {},
               n_run = 0, n_within = 0, n_short = 0}
  local failed = {}
  for _, how in ipairs {"quick", "full"} do
    for _, q in ipairs(about[how] or {}) do if not q.ok and q.name then failed[q.name] = how end end
  end
  -- the script forms are shown when the page is built in a checkout (about.checkout false: never)
  if about.checkout ~= false then ctx.checkout = R.checkout() end
  function ctx.not_run(name)
    return failed[name] and ('not run: the --%s run failed (<a href="#about">see below</a>)'):format(failed[name])
      or "not run yet"
  end
  for i, row in ipairs(ctx.rows) do
    local j = R.judge(row, c[row.kind][row.name])
    ctx.judged[i] = j
    if j.status ~= "not run" then ctx.n_run = ctx.n_run + 1 end
    if j.status == "short" then ctx.n_short = ctx.n_short + 1 end
    if j.status == "full" and j.noise and j.noise.within and not row.caveat then ctx.n_within = ctx.n_within + 1 end
  end
  return ctx
end

-- the document's head, the page's header (the summary line and the builder) and the contents
local function page_header(w, ctx)
  local about, info, rows = ctx.about, ctx.info, ctx.rows
  local n_run, n_within, n_short = ctx.n_run, ctx.n_within, ctx.n_short
  w('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
    '<title>lnn: the book\'s results beside lnn\'s</title>\n<style>', CSS, '</style>\n</head>\n<body>\n')
  w('<header>\n<h1>Neural Networks and Deep Learning: the book\'s results beside lnn\'s</h1>\n')
  w(('<p>%d of the book\'s %d headline results have an lnn run in <code>%s</code>; %d of them at full length, '
    .. '%d as a <span class="tag short">short run</span>. Full-length runs within run-to-run noise of the '
    .. 'book: %d.</p>\n'):format(n_run, #rows, esc(about.results), n_run - n_short, n_short, n_within))
  w('<dl class="info">\n')
  local dl = {{"lnn", info.lnn}, {"kernels", info.kernels}, {"threads", info.threads},
              {"machine", info.machine}, {"page built", (info.date:gsub("T", " "):gsub(":%d%dZ$", " UTC"))}, {"results folder", about.results}}
  for _, p in ipairs(dl) do w(("<dt>%s</dt><dd>%s</dd>\n"):format(esc(p[1]), esc(p[2] or "?"))) end
  w('</dl>\n</header>\n')
  w('<nav aria-label="contents"><ul>\n',
    '<li><a href="#table">The book vs lnn</a></li>\n<li><a href="#words">Results the book gives in words</a></li>\n',
    '<li><a href="#curves">Learning curves</a></li>\n<li><a href="#train">train.lua runs</a></li>\n',
    '<li><a href="#pictures">What a network gets wrong</a></li>\n<li><a href="#about">About this page</a></li>\n',
    '</ul></nav>\n<main>\n')
end

-- one row of the book-vs-lnn table
local function book_row(w, ctx, row, j)
  local book = ("%s%.2f%%"):format(row.approx and "about " or "", row.book)
  if j.status == "not run" then
    w(('<tr id="row-%s" class="notrun"><td>%s</td><th scope="row">%s<br><span class="muted">%s</span></th>'
      .. '<td class="num" data-sort="%.4f">%s</td><td data-sort="-1">%s</td><td></td><td></td><td></td><td></td>'
      .. '<td class="cmd">%s</td></tr>\n'):format(id_of(row.id), row.chapter, esc(row.title), esc(row.measure),
        row.book, book, ctx.not_run(row.name), cmd_forms(ctx, row.command)))
  else
    local lnn = pct(j.value) .. (j.n > 1 and ("<br><span class=\"muted\">mean of %d</span>"):format(j.n) or "")
    if j.status == "short" then
      lnn = lnn .. ('<br><span class="tag short">short run</span> <span class="muted">%s</span>'):format(esc(j.short))
    end
    local verdict
    if j.status == "short" then
      verdict = '<span class="muted">not compared (short run)</span>'
    elseif row.caveat then
      verdict = ('<span class="muted">%s</span>'):format(esc(row.caveat))
    else
      verdict = ('<span class="%s">%s</span><br><span class="muted">|d| %s %.2f = 2 SE (%s)</span>'):format(
        j.noise.within and "yes" or "no", j.noise.within and "yes" or "no",
        j.noise.within and "&le;" or "&gt;", 2 * j.noise.se, esc(j.noise.basis))
    end
    -- a short run is not compared: no difference either
    local diff = j.status == "short" and '<td class="num" data-sort=""></td>'
      or ('<td class="num" data-sort="%.4f">%+.2f</td>'):format(j.diff, j.diff)
    w(('<tr id="row-%s"><td>%s</td><th scope="row">%s<br><span class="muted">%s</span></th>'
      .. '<td class="num" data-sort="%.4f">%s</td><td class="lnn" data-sort="%.4f">%s</td>'
      .. '%s<td>%s</td><td class="num" data-sort="%.3f">%s</td>'
      .. '<td>%s</td><td class="cmd">%s</td></tr>\n'):format(id_of(row.id), row.chapter, esc(row.title), esc(row.measure),
        row.book, book, j.value, lnn, diff, verdict, j.seconds or 0, seconds(j.seconds),
        j.machine == ctx.info.machine and '<span class="muted">this machine</span>' or esc(j.machine or "not recorded"),
        command_cell(ctx, j, row)))
  end
end

-- the book-vs-lnn table and how its noise is judged
local function section_table(w, ctx)
  w('<section id="table">\n<h2>The book vs lnn</h2>\n')
  w('<table id="book-vs-lnn">\n<caption>The book\'s headline results and lnn\'s, in the book\'s order '
    .. '<span class="screen-only">(with JavaScript, a column header sorts)</span></caption>\n<colgroup><col style="width:4%"><col style="width:21.5%">'
    .. '<col style="width:8%"><col style="width:12%"><col style="width:7%"><col style="width:12.5%"><col style="width:7%">'
    .. '<col style="width:9%"><col style="width:19%"></colgroup>\n<thead><tr>'
    .. '<th scope="col">Ch</th><th scope="col">Result</th><th scope="col">Book</th><th scope="col">lnn</th>'
    .. '<th scope="col">lnn &minus; book</th><th scope="col">Within noise?</th><th scope="col">Run time</th>'
    .. '<th scope="col">Machine</th><th scope="col">Command</th></tr></thead>\n<tbody>\n')
  for i, row in ipairs(ctx.rows) do book_row(w, ctx, row, ctx.judged[i]) end
  w('</tbody>\n</table>\n')
  w('<p><strong>How noise is judged.</strong> The difference is lnn minus the book, in percentage points. '
    .. 'Where the results folder holds full-length runs of three or more seeds, the noise is their spread: '
    .. 'the standard deviation s over seeds, and the standard error of (lnn mean &minus; one book run) is '
    .. 's&radic;(1 + 1/n). With fewer seeds it is estimated as the binomial standard error of an accuracy p '
    .. 'measured on N images, &radic;(p(1&minus;p)/N), in place of s; seed-to-seed spread is usually '
    .. 'somewhat larger, so a &ldquo;no&rdquo; on that basis is a hint to run more seeds, not a verdict. '
    .. 'A difference is within noise when it is at most twice that standard error. Short runs (fewer '
    .. 'epochs, images or networks than the book) are not compared. The book\'s chapter 1 figure is the best '
    .. 'of three runs; lnn\'s chapter 1 and 3 figures are the best epoch of a run, as the book reads them.</p>\n')
  w('<p>Run time: the wall time of one run as it recorded it (training and per-epoch evaluation). '
    .. 'The lnn commands run anywhere lnn is installed (the scripts, shown inside a checkout, from its root); '
    .. '<code>--out DIR</code> chooses where a run writes its files.</p>\n')
  w('</section>\n')
end

-- the experiments whose book result is a sentence
local function section_words(w, ctx)
  w('<section id="words">\n<h2>Results the book gives in words</h2>\n<table>\n<caption>Experiments whose '
    .. 'book result is a sentence, not one figure</caption>\n<thead><tr><th scope="col">Experiment</th>'
    .. '<th scope="col">The book</th><th scope="col">lnn</th><th scope="col">Command</th></tr></thead>\n<tbody>\n')
  for _, e in ipairs(R.qualitative()) do
    local list = ctx.c.experiment[e.name]
    local m
    for _, x in ipairs(list or {}) do if not m or date_of(x) > date_of(m) then m = x end end
    local lnn, cmd = ctx.not_run(e.name), "lnn experiment " .. e.name
    if m then
      local parts = {}
      for _, r in ipairs(m.runs or {}) do
        parts[#parts + 1] = ("[%s] %s"):format(esc(r.label or ""), esc(r.summary or "no epochs run"))
      end
      lnn = table.concat(parts, "<br>")
      local row = {kind = "experiment", name = e.name, run = #e.runs}
      local why = R.shortness(row, m)
      if why then lnn = lnn .. ('<br><span class="tag short">short run</span> <span class="muted">%s</span>'):format(esc(why)) end
      cmd = R.command_of(row, m)
    end
    w(('<tr id="row-%s"><th scope="row">%s</th><td>%s</td><td>%s</td><td>%s</td></tr>\n'):format(
      id_of(e.name), esc(e.title), esc(e.book), lnn, cmd_forms(ctx, cmd)))
  end
  w('</tbody>\n</table>\n</section>\n')
end

-- one experiment's newest file drawn as its charts; false when there is none to draw
local function curves_article(w, ctx, kind, name, title, list)
  local c = ctx.c
  local m
  for _, x in ipairs(list or {}) do if not m or date_of(x) > date_of(m) then m = x end end
  if not m then return false end
  local okc, charts = pcall(registry.curves, kind, m)
  if not okc then
    c.unreadable[#c.unreadable + 1] = {path = m.path, err = "no curves: " .. failed_on(charts)}
    return false
  end
  if #charts == 0 then return false end
  local row = {kind = kind, name = name, run = kind == "experiment" and #registry.by_name[name].def.runs or nil}
  local why = R.shortness(row, m)
  w(('<article class="experiment" id="curves-%s">\n<h3>%s %s</h3>\n'):format(id_of(name), esc(title),
    why and ('<span class="tag short">short run</span>') or ""))
  local cmd, made = R.command_of(row, m)
  w(('<p class="muted">%sCommand %s%s. Seed %s. File <code>%s</code>.</p>\n'):format(
    why and ("Short run: " .. esc(why) .. ". ") or "", cmd_forms(ctx, cmd), made and " (made from the file)" or "",
    esc(tostring(m.seed or 1)), esc(m.path)))
  w('<div class="charts">\n')
  for k, ch in ipairs(charts) do
    local spec = ch.spec
    spec.inline, spec.id = true, ("fig-%s-%d"):format(id_of(name), k)
    local what = ch.field == "plot_cost" and "cost" or ch.field == "plot_gradients" and "gradient lengths" or "accuracy"
    local one = plot.single(spec) -- one epoch: its values, no line to draw
    w(('<figure>\n%s<figcaption>%s %s%s</figcaption>\n</figure>\n'):format(plot.svg(spec),
      what:gsub("^%l", string.upper), one and "of the one epoch run" or "per epoch",
      spec.reference and (one and "; last: the book's figure" or "; dashed: the book's figure") or ""))
  end
  w('</div>\n</article>\n')
  return true
end

-- every experiment's learning curves
local function section_curves(w, ctx)
  local c = ctx.c
  w('<section id="curves">\n<h2>Learning curves</h2>\n')
  w('<p class="key">Every chart colours a monitored set the same way: <span><i style="border-color:var(--test)"></i>'
    .. 'test data</span><span><i style="border-color:var(--validation)"></i>validation data</span>'
    .. '<span><i style="border-color:var(--training)"></i>training data</span><span><i style="border-top:2px dashed #555">'
    .. '</i>the book\'s figure.</span> A second run on the same set is dashed. Hover a point for its value.</p>\n')
  local any = false
  for _, e in ipairs(registry.list) do
    any = curves_article(w, ctx, e.kind, e.name, e.title, c[e.kind][e.name]) or any
  end
  if not any then
    w(('<p>No experiment has run yet. Run one (%s) or build this page with <code>lnn report --quick</code>.</p>\n')
      :format(cmd_forms(ctx, "lnn experiment ch1_30_hidden")))
  end
  w('</section>\n')
end

-- the runs of scripts/train.lua --metrics
local function section_train(w, ctx)
  local c = ctx.c
  w('<section id="train">\n<h2>train.lua runs</h2>\n')
  if #c.train == 0 then
    w(('<p>No <code>lnn train --metrics</code> file in the results folder. %s writes one.</p>\n')
      :format(cmd_forms(ctx, "lnn train --metrics results/train/run.json")))
  else
    w('<table>\n<caption>Runs of scripts/train.lua (network.py) with <code>--metrics</code></caption>\n<thead><tr>'
      .. '<th scope="col">File</th><th scope="col">Network</th><th scope="col">Epochs</th><th scope="col">Final test accuracy</th>'
      .. '<th scope="col">Best</th><th scope="col">Training time</th><th scope="col">Command</th></tr></thead>\n<tbody>\n')
    for k, m in ipairs(c.train) do
      local best, total, last = 0, 0, m.epochs[#m.epochs]
      for _, e in ipairs(m.epochs) do
        best = math.max(best, 100 * e.correct / e.total)
        total = total + (type(e.seconds) == "number" and e.seconds or 0)
      end
      local net = type(m.sizes) == "table" and ("[" .. table.concat(m.sizes, ",") .. "]"
        .. (m.eta and (", eta " .. tostring(m.eta)) or "")) or "not recorded"
      local cmd = type(m.run) == "table" and m.run.command and R.lnn_form(m.run.command) or "not recorded"
      w(('<tr><th scope="row"><code>%s</code></th><td>%s</td><td class="num">%d</td><td class="num">%s</td>'
        .. '<td class="num">%s</td><td class="num">%s</td><td><code>%s</code></td></tr>\n'):format(esc(m.path), esc(net),
          #m.epochs, pct(100 * last.correct / last.total), pct(best), seconds(total), esc(cmd)))
      m.chart = {title = "train.lua: " .. m.path, xlabel = "epoch", ylabel = "accuracy (%)", inline = true,
                 id = "fig-train-" .. k, series = {{name = "test", set = "test", points = {}}}}
      for _, e in ipairs(m.epochs) do
        table.insert(m.chart.series[1].points, {e.epoch, 100 * e.correct / e.total})
      end
    end
    w('</tbody>\n</table>\n<div class="charts">\n')
    for _, m in ipairs(c.train) do
      w(('<figure>\n%s<figcaption>Test accuracy per epoch of <code>%s</code></figcaption>\n</figure>\n'):format(
        plot.svg(m.chart), esc(m.path)))
    end
    w('</div>\n')
  end
  w('</section>\n')
end

-- one visualize.lua folder: its figures, confusion matrix and pictures
local function picture_article(w, k, v)
  local s = v.summary
  w(('<article class="experiment" id="pictures-%d">\n<h3>%s</h3>\n'):format(k,
    esc(s and s.network and ("Network " .. s.network) or ("Folder " .. v.dir))))
  if s and type(s.correct) == "number" then
    w(('<p>%s of %s %s images right (%s). Folder <code>%s</code>.</p>\n'):format(fmt_int(s.correct), fmt_int(s.total),
      esc(s.set or "test"), pct(100 * s.correct / s.total), esc(v.dir)))
  else
    w(('<p>Folder <code>%s</code>.</p>\n'):format(esc(v.dir)))
  end
  if v.demo then
    w(('<p class="demo"><a href="%s">Draw a digit</a> and watch this network read it (a page of its own, '
      .. 'offline: <code>lnn demo %s</code> makes one for any network).</p>\n'):format(esc(v.demo), esc(s.network)))
  elseif v.demo_error then
    w(('<p class="demo">No page to draw on for this network: %s</p>\n'):format(esc(v.demo_error)))
  end
  if s and type(s.confusion) == "table" and #s.confusion == 10 then
    w('<table class="confusion">\n<caption>Confusion matrix: rows the true digit, columns the predicted one</caption>\n'
      .. '<thead><tr><th scope="col">true \\ predicted</th>')
    for d = 0, 9 do w(('<th scope="col">%d</th>'):format(d)) end
    w('</tr></thead>\n<tbody>\n')
    for r = 1, 10 do
      w(('<tr><th scope="row">%d</th>'):format(r - 1))
      for col = 1, 10 do
        w(('<td%s>%s</td>'):format(r == col and ' class="diag"' or "", esc(s.confusion[r][col])))
      end
      w('</tr>\n')
    end
    w('</tbody>\n</table>\n')
  end
  local captions = {
    confusion = "The confusion matrix as visualize.lua draws it (green: right, red: wrong; deeper: more images)",
    misclassified = "Every misclassified digit, captioned true label &gt; prediction",
    weights = "The first layer's weights, one 28&times;28 picture per hidden neuron",
  }
  for _, p in ipairs {"confusion", "misclassified", "weights"} do
    local f = v.pictures[p]
    if f then
      local uri, bytes = data_uri(f)
      local pw, ph = png_size(bytes)
      w(('<figure>\n<img class="pixels" src="%s" alt="%s"%s>\n<figcaption>%s (<code>%s</code>)</figcaption>\n</figure>\n')
        :format(uri, esc(captions[p]:gsub("&[%a]+;", " ")), pw and (' width="%d" height="%d"'):format(pw, ph) or "",
          captions[p], esc(f)))
    end
  end
  w('</article>\n')
end

-- what a network gets wrong (visualize.lua's folders)
local function section_pictures(w, ctx)
  local c = ctx.c
  w('<section id="pictures">\n<h2>What a network gets wrong</h2>\n')
  if #c.visualize == 0 then
    w(('<p>No <code>lnn visualize</code> output in the results folder. %s writes one for a network saved by '
      .. '<code>lnn train --save</code>.</p>\n'):format(cmd_forms(ctx, "lnn visualize NET.lnn --out results/visualize")))
  end
  for k, v in ipairs(c.visualize) do picture_article(w, k, v) end
  w('</section>\n')
end

-- the quick runs, the files that could not be read, how the page is made
local function section_about(w, ctx)
  local c, about = ctx.c, ctx.about
  for _, how in ipairs {{"quick", "short runs"}, {"full", "full-length runs"}} do
    local list = about[how[1]]
    if list and #list > 0 then
      w(('<p>Built with <code>--%s</code>, which ran these %s for what was missing:</p>\n<ul>\n'):format(how[1], how[2]))
      for _, q in ipairs(list) do
        w(('<li><code>%s</code>%s: %s, %s</li>\n'):format(esc(q.command), q.short and (" (" .. esc(q.short) .. ")") or "",
          q.ok and "done" or "<strong>failed</strong>", seconds(q.seconds)))
      end
      w('</ul>\n')
    end
  end
  if #c.unreadable > 0 then
    w('<p>Files that could not be read:</p>\n<ul>\n')
    for _, u in ipairs(c.unreadable) do w(('<li><code>%s</code>: %s</li>\n'):format(esc(u.path), esc(u.err))) end
    w('</ul>\n')
  end
  w(('<p>Built by <code>lnn report</code> from <code>%s</code>; run it again after new runs. '
    .. '<code>--quick</code> adds short runs (a few epochs each) of whatever is missing, <code>--full</code> '
    .. 'full-length runs (they resume when interrupted). The page is one file: '
    .. 'charts are inline SVG, pictures data: URIs, no script or font is fetched; it prints on A4. '
    .. '<code>table.md</code> beside it is the book-vs-lnn table in Markdown.</p>\n')
    :format(esc(about.results)))
  w('</section>\n</main>\n<script>', JS, '</script>\n</body>\n</html>\n')
end

-- a cell of a Markdown table: one line, its pipes escaped
local function md(s) return (tostring(s):gsub("[\r\n]+", " "):gsub("|", "\\|")) end

--- table_md(c, about): the book-vs-lnn table in Markdown, for README: per
--- row the book's figure, lnn's mean over the seeds of its full-length runs
--- ± their standard deviation, whether that is within noise of the book (the
--- page's judgement), the seeds, the epochs run, the time per run and the
--- machine; a row without a full-length run says so (and why a short one is
--- short).  about as page's.
-- @param c what collect() found
-- @param about {results, built}: where the table comes from
-- @treturn string the Markdown text
function R.table_md(c, about)
  local info = about.built or runinfo.describe()
  local out = {
    ("The book's headline results beside lnn's, from the full-length runs in `%s` (built by `lnn report` "
      .. "with lnn %s on %s). lnn: the mean over seeds, ± their standard deviation; within noise: the difference "
      .. "from the book is at most two standard errors (the spread of three or more seeds, else the binomial "
      .. "error of one accuracy). Time: the wall time of one run."):format(md(about.results), md(info.lnn or "?"),
      md((info.date or "?"):sub(1, 10))),
    "",
    "| Ch | Result | Book | lnn | Within noise | Seeds | Epochs | Time per run | Machine |",
    "|---|---|---:|---:|---|---|---:|---:|---|",
  }
  for _, row in ipairs(R.rows()) do
    local j = R.judge(row, c[row.kind][row.name])
    local cells = {row.chapter, md(row.title), ("%s%.2f%%"):format(row.approx and "about " or "", row.book)}
    if j.status ~= "full" then
      cells[4] = j.status == "short" and ("no full-length run yet (a short run: %s)"):format(md(j.short))
        or "not run yet"
      for k = 5, 9 do cells[k] = "" end
    else
      cells[4] = pct(j.value) .. (j.sd and (" ± %.2f"):format(j.sd) or "")
      cells[5] = row.caveat and ("not compared: " .. md(row.caveat))
        or ("%s (%+.2f; 2 SE %.2f, %s)"):format(j.noise.within and "yes" or "**no**", j.diff, 2 * j.noise.se,
          md(j.noise.basis))
      cells[6] = table.concat(j.seeds, ", ")
      local lo, hi = math.huge, -math.huge
      for _, e in ipairs(j.epochs) do if e then lo, hi = math.min(lo, e), math.max(hi, e) end end
      cells[7] = lo > hi and "-" or lo == hi and tostring(lo) or ("%d-%d"):format(lo, hi)
      cells[8] = seconds(j.seconds)
      cells[9] = md(j.machine or "not recorded")
    end
    out[#out + 1] = "| " .. table.concat(cells, " | ") .. " |"
  end
  return table.concat(out, "\n") .. "\n"
end

--- page(collected, about): the whole HTML page as a string.  about {results
--- (the folder read), built (runinfo.describe of the builder), quick and full
--- (lists of {name, command, ok, seconds, short}: the runs the quick or
--- full option made), checkout (false: no script forms of the commands)}.
-- @param c what collect() found
-- @param about {results, built, quick}: where the page comes from (listed above)
-- @return the whole HTML page as a string
function R.page(c, about)
  local h = {}
  local function w(...) for _, s in ipairs {...} do h[#h + 1] = s end end
  local ctx = page_context(c, about)
  page_header(w, ctx)
  section_table(w, ctx)
  section_words(w, ctx)
  section_curves(w, ctx) -- may add to c.unreadable, which the about section lists
  section_train(w, ctx)
  section_pictures(w, ctx)
  section_about(w, ctx)
  return table.concat(h)
end

--- demo_pages(c, out): for every visualize.lua folder whose network file is
--- at hand, out/demo-K.html, the page where the reader draws a digit and that
--- network answers (lnn.demo); the folder's entry gets demo = the page's name,
--- or demo_error = why there is none (the file is gone, or not a network).
-- @param c what R.collect returned
-- @param out the report's folder
function R.demo_pages(c, out)
  local demo = require "lnn.demo" -- it requires this module: loaded when a page is wanted
  for k, v in ipairs(c.visualize) do
    local file = v.summary and type(v.summary.network) == "string" and v.summary.network
    if file then
      local ok, net, what = pcall(demo.load_network, file)
      local page = net -- the error, unless the page is made
      if ok then ok, page = pcall(demo.page, net, demo.about(file, net, what), "lnn report") end
      if ok then
        v.demo = ("demo-%d.html"):format(k)
        args.call(core.write_file, out .. "/" .. v.demo, page)
      else
        v.demo_error = tostring(page)
      end
    end
  end
end

--- build(opts): collects opts.results (default "results"), writes
--- opts.out/index.html (default results/report) and opts.out/table.md (the
--- table in Markdown, table_md) and returns the page's path and the
--- collected results.  opts.quick, opts.full: the runs the quick or full
--- option made, for the page; opts.checkout = false: show no script forms of the
--- commands even in a checkout.
-- @param opts options table (the keys are listed above)
-- @return the page's path and the collected results
function R.build(opts)
  opts = opts or {}
  local results = opts.results or "results"
  local out = opts.out or (results .. "/report")
  local c = R.collect(results, out .. "/")
  args.call(core.tools.mkdir, out)
  R.demo_pages(c, out)
  local path = out .. "/index.html"
  local about = {results = results, built = runinfo.describe(), quick = opts.quick, full = opts.full,
                 checkout = opts.checkout}
  args.call(core.write_file, path, R.page(c, about))
  args.call(core.write_file, out .. "/table.md", R.table_md(c, about))
  return path, c
end

return R
