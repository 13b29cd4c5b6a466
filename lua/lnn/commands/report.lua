--- lnn report: builds DIR/index.html (default results/report/), one offline
-- page of the book's results beside lnn's, from what the runs wrote under
-- --results (lnn.report makes the page).  --quick first runs short versions (a
-- few epochs each) of what is missing, each in a new process through lnn's
-- own commands (lnn experiment, darkness, svm, expand, train, visualize), so
-- it works in a checkout and an installed tree alike.  Parses, runs and
-- reports; never exits.
-- @internal lnn.commands.report
local core = require "lnn.core"
local cli = require "lnn.cli"
local mnist_loader = require "lnn.mnist_loader"
local report = require "lnn.report"
local runinfo = require "lnn.runinfo"

local M = {summary = "build results/report/index.html: the book's results beside lnn's (--quick: run what is missing)"}

M.flags = {
  {name = "results", kind = "string", default = "results", help = "folder the runs wrote into", arg = "DIR"},
  {name = "out", kind = "string", help = "folder for index.html (default: RESULTS/report)", arg = "DIR", check = cli.writable_folder},
  {name = "quick", kind = "flag", help = "first run short versions (a few epochs) of what is missing"},
  {name = "data", kind = "string", help = "MNIST folder for the --quick runs", arg = "DIR"},
}
M.about = "Builds one offline HTML page (DIR/index.html) of the book's results beside lnn's: the\n"
  .. "book-vs-lnn table, learning curves and the visualiser's pictures, from what the runs wrote."

-- whether the expanded set is there and is the expansion of the training files there now
local function expanded_exists(data)
  local ok = pcall(mnist_loader.files, data or mnist_loader.default_dir(), true)
  return ok
end

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about)
  if #opts > 0 then cli.fail(prog, ("unexpected argument '%s'"):format(opts[1])) end
  local quick
  if opts.quick then
    quick = {}
    local collected = report.collect(opts.results)
    local plan = report.quick_plan(collected, {results = opts.results, data = opts.data,
                                               expanded = expanded_exists(opts.data)})
    print(("%s: --quick: %d short run%s for what is missing"):format(prog, #plan, #plan == 1 and "" or "s"))
    for k, step in ipairs(plan) do
      local shown = {"lua", table.unpack(step.args)}
      io.write(("[%d/%d] %s ... "):format(k, #plan, runinfo.command(shown)))
      io.flush()
      local t0 = core.clock()
      if step.mkdir then core.tools.mkdir(step.mkdir) end
      -- the same commands through lnn's own (a new process, this interpreter and
      -- these module paths): works in a checkout and in an installed tree alike
      local p = io.popen(cli.self_command(step.lnn) .. " 2>&1")
      local output = p:read("a")
      local ok = p:close()
      local secs = core.clock() - t0
      print(("%s (%.1f s)"):format(ok and "done" or "FAILED", secs))
      if not ok then io.stderr:write(output) end
      quick[#quick + 1] = {name = step.name, command = runinfo.command(shown), ok = ok, seconds = secs, short = step.short}
    end
  end
  local ok, path, collected = pcall(report.build, {results = opts.results, out = opts.out, quick = quick})
  if not ok then
    io.stderr:write(("%s: %s\n"):format(prog, cli.clean(path))) -- the page's file, not report.lua's line
    return 1
  end
  local function count(by_name)
    local n = 0
    for _, list in pairs(by_name) do n = n + #list end
    return n
  end
  print(("wrote %s (%d experiment results, %d baseline results, %d train.lua runs, %d visualize folders)")
    :format(path, count(collected.experiment) + count(collected.chapter6), count(collected.baseline),
      #collected.train, #collected.visualize))
  local failed = 0
  for _, q in ipairs(quick or {}) do if not q.ok then failed = failed + 1 end end
  if failed > 0 then
    io.stderr:write(("%s: %d of the --quick runs failed (their output is above; the page lists them)\n")
      :format(prog, failed))
    return 1
  end
  return 0
end

return M
