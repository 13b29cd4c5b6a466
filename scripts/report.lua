-- report.lua: builds results/report/index.html, one offline page of the
-- book's results beside lnn's, from what the experiments, the baselines,
-- train.lua --metrics and visualize.lua wrote under results/; --quick first
-- runs short versions of what is missing.  The command is lnn.commands.report
-- (also `lnn report`), the page lnn.report's; this file only runs it.
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.report").run, arg, "scripts/report.lua"), true)
