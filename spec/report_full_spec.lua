-- lnn report --full and what the page and table.md show (issue 20): the plan
-- --full makes from a results folder (--dry-run: which runs, with --resume,
-- none for a row or seed that has a full-length result, three seeds for the
-- cheap rows, `lnn expand` first when the expanded set is missing, the time
-- estimate and how it was made), a real --full whose missing runs are the
-- baselines (the cheap real runs: a chapter's experiment at full length takes
-- minutes), the commands the page shows (lnn's; the checkout's scripts only
-- as a second form), no difference for a short row, a one-epoch chart drawn
-- as its values, and table.md.
local json = require "lnn.json"
local plot = require "lnn.plot"
local report = require "lnn.report"
local registry = require "lnn.registry"
local H = require "helpers"

-- an experiment file (as lnn.experiments writes it, cut down) of row name,
-- full length unless opts.epochs says fewer; a chapter 6 file likewise
local function experiment_file(name, seed, opts)
  opts = opts or {}
  local def = registry.by_name[name].def
  local runs = {}
  for k, cfg in ipairs(def.runs) do
    local recs = {}
    for e = 1, opts.epochs or cfg.epochs do recs[e] = {epoch = e - 1, accuracy = opts.best or 95, total = 10000} end
    runs[k] = {best_accuracy = opts.best or 95, training_images = cfg.train_size or 50000, epochs = recs}
  end
  return {experiment = name, seed = seed, seconds = opts.seconds or 100, runs = runs,
          options = opts.epochs and {epochs = opts.epochs} or {},
          run = {machine = opts.machine or "machine A", date = "2026-12-01T00:00:00Z"}}
end

local function chapter6_file(name, seed, opts)
  opts = opts or {}
  local def = registry.by_name[name].def
  local n = opts.epochs or def.epochs
  local recs = {}
  for e = 1, n do recs[e] = {epoch = e - 1, validation_accuracy = opts.acc or 0.99, test_accuracy = opts.acc or 0.99} end
  local m = {experiment = name, seed = seed, seconds = opts.seconds or 1000, options = {epochs = n},
             training_images = opts.train_size or (def.expanded and 250000 or 50000), test_images = 10000,
             run = {machine = "machine A", date = "2026-12-01T00:00:00Z"}}
  if def.ensemble then
    m.vote_test_accuracy, m.members = opts.acc or 0.99, {}
    for k = 1, 5 do m.members[k] = {seed = seed + k - 1, epochs = recs} end
  else
    m.test_accuracy, m.epochs = opts.acc or 0.99, recs
  end
  return m
end

-- a results folder where every headline has its full-length runs (three
-- seeds for the cheap rows) but those skip names ({name = true} or {name =
-- {seeds...}}: only those seeds missing)
local function full_results(res, skip)
  os.execute(("mkdir -p %s/experiments %s/baselines"):format(H.q(res), H.q(res)))
  for _, row in ipairs(report.rows()) do
    local s = skip[row.name]
    local function missing(seed) return s == true or (type(s) == "table" and s[seed]) end
    if row.kind == "baseline" then
      if not s then
        H.write_file(("%s/baselines/%s.json"):format(res, row.name),
          json.encode {baseline = row.name, correct = 9000, total = 10000, seconds = 2})
      end
    else
      local cheap = row.kind == "experiment" or row.name == "ch6_1"
      for seed = 1, cheap and 3 or 1 do
        if not missing(seed) then
          local m = row.kind == "experiment" and experiment_file(row.name, seed) or chapter6_file(row.name, seed)
          H.write_file(("%s/experiments/%s.seed%d.json"):format(res, row.name, seed), json.encode(m))
        end
      end
    end
  end
end

