-- report.lua: builds results/report/index.html, one offline page of the
-- book's results beside lnn's, from what the experiments, the baselines,
-- train.lua --metrics and visualize.lua wrote under results/.  --quick first
-- runs short versions (a few epochs each) of what is missing.  The page itself
-- is lnn.report's; this file parses flags, runs the --quick commands and exits.
local root = "."
do
  local boot = loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua")
  if boot then root = boot() or root end
end

local core = require "lnn.core"
local cli = require "lnn.cli"
local mnist_loader = require "lnn.mnist_loader"
local report = require "lnn.report"
local runinfo = require "lnn.runinfo"

local FLAGS = {
  {name = "results", kind = "string", default = "results", help = "folder the runs wrote into", arg = "DIR"},
  {name = "out", kind = "string", help = "folder for index.html (default: RESULTS/report)", arg = "DIR"},
  {name = "quick", kind = "flag", help = "first run short versions (a few epochs) of what is missing"},
  {name = "data", kind = "string", help = "MNIST folder for the --quick runs", arg = "DIR"},
}
local ABOUT = "Builds one offline HTML page (DIR/index.html) of the book's results beside lnn's: the\n"
  .. "book-vs-lnn table, learning curves and the visualiser's pictures, from what the runs wrote."

-- the interpreter running this script, to run the --quick commands with
local function interpreter()
  local i, lua = -1, nil
  while arg and arg[i] do lua, i = arg[i], i - 1 end
  return lua or "lua5.4"
end

local function expanded_exists(data)
  local ok = pcall(mnist_loader.path, data or mnist_loader.default_dir(), mnist_loader.FILES.expanded_images)
  return ok
end

--- main(argv, prog): the command; returns its exit status.
local function main(argv, prog)
  local opts = cli.parse(argv, FLAGS, prog, ABOUT)
  if #opts > 0 then cli.fail(prog, ("unexpected argument '%s'"):format(opts[1])) end
  local quick
  if opts.quick then
    quick = {}
    local collected = report.collect(opts.results)
    local plan = report.quick_plan(collected, {results = opts.results, data = opts.data,
                                               expanded = expanded_exists(opts.data)})
    local lua = interpreter()
    print(("%s: --quick: %d short run%s for what is missing"):format(prog, #plan, #plan == 1 and "" or "s"))
    for k, step in ipairs(plan) do
      local words = {lua, root .. "/" .. step.args[1]}
      for i = 2, #step.args do words[#words + 1] = step.args[i] end
      local shown = {"lua", table.unpack(step.args)}
      io.write(("[%d/%d] %s ... "):format(k, #plan, runinfo.command(shown)))
      io.flush()
      local t0 = core.clock()
      if step.mkdir then core.tools.mkdir(step.mkdir) end
      local p = io.popen(runinfo.command(words) .. " 2>&1")
      local output = p:read("a")
      local ok = p:close()
      local secs = core.clock() - t0
      print(("%s (%.1f s)"):format(ok and "done" or "FAILED", secs))
      if not ok then io.stderr:write(output) end
      quick[#quick + 1] = {command = runinfo.command(shown), ok = ok, seconds = secs, short = step.short}
    end
  end
  local ok, path, collected = pcall(report.build, {results = opts.results, out = opts.out, quick = quick})
  if not ok then
    io.stderr:write(("%s: %s\n"):format(prog, tostring(path)))
    return 1
  end
  local n = 0
  for _, list in pairs(collected.experiment) do n = n + #list end
  for _, list in pairs(collected.chapter6) do n = n + #list end
  print(("wrote %s (%d experiment results, %d baselines, %d train.lua runs, %d visualize folders)")
    :format(path, n, #(function() local t = {} for _, l in pairs(collected.baseline) do t[#t + 1] = l end return t end)(),
      #collected.train, #collected.visualize))
  for _, q in ipairs(quick or {}) do
    if not q.ok then return 1 end
  end
  return 0
end

os.exit(main(arg, "scripts/report.lua"))
