--- lnn.registry: the one list of lnn's named runs of the book: chapters 1 to 5
-- and the seed's test.py (kind "experiment": lnn.experiments trains them on
-- network2) and chapter 6 (kind "chapter6": lnn.chapter6, network3), in that
-- order.  A name finds its entry and kind here, and the listing, the charts of a
-- results file and the command that reproduces one are asked here for every
-- run; what a run trains, and how, stays in its kind's module.
-- @internal lnn.registry
local args = require "lnn.args"
local E = require "lnn.experiments"
local X = require "lnn.chapter6"

local registry = {}

-- each kind's module: its list of definitions, curves(metrics) and command
local KINDS = {experiment = E, chapter6 = X}

--- list: every run as {name =, kind =, title =, def = its kind's definition}.
registry.list = {}
--- by_name: the entries of list by name.
registry.by_name = {}

local function add(kind, def, title)
  local entry = {name = def.name, kind = kind, title = title, def = def}
  registry.list[#registry.list + 1] = entry
  registry.by_name[def.name] = entry
end
for _, e in ipairs(E.list) do add("experiment", e, e.title) end
for _, r in ipairs(X.list) do add("chapter6", r, "Chapter 6, " .. (r.about:gsub("%s*%(book: [^)]*%)%s*$", ""))) end

--- of(kind): the definitions of one kind's runs, in the list's order.
-- @tparam string kind "experiment" or "chapter6"
-- @treturn table the list of its module's definitions
function registry.of(kind)
  local t = {}
  for _, e in ipairs(registry.list) do
    if e.kind == kind then t[#t + 1] = e.def end
  end
  return t
end

--- kind(name): the kind of the run called name ("experiment" or "chapter6"), or nil.
-- @tparam string name a run's name ("ch1_30_hidden", "ch6_4")
-- @treturn ?string the kind
function registry.kind(name)
  local e = registry.by_name[name]
  return e and e.kind
end

--- listing(): every run with the book's result: a chapter 1-5 or seed run in
--- two lines (name and title, then the book's words), a chapter 6 run in one.
-- @treturn string the lines
function registry.listing()
  local lines = {}
  for _, e in ipairs(registry.list) do
    if e.kind == "experiment" then
      lines[#lines + 1] = ("%-20s %s\n%-20s book: %s"):format(e.name, e.def.title, "", e.def.book)
    else
      lines[#lines + 1] = ("%-20s %s"):format(e.name, e.def.about)
    end
  end
  return table.concat(lines, "\n")
end

--- curves(kind, metrics): the charts of a results file of that kind (its kind's
--- curves: a list of {suffix =, field =, spec =}).
-- @tparam string kind "experiment" or "chapter6"
-- @tparam table metrics the file's content
-- @treturn table the charts
function registry.curves(kind, metrics)
  return KINDS[kind].curves(metrics)
end

--- run_id(name, opts): the name of one run's files (<out>/<id>.json, its SVGs,
--- its checkpoint): name, then ".seed<S>", then only where the run differs
--- from the book's: ".epochs<E>", ".train<N>" (opts.train_size), ".eval<N>"
--- (opts.eval_size), ".shuffle", ".nets<K>" (an ensemble of other than 5), and
--- ".vote" for a vote of saved networks (opts.members).  Runs that differ get
--- different files; the same run gets the same ones (and replaces them).
-- @tparam string name a run's name
-- @tparam table opts its options (seed, epochs, train_size, eval_size, shuffle, nets, members)
-- @treturn string the id
-- @usage
-- local registry = require "lnn.registry"
-- assert(registry.run_id("ch6_4", {seed = 1, epochs = 60}) == "ch6_4.seed1")
-- assert(registry.run_id("ch1_30_hidden", {seed = 2, epochs = 3, train_size = 1000})
--   == "ch1_30_hidden.seed2.epochs3.train1000")
function registry.run_id(name, opts)
  local e = registry.by_name[name]
  if not e then args.fail("run_id", 1, ("an experiment name expected, got %s"):format(tostring(name))) end
  local def = e.def
  local first = e.kind == "experiment" and def.runs[1] or def
  local id = {name, (".seed%d"):format(opts.seed or 1)}
  if opts.epochs and opts.epochs ~= first.epochs then id[#id + 1] = (".epochs%d"):format(opts.epochs) end
  if opts.train_size and opts.train_size ~= first.train_size then
    id[#id + 1] = (".train%d"):format(opts.train_size)
  end
  if opts.eval_size then id[#id + 1] = (".eval%d"):format(opts.eval_size) end
  if opts.shuffle then id[#id + 1] = ".shuffle" end
  if opts.nets and opts.nets ~= 5 then id[#id + 1] = (".nets%d"):format(opts.nets) end
  if opts.members then id[#id + 1] = ".vote" end
  return table.concat(id)
end

--- command(name, opts): the command line that runs name with opts (its kind's
--- options: epochs, train_size, seed, ...).
-- @tparam string name a run's name
-- @tparam table opts the options
-- @treturn string the command line
function registry.command(name, opts)
  local e = registry.by_name[name]
  if e.kind == "experiment" then return E.command(name, opts) end
  return X.command(e.def, opts)
end

return registry