-- the plan's numbered lines: {{k, command}, ...}, and the text of each entry
local function plan_lines(out)
  local t = {}
  for k, cmd, rest in out:gmatch("\n%s*(%d+)%. lnn ([^\n]*)\n%s*([^\n]*)") do
    t[#t + 1] = {k = tonumber(k), cmd = cmd, rest = rest}
  end
  return t
end

describe("lnn report --full #process", function()
  it("--dry-run plans the runs missing: 3 seeds of the cheap rows, the conv nets once, all with --resume", function()
    local dir, cleanup = H.tmpdir()
    local res, empty = dir .. "/res", dir .. "/nodata"
    os.execute("mkdir -p " .. H.q(empty))
    -- ch1_100_hidden: seed 1 full, seed 2 short (3 of 30 epochs, same seconds per image); ch6_2 only
    -- seed 2 full; ch3_ce_30 and ch6_1 nothing; ch6_5 and ch6_8 nothing; every other row complete
    full_results(res, {ch1_100_hidden = {[2] = true, [3] = true}, ch3_ce_30 = true, ch6_1 = true, ch6_5 = true,
                       ch6_8 = true, ch6_2 = true, svm_rbf = true})
    H.write_file(res .. "/experiments/ch1_100_hidden.short.json",
      json.encode(experiment_file("ch1_100_hidden", 2, {epochs = 3, seconds = 10})))
    H.write_file(res .. "/experiments/ch6_2.seed2.json", json.encode(chapter6_file("ch6_2", 2)))
    local out, status = H.lnn(("report --full --dry-run --results %s --data %s"):format(H.q(res), H.q(empty)))
    local page_made = io.open(res .. "/report/index.html") ~= nil
    cleanup()
    assert.are.equal(0, status, out)
    assert.is_false(page_made, "--dry-run built the page")
    local lines = plan_lines(out)
    local cmds = {}
    for _, l in ipairs(lines) do cmds[#cmds + 1] = l.cmd end
    local X = " --resume --quiet --out " .. res .. "/experiments --data " .. empty
    assert.are.same({
      "svm --kernel rbf --out " .. res .. "/baselines --data " .. empty,
      "experiment ch3_ce_30 --seed 1" .. X, "experiment ch6_1 --seed 1" .. X,
      "experiment ch1_100_hidden --seed 2" .. X, "experiment ch3_ce_30 --seed 2" .. X, "experiment ch6_1 --seed 2" .. X,
      "experiment ch1_100_hidden --seed 3" .. X, "experiment ch3_ce_30 --seed 3" .. X, "experiment ch6_1 --seed 3" .. X,
      "expand --data " .. empty, "experiment ch6_5 --seed 1" .. X, "experiment ch6_8 --seed 1" .. X}, cmds)
    assert.truthy(out:find("--full: 12 runs for the headlines without a full-length result, about ", 1, true), out)
    -- the estimate: ch1_100_hidden's own files, 100 s for 30 x 50,000 images and 10 s for 3 x 50,000: 6.7e-5
    -- s per image, so 100 s (1.7 min) for a full run; ch3_ce_30 has none: its family's (the other network2 rows: 6.7e-5)
    assert.are.equal("30 epochs x 50,000 images: about 1.7 min; 6.7e-05 s per image from its 2 results here", lines[4].rest)
    assert.truthy(lines[2].rest:find("from its family's results: ch1_30_hidden, ch1_100_hidden", 1, true), lines[2].rest)
    -- 6.8 from 6.7's (its family): 1000 s for 40 x 250,000 images, five networks: 5000 s
    assert.are.equal("40 epochs x 250,000 images x 5 nets: about 83.3 min; 0.0001 s per image from its family's results: "
      .. "ch6_7", lines[12].rest)
    assert.truthy(lines[10].rest:find("not estimated", 1, true))
  end)

  it("runs the plan for real: a progress line per run, the failures reported and the rest run, the status says #slow #mnist", function()
    local data = H.mnist_dir()
    if not data then return pending("MNIST is missing: run scripts/setup.sh") end
    local dir, cleanup = H.tmpdir()
    local res = dir .. "/res"
    full_results(res, {average_darkness = true, svm = true})
    -- without MNIST both baselines fail; the second runs all the same, and the status is 1
    os.execute("mkdir -p " .. H.q(dir .. "/nodata"))
    local out, status = H.lnn(("report --full --results %s --data %s"):format(H.q(res), H.q(dir .. "/nodata")))
    assert.are.equal(1, status, out)
    assert.truthy(out:find("[1/2] average_darkness (not estimated) ... FAILED in", 1, true), out)
    assert.truthy(out:find("[2/2] svm (not estimated) ... FAILED in", 1, true), out)
    assert.truthy(out:find("2 of the --full runs failed", 1, true), out)
    -- with MNIST: both run, the page is built from them and says so, status 0
    out, status = H.lnn(("report --full --results %s --data %s"):format(H.q(res), H.q(data)))
    local page = H.read_file(res .. "/report/index.html")
    local dark = io.open(res .. "/baselines/average_darkness.json") and json.decode(H.read_file(res .. "/baselines/average_darkness.json"))
    -- run again: nothing is left to run
    local again, status2 = H.lnn(("report --full --results %s --data %s"):format(H.q(res), H.q(data)))
    cleanup()
    assert.are.equal(0, status, out)
    assert.truthy(out:find("--full: 2 runs for the headlines without a full-length result", 1, true), out)
    assert.truthy(out:match("%[1/2%] average_darkness %(not estimated%) %.%.%. done in %d+ s; elapsed %d+ s, about 0 s left"), out)
    assert.truthy(out:find("[2/2] svm ", 1, true), out)
    assert.are.equal(2225, dark.correct)
    assert.truthy(page:find("Built with <code>--full</code>", 1, true))
    assert.truthy(page:find("<li><code>lnn darkness --out " .. res .. "/baselines --data " .. data .. "</code>: done", 1, true))
    assert.are.equal(0, status2, again)
    assert.truthy(again:find("--full: 0 runs for the headlines", 1, true), again)
  end)

  it("refuses --dry-run without --full, and --quick with --full", function()
    local out, status = H.lnn("report --dry-run")
    assert.are.equal(2, status, out)
    assert.truthy(out:find("lnn report: --dry-run: expected with --full, got it alone", 1, true), out)
    out, status = H.lnn("report --full --quick --dry-run")
    assert.are.equal(2, status, out)
    assert.truthy(out:find("lnn report: --quick and --full: expected one of them, got both", 1, true), out)
  end)
end)

describe("the report's commands, short rows, one-epoch charts and table.md", function()
  it("writes commands as lnn commands; a checkout's script is the same run's second form", function()
    assert.are.equal("lnn experiment ch1_30_hidden --epochs 2", report.lnn_form("lua scripts/experiments/ch1_30_hidden.lua --epochs 2"))
    assert.are.equal("lnn experiment ch6_8 --nets 3", report.lnn_form("lua5.4 /x/y/scripts/experiments/ch6_8.lua --nets 3"))
    assert.are.equal("lnn darkness --out d", report.lnn_form("lua scripts/average_darkness.lua --out d"))
    assert.are.equal("lnn expand && lnn experiment ch6_5", report.lnn_form("lua scripts/expand_mnist.lua && lua scripts/experiments/ch6_5.lua"))
    assert.are.equal("lnn experiment ch1_30_hidden --seed 2", report.lnn_form("bin/lnn experiment ch1_30_hidden --seed 2"))
    assert.are.equal("python3 network.py", report.lnn_form("python3 network.py"))
    assert.are.equal("lua scripts/expand_mnist.lua && lua scripts/experiments/ch6_5.lua --seed 2",
      report.script_form("lnn expand && lnn experiment ch6_5 --seed 2"))
    assert.are.equal("lua scripts/svm_baseline.lua --kernel rbf", report.script_form("lnn svm --kernel rbf"))
    assert.is_nil(report.script_form("lnn bench"))
    local root = report.checkout()
    assert.truthy(root and io.open(root .. "/scripts/experiments/ch6_8.lua"), tostring(root))
    for _, row in ipairs(report.rows()) do assert.truthy(row.command:match("^lnn "), row.command) end
    -- the page: in a checkout both forms, else only lnn's
    local dir, cleanup = H.tmpdir()
    local path = report.build {results = dir .. "/none", out = dir .. "/a"}
    local inside = H.read_file(path)
    path = report.build {results = dir .. "/none", out = dir .. "/b", checkout = false}
    local outside = H.read_file(path)
    cleanup()
    local function row(html, id) return html:match('<tr id="row%-' .. id .. '".-</tr>'):gsub("<wbr>", "") end
    local r8 = row(inside, "ch6_8")
    assert.truthy(r8:find("<code>lnn expand &amp;&amp; lnn experiment ch6_8</code>", 1, true), r8)
    assert.truthy(r8:find('in the checkout: <code>lua scripts/expand_mnist.lua &amp;&amp; lua scripts/experiments/ch6_8.lua</code>', 1, true), r8)
    assert.truthy(row(outside, "ch6_8"):find("<code>lnn expand &amp;&amp; lnn experiment ch6_8</code>", 1, true))
    assert.falsy(outside:find("scripts/", 1, true))
    assert.truthy(inside:find("scripts/", 1, true))
  end)

  it("a short row shows no difference; a one-epoch chart is its values; table.md holds the table", function()
    local dir, cleanup = H.tmpdir()
    local res = dir .. "/res"
    os.execute(("mkdir -p %s/experiments"):format(H.q(res)))
    for seed, best in ipairs {95.0, 95.5, 96.0} do
      H.write_file(("%s/experiments/ch1_30_hidden.seed%d.json"):format(res, seed), json.encode(
        experiment_file("ch1_30_hidden", seed, {best = best, seconds = 10 * seed, machine = "EPYC | 2 cores"})))
    end
    -- one epoch of 6.4 on 5,000 images: far below the book (a short run, never compared)
    H.write_file(res .. "/experiments/ch6_4.json",
      json.encode(chapter6_file("ch6_4", 1, {epochs = 1, acc = 0.1187, train_size = 5000})))
    local path = report.build {results = res}
    local html = H.read_file(path)
    local md = H.read_file(res .. "/report/table.md")
    cleanup()
    local r4 = html:match('<tr id="row%-ch6_4".-</tr>')
    assert.truthy(r4:find("short run", 1, true), r4)
    assert.truthy(r4:find("11.87%", 1, true), r4)
    assert.falsy(r4:find("-87.36", 1, true), r4)
    assert.truthy(r4:find('<td class="num" data-sort=""></td>', 1, true), r4)
    local r1 = html:match('<tr id="row%-ch1_30_hidden".-</tr>')
    assert.truthy(r1:find(">+0.08</td>", 1, true), r1)
    -- the one-epoch chart: values, no frame with a dot; the two-point chart stays a line
    local art = html:match('<article class="experiment" id="curves%-ch6_4">.-</article>')
    assert.falsy(art:find("<polyline", 1, true), art)
    assert.falsy(art:find("<circle", 1, true), art)
    assert.truthy(art:find('<text class="value" [^>]*>11.87</text>'), art)
    assert.truthy(art:find("of the one epoch run", 1, true), art)
    assert.truthy(html:match('<article class="experiment" id="curves%-ch1_30_hidden">.-</article>'):find("<polyline", 1, true))
    -- table.md: one line per headline, full rows with mean, spread and judgement, the others say why not
    assert.truthy(md:find("| Ch | Result | Book | lnn | Within noise | Seeds | Epochs | Time per run | Machine |", 1, true), md)
    local function md_row(title) return md:match("\n(| [^\n]*" .. title:gsub("%p", "%%%0") .. "[^\n]*)") end
    assert.are.equal("| 1 | " .. registry.by_name.ch1_30_hidden.title .. " | 95.42% | 95.50% ± 0.50 | yes (+0.08; "
      .. "2 SE 1.15, spread of 3 seeds (sd 0.50)) | 1, 2, 3 | 30 | 20.0 s | EPYC \\| 2 cores |",
      md_row(registry.by_name.ch1_30_hidden.title))
    assert.truthy(md:find("| 99.23% | no full-length run yet (a short run: 1 of 60 epochs, 5,000 of 50,000 training "
      .. "images) |  |  |  |  |  |", 1, true), md)
    assert.truthy(md_row(registry.by_name.ch1_100_hidden.title):find("| not run yet |", 1, true))
    local n = select(2, md:gsub("\n| [%d%-] | ", ""))
    assert.are.equal(#report.rows(), n)
  end)

  it("plot.svg draws a chart with no two points to join as its values", function()
    local one = {title = "T", xlabel = "epoch", ylabel = "accuracy (%)", reference = {y = 99.23, label = "book"},
                 series = {{name = "validation", set = "validation", points = {{0, 97.12}}},
                           {name = "test", set = "test", points = {{0, 97.3}, {1, 0 / 0}}}}}
    assert.is_true(plot.single(one))
    local svg = plot.svg(one)
    assert.falsy(svg:find("<polyline", 1, true))
    assert.falsy(svg:find("<circle", 1, true))
    for _, v in ipairs {">97.12</text>", ">97.3</text>", ">99.23</text>", ">validation</text>", ">book</text>",
                        "accuracy (%), epoch 0"} do
      assert.truthy(svg:find(v, 1, true), v)
    end
    one.series[2].points[2] = {1, 98}
    assert.is_false(plot.single(one))
    -- no point at all: the empty frame, as before
    assert.is_false(plot.single {series = {{name = "x", points = {{0, 0 / 0}}}}})
    assert.truthy(plot.svg(one):find("<polyline", 1, true))
  end)
end)
