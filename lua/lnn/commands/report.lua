--- lnn report: builds DIR/index.html (default results/report/), one offline
-- page of the book's results beside lnn's, and DIR/table.md (its table in
-- Markdown), from what the runs wrote under --results (lnn.report makes the
-- page).  --quick first runs short versions (a few epochs each) of what is
-- missing, --full the book's full-length runs that have no result yet (with
-- --resume: run again, it continues), each in a new process through lnn's own
-- commands (lnn experiment, darkness, svm, expand, train, visualize), so it
-- works in a checkout and an installed tree alike.  Parses, runs and reports;
-- never exits.
-- @internal lnn.commands.report
local core = require "lnn.core"
local cli = require "lnn.cli"
local mnist_loader = require "lnn.mnist_loader"
local report = require "lnn.report"
local runinfo = require "lnn.runinfo"

local M = {summary = "build results/report/index.html: the book's results beside lnn's (--quick, --full: run what is missing)"}

M.flags = {
  {name = "results", kind = "string", default = "results", help = "folder the runs wrote into", arg = "DIR"},
  {name = "out", kind = "string", help = "folder for index.html and table.md (default: RESULTS/report)", arg = "DIR", check = cli.writable_folder},
  {name = "quick", kind = "flag", help = "first run short versions (a few epochs) of what is missing"},
  {name = "full", kind = "flag", help = "first run, at the book's length, every headline without a full-length result (resumes)"},
  {name = "dry-run", kind = "flag", help = "with --full: print the plan and its time estimate only"},
  {name = "data", kind = "string", help = "MNIST folder for the --quick and --full runs", arg = "DIR"},
}
M.about = "Builds one offline HTML page (DIR/index.html) of the book's results beside lnn's: the\n"
  .. "book-vs-lnn table, learning curves and the visualiser's pictures, from what the runs wrote;\n"
  .. "DIR/table.md holds the table in Markdown.  --full runs the missing full-length runs first:\n"
  .. "cheap rows (chapters 1-5, 6.1) over seeds 1, 2, 3, the conv nets and the 6.8 ensemble once;\n"
  .. "each resumes when run again after an interruption."

-- whether the expanded set is there and is the expansion of the training files there now
local function expanded_exists(data)
  local ok = pcall(mnist_loader.files, data or mnist_loader.default_dir(), true)
  return ok
end

local function duration(s)
  if not s then return "?" end
  if s < 100 then return ("%.0f s"):format(s) end
  if s < 6000 then return ("%.1f min"):format(s / 60) end
  return ("%.1f h"):format(s / 3600)
end

-- one step: `lnn ARGS...` in a new process (this interpreter and these module
-- paths: works in a checkout and in an installed tree alike), its output
-- kept for when it fails; ok, seconds, whether a signal stopped it (then
-- what follows should not start) and the output
local function run_step(step)
  local t0 = core.clock()
  if step.mkdir then core.tools.mkdir(step.mkdir) end
  local p = io.popen(cli.self_command(step.lnn) .. " 2>&1")
  local output = p:read("a")
  local ok, how, code = p:close()
  local secs = core.clock() - t0
  -- a signal (the child's own, or its 128 + N status after it stopped cleanly)
  local signalled = how == "signal" or (how == "exit" and (code == 130 or code == 143))
  return ok, secs, signalled, output
end

-- after a step's line: a failed step's output, below it
local function show_failure(ok, output)
  io.flush()
  if not ok then io.stderr:write(output) end
end

-- --full: the plan, its estimate, then each run with a progress line; the
-- runs' list for the page, and whether all ran
local function run_full(opts, prog)
  local collected = report.collect(opts.results)
  local plan = report.full_plan(collected, {results = opts.results, data = opts.data,
                                            expanded = expanded_exists(opts.data)})
  local total, unknown = 0, 0
  for _, step in ipairs(plan) do
    if step.estimate then total = total + step.estimate else unknown = unknown + 1 end
  end
  print(("%s: --full: %d run%s for the headlines without a full-length result, about %s%s"):format(prog, #plan,
    #plan == 1 and "" or "s", duration(total), unknown > 0 and (" (+ %d not estimated)"):format(unknown) or ""))
  if #plan > 0 then
    print("  (estimate per run: epochs x training images x seconds per image, that figure taken from the row's\n"
      .. "  results here, else its network family's, else a built-in one; see docs/report.md)")
  end
  for k, step in ipairs(plan) do
    print(("%3d. lnn %s\n     %s: %s; %s"):format(k, runinfo.command(step.lnn), step.work,
      step.estimate and ("about " .. duration(step.estimate)) or "not estimated", step.basis))
  end
  if opts.dry_run then return nil, true end
  local ran, all, t_start, left = {}, true, core.clock(), total
  for k, step in ipairs(plan) do
    local what = step.seed and ("%s seed %d"):format(step.name, step.seed) or step.name
    io.write(("[%d/%d] %s (%s) ... "):format(k, #plan, what,
      step.estimate and ("about " .. duration(step.estimate)) or "not estimated"))
    io.flush()
    local ok, secs, signalled, output = run_step(step)
    left = left - (step.estimate or 0)
    print(("%s in %s; elapsed %s, about %s left"):format(ok and "done" or "FAILED", duration(secs),
      duration(core.clock() - t_start), duration(math.max(0, left))))
    show_failure(ok, output)
    ran[#ran + 1] = {name = step.name, command = "lnn " .. runinfo.command(step.lnn), ok = ok, seconds = secs}
    if not ok then all = false end
    if signalled then
      io.stderr:write(("%s: --full: interrupted in run %d of %d (%s); `%s` again resumes it\n"):format(prog, k,
        #plan, what, cli.invocation(prog) .. " --full"))
      break
    end
  end
  return ran, all
end

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about)
  if #opts > 0 then cli.fail(prog, ("unexpected argument '%s'"):format(opts[1])) end
  if opts.quick and opts.full then cli.fail(prog, "--quick and --full: expected one of them, got both") end
  if opts.dry_run and not opts.full then cli.fail(prog, "--dry-run: expected with --full, got it alone") end
  local quick, full, full_ok
  if opts.full then
    full, full_ok = run_full(opts, prog)
    if opts.dry_run then return 0 end
  end
  if opts.quick then
    quick = {}
    local collected = report.collect(opts.results)
    local plan = report.quick_plan(collected, {results = opts.results, data = opts.data,
                                               expanded = expanded_exists(opts.data)})
    print(("%s: --quick: %d short run%s for what is missing"):format(prog, #plan, #plan == 1 and "" or "s"))
    for k, step in ipairs(plan) do
      local shown = "lnn " .. runinfo.command(step.lnn)
      io.write(("[%d/%d] %s ... "):format(k, #plan, shown))
      io.flush()
      local ok, secs, _, output = run_step(step)
      print(("%s (%.1f s)"):format(ok and "done" or "FAILED", secs))
      show_failure(ok, output)
      quick[#quick + 1] = {name = step.name, command = shown, ok = ok, seconds = secs, short = step.short}
    end
  end
  local ok, path, collected = pcall(report.build, {results = opts.results, out = opts.out, quick = quick, full = full})
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
  for _, q in ipairs(quick or full or {}) do if not q.ok then failed = failed + 1 end end
  if failed > 0 or full_ok == false then
    io.stderr:write(("%s: %d of the --%s runs failed (their output is above; the page lists them)\n")
      :format(prog, failed, quick and "quick" or "full"))
    return 1
  end
  return 0
end

return M
