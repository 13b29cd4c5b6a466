-- The report page (lnn.report, scripts/report.lua): how it judges results
-- (seed spread, binomial noise, short runs), and the page itself built from a
-- small results folder made by two short experiments and a baseline, then
-- rendered in headless Chromium with the network off: the DOM holds the table
-- and the figures, a screenshot is not blank and has the asked size, the
-- console stays quiet, nothing points outside the file.  Without chromium the
-- browser checks are pending with the reason, never skipped silently.
local core = require "lnn.core"
local json = require "lnn.json"
local report = require "lnn.report"
local H = require "helpers"

local sh = H.sh

local function row_of(id)
  for _, r in ipairs(report.rows()) do if r.id == id then return r end end
end

describe("lnn.report judging #slow #browser #process", function()
  it("has a row for each of the book's headline results, in the book's order", function()
    local ids = {}
    for _, r in ipairs(report.rows()) do ids[#ids + 1] = r.id end
    assert.are.same({"ch1_30_hidden", "ch1_100_hidden", "average_darkness", "svm", "svm_rbf", "ch3_ce_30", "ch3_ce_100",
      "ch3_overfitting", "ch3_l2_1000", "ch3_l2_30", "ch3_l2_100", "ch3_l2_100_60", "ch3_init", "seed_vanishing",
      "ch6_1", "ch6_2", "ch6_3", "ch6_4", "ch6_5", "ch6_6", "ch6_7", "ch6_8"}, ids)
    assert.are.equal(95.42, row_of("ch1_30_hidden").book)
    assert.are.equal(22.25, row_of("average_darkness").book)
    assert.is_true(math.abs(row_of("ch6_8").book - 99.67) < 1e-9)
    assert.are.equal("5", row_of("seed_vanishing").chapter)
  end)

  -- an experiment file as lnn.experiments writes it, cut down
  local function ch1(seed, best, epochs, images)
    local recs = {}
    for e = 1, epochs do recs[e] = {epoch = e, accuracy = best, total = 10000} end
    return {experiment = "ch1_30_hidden", seed = seed, seconds = 10 * seed, path = "f" .. seed,
            runs = {{best_accuracy = best, epochs = recs, training_images = images or 50000}}}
  end

  it("a row without results says so and gives the full-length command", function()
    local j = report.judge(row_of("ch1_30_hidden"), nil)
    assert.are.equal("not run", j.status)
    assert.are.equal("lnn experiment ch1_30_hidden", j.command)
  end)

  it("one full run: the binomial error of the accuracy on its images is the noise", function()
    local j = report.judge(row_of("ch1_30_hidden"), {ch1(1, 95.0, 30)})
    assert.are.equal("full", j.status)
    assert.is_true(math.abs(j.diff - (95.0 - 95.42)) < 1e-9)
    -- sqrt(.95 * .05 / 10000) = 0.218% ; times sqrt(2) for two runs
    assert.is_true(math.abs(j.noise.se - 100 * math.sqrt(0.95 * 0.05 / 10000) * math.sqrt(2)) < 1e-9)
    assert.is_true(j.noise.within)
    assert.truthy(j.noise.basis:find("binomial", 1, true))
    local far = report.judge(row_of("ch1_30_hidden"), {ch1(1, 94.0, 30)})
    assert.is_false(far.noise.within)
  end)

  it("three seeds or more: their mean and spread; the newest file per seed counts", function()
    local old = ch1(2, 10.0, 30)
    old.run = {date = "2020-01-01T00:00:00Z"}
    local new = ch1(2, 95.5, 30)
    new.run = {date = "2026-01-01T00:00:00Z", command = "lua x --seed 2", machine = "m"}
    local j = report.judge(row_of("ch1_30_hidden"), {ch1(1, 95.0, 30), old, new, ch1(3, 96.0, 30)})
    assert.are.equal(3, j.n)
    assert.are.same({1, 2, 3}, j.seeds)
    assert.is_true(math.abs(j.value - 95.5) < 1e-9)
    -- sd of 95, 95.5, 96 is 0.5; se of (mean - one book run) = 0.5 * sqrt(1 + 1/3)
    assert.is_true(math.abs(j.noise.se - 0.5 * math.sqrt(4 / 3)) < 1e-9)
    assert.truthy(j.noise.basis:find("3 seeds", 1, true))
  end)

  it("short runs are marked with what makes them short, and lose to a full run", function()
    local row = row_of("ch1_30_hidden")
    assert.are.equal("3 of 30 epochs, 5,000 of 50,000 training images", report.shortness(row, ch1(1, 90, 3, 5000)))
    local j = report.judge(row, {ch1(1, 90, 3, 5000)})
    assert.are.equal("short", j.status)
    assert.are.equal("lnn experiment ch1_30_hidden --epochs 3 --train-size 5000", j.command)
    local both = report.judge(row, {ch1(1, 90, 3, 5000), ch1(2, 95, 30)})
    assert.are.equal("full", both.status)
    assert.are.equal(95, both.value)
    local c6 = {experiment = "ch6_8", vote_test_accuracy = 0.99, training_images = 10000,
                members = {{seed = 1}, {seed = 2}, {seed = 3}}, options = {epochs = 1, nets = 3}}
    assert.are.equal("1 of 40 epochs, 10,000 of 250,000 training images, 3 of 5 networks",
      report.shortness(row_of("ch6_8"), c6))
  end)

  it("base64 and HTML escaping", function()
    assert.are.equal("", report.base64(""))
    assert.are.equal("Zg==", report.base64("f"))
    assert.are.equal("Zm8=", report.base64("fo"))
    assert.are.equal("Zm9vYmFy", report.base64("foobar"))
    assert.are.equal("AP8=", report.base64("\0\255"))
    assert.are.equal("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", report.escape("<a href=\"x\">&'"))
  end)

  it("reads a vanishing-gradient experiment's own file (lengths at initialisation have no epoch)", function()
    local dir, cleanup = H.tmpdir()
    local E = require "lnn.experiments"
    E.run("ch4_vanishing", {epochs = 1, train_size = 200, data = H.mnist_dir(), out = dir .. "/experiments",
                            quiet = true, print = function() end})
    local c = report.collect(dir)
    cleanup()
    assert.are.same({}, c.unreadable)
    assert.are.equal(1, #c.experiment.ch4_vanishing)
  end)

  it("a broken results file is listed on the page, without Lua file and line, and the rest still shows", function()
    local dir, cleanup = H.tmpdir()
    os.execute(("mkdir -p '%s/experiments'"):format(dir))
    H.write_file(dir .. "/experiments/bad.json", "{bad")
    H.write_file(dir .. "/experiments/odd.json", '{"experiment":"ch1_30_hidden","runs":[{"epochs":[{"epoch":1}]}]}')
    H.write_file(dir .. "/experiments/other.json", '{"hello": 1}')
    local path, c = report.build {results = dir}
    local html = H.read_file(path)
    cleanup()
    assert.are.equal(1, #c.unreadable)
    assert.truthy(html:find("bad.json</code>: ", 1, true))
    assert.falsy(html:find("%.lua:%d+:"))
    assert.truthy(html:find('id="row-ch1_30_hidden"', 1, true))
  end)

  it("--quick plans short runs of what is missing only", function()
    local c = {experiment = {ch1_30_hidden = {{}}}, chapter6 = {}, baseline = {svm = {{}}}, train = {}, visualize = {}}
    local plan = report.quick_plan(c, {results = "R", expanded = false})
    local names = {}
    for _, p in ipairs(plan) do names[p.name] = (names[p.name] or 0) + 1 end
    assert.is_nil(names.ch1_30_hidden)
    assert.is_nil(names.svm)
    assert.are.equal(1, names.ch1_100_hidden)
    assert.are.equal(1, names.average_darkness)
    assert.are.equal(1, names.expand_mnist)
    assert.are.equal(1, names.ch6_8)
    assert.are.equal(1, names.visualize)
    local p8
    for _, p in ipairs(plan) do if p.name == "ch6_8" then p8 = table.concat(p.args, " ") end end
    assert.are.equal("scripts/experiments/ch6_8.lua --epochs 1 --train-size 3000 --eval-size 2000 --nets 3 --quiet --out R/experiments", p8)
    -- the same runs as lnn commands (what --quick starts)
    local by = {}
    for _, p in ipairs(plan) do by[p.name] = p end
    assert.are.same({"experiment", "ch6_8", "--epochs", "1", "--train-size", "3000", "--eval-size", "2000", "--nets", "3",
                     "--quiet", "--out", "R/experiments"}, by.ch6_8.lnn)
    assert.are.same({"darkness", "--out", "R/baselines"}, by.average_darkness.lnn)
    assert.are.same({"expand"}, by.expand_mnist.lnn)
    local again = report.quick_plan(c, {results = "R", expanded = true})
    for _, p in ipairs(again) do assert.are_not.equal("expand_mnist", p.name) end
  end)
end)

local chromium_missing, browse, console_lines = H.chromium_missing, H.browse, H.console_lines

-- URLs that would leave the file: any http(s) address, and any src or href that
-- is neither a data: URI nor a link inside the page
local function outside_refs(html)
  local t = {}
  for u in html:gmatch("[Hh][Tt][Tt][Pp][Ss]?:[^%s\"'<>]*") do t[#t + 1] = u end
  for _, q in ipairs {'"', "'"} do
    for attr, v in html:gmatch("[%s<](%a+)%s*=%s*" .. q .. "([^" .. q .. "]*)" .. q) do
      attr = attr:lower()
      -- (the demo pages the report writes beside itself are the page's own)
      if (attr == "src" or attr == "href") and not v:match("^data:") and not v:match("^#")
          and not (attr == "href" and v:match("^demo%-%d+%.html$")) then
        t[#t + 1] = attr .. "=" .. v
      end
    end
  end
  return t
end

local function non_white(path)
  local w, h, c, px = core.read_png(path)
  local n = 0
  for i = 1, #px, c do
    local r, g, b = px:byte(i, i + 2)
    if c == 1 then g, b = r, r end
    if r < 245 or g < 245 or b < 245 then n = n + 1 end
  end
  return n, w, h
end

describe("the report page #slow #browser #process", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup, page, html, metrics
  setup(function()
    dir, cleanup = H.tmpdir()
    local res = dir .. "/results"
    -- two short experiments and a baseline: the results folder the page is built from
    local out, status = sh(("lua5.4 scripts/experiments/ch1_30_hidden.lua --epochs 2 --train-size 5000 --quiet --out %s/experiments --data %s")
      :format(res, data))
    assert(status == 0, out)
    out, status = sh(("lua5.4 scripts/experiments/ch6_1.lua --epochs 2 --train-size 3000 --eval-size 2000 --quiet --out %s/experiments --data %s")
      :format(res, data))
    assert(status == 0, out)
    out, status = sh(("lua5.4 scripts/average_darkness.lua --out %s/baselines --data %s"):format(res, data))
    assert(status == 0, out)
    metrics = {ch1 = json.decode(H.read_file(res .. "/experiments/ch1_30_hidden.seed1.epochs2.train5000.json")),
               ch6 = json.decode(H.read_file(res .. "/experiments/ch6_1.seed1.epochs2.train3000.eval2000.json"))}
    out, status = sh(("lua5.4 scripts/report.lua --results %s --out %s/page"):format(res, dir))
    assert(status == 0, out)
    page = dir .. "/page/index.html"
    html = H.read_file(page)
  end)
  teardown(function() cleanup() end)

  it("--quick runs what is missing only (here one experiment), marks it short and lists it", function()
    local res = dir .. "/quick"
    -- every result but ch1_100_hidden is there already (as far as the plan can tell)
    local E, X = require "lnn.experiments", require "lnn.chapter6"
    os.execute(("mkdir -p '%s/experiments' '%s/train' '%s/visualize'"):format(res, res, res))
    for _, list in ipairs {E.list, X.list} do
      for _, e in ipairs(list) do
        if e.name ~= "ch1_100_hidden" then
          H.write_file(("%s/experiments/%s.json"):format(res, e.name), json.encode {experiment = e.name, runs = {}})
        end
      end
    end
    for _, b in ipairs(report.BASELINES) do
      H.write_file(("%s/%s.json"):format(res, b.name), json.encode {baseline = b.name, correct = 1, total = 2})
    end
    H.write_file(res .. "/train/t.json", '{"epochs": [{"epoch": 1, "correct": 1, "total": 2}]}')
    H.write_file(res .. "/visualize/.lnn-visualize", "")
    local out, status = sh(("lua5.4 scripts/report.lua --quick --results %s --data %s"):format(res, data))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("1 short run for what is missing", 1, true), out)
    assert.truthy(out:find("[1/1] lnn experiment ch1_100_hidden --epochs 3", 1, true), out)
    local m = json.decode(H.read_file(res .. "/experiments/ch1_100_hidden.seed1.epochs3.json"))
    assert.are.equal(3, #m.runs[1].epochs)
    local page2 = H.read_file(res .. "/report/index.html")
    local row = page2:match('<tr id="row%-ch1_100_hidden".-</tr>')
    assert.truthy(row:find("short run", 1, true), row)
    assert.truthy(row:find(("%.2f%%"):format(m.runs[1].best_accuracy), 1, true), row)
    assert.truthy(page2:find("(3 epochs): done", 1, true))
  end)

  it("is one file that points nowhere outside itself", function()
    assert.are.same({}, outside_refs(html))
    -- the check itself finds such references
    assert.are.equal(3, #outside_refs('<img src="x.png"><a href="https://e.org/">x</a><p>#ok</p>'))
    assert.falsy(html:find("<link", 1, true))
    assert.falsy(html:find("@import", 1, true))
    assert.falsy(html:find("url(", 1, true))
  end)

  it("holds every row, the figures of the results folder, and the short-run marks", function()
    for _, r in ipairs(report.rows()) do assert.truthy(html:find('id="row-' .. r.id .. '"', 1, true), r.id) end
    assert.truthy(html:find(("%.2f%%"):format(metrics.ch1.runs[1].best_accuracy), 1, true))
    assert.truthy(html:find(("%.2f%%"):format(100 * metrics.ch6.test_accuracy), 1, true))
    assert.truthy(html:find("22.25%", 1, true))
  end)

  it("renders in Chromium: the DOM has the table and charts, the console stays quiet", function()
    local missing = chromium_missing()
    if missing then return pending(missing) end
    local dom, stderr = browse("--dump-dom", page)
    assert.truthy(dom:find('<table id="book-vs-lnn"', 1, true), dom:sub(1, 300))
    local function row(id)
      -- (<wbr> and the nowrap spans only say where a long command may break)
      return (dom:match('<tr id="row%-' .. id:gsub("_", "%%_") .. '".-</tr>') or ""):gsub("<wbr>", ""):gsub('<span class="nb">(.-)</span>', "%1")
    end
    local r1 = row("ch1_30_hidden")
    assert.truthy(r1:find(("%.2f%%"):format(metrics.ch1.runs[1].best_accuracy), 1, true), r1)
    assert.truthy(r1:find("95.42%", 1, true), r1)
    assert.truthy(r1:find("short run", 1, true), r1)
    assert.truthy(r1:find("2 of 30 epochs, 5,000 of 50,000 training images", 1, true), r1)
    assert.truthy(r1:find("--epochs 2 --train-size 5000", 1, true), r1)
    local r6 = row("ch6_1")
    assert.truthy(r6:find(("%.2f%%"):format(100 * metrics.ch6.test_accuracy), 1, true), r6)
    assert.truthy(r6:find("2,000 of 10,000 test images", 1, true), r6)
    local rd = row("average_darkness")
    assert.truthy(rd:find('class="yes"', 1, true), rd)
    assert.truthy(row("ch1_100_hidden"):find("not run yet", 1, true))
    assert.truthy(row("ch6_8"):find("lua scripts/expand_mnist.lua &amp;&amp; lua scripts/experiments/ch6_8.lua", 1, true))
    -- the charts of both experiments, with titles and axis labels
    for _, id in ipairs {"fig-ch1_30_hidden-1", "fig-ch6_1-1"} do
      local svg = dom:match('<svg[^>]-aria%-labelledby="' .. id:gsub("[%-_]", "%%%0") .. '%-title.-</svg>')
      assert.truthy(svg, id)
      assert.truthy(svg:find("<title id=", 1, true))
      assert.truthy(svg:find(">epoch</text>", 1, true), id)
      assert.truthy(svg:find(">accuracy (%)</text>", 1, true), id)
      assert.truthy(svg:find("<polyline", 1, true), id)
    end
    -- the sorting script ran (it turns headers into buttons) and nothing was logged
    assert.truthy(dom:find('<th scope="col"><button', 1, true))
    assert.are.same({}, console_lines(stderr))
    assert.are.same({}, outside_refs(dom))
    -- the console check sees errors when there are some
    local bad = dir .. "/bad.html"
    H.write_file(bad, "<!DOCTYPE html><title>x</title><script>console.error('boom'); nosuch();</script>")
    local _, err2 = browse("--dump-dom", bad)
    assert.are.equal(2, #console_lines(err2))
  end)

  it("renders in Chromium: a screenshot of the asked size that is not blank", function()
    local missing = chromium_missing()
    if missing then return pending(missing) end
    local shot = dir .. "/shot.png"
    local _, stderr = browse(("--screenshot=%s --window-size=1000,1400"):format(shot), page)
    local n, w, h = non_white(shot)
    assert.are.equal(1000, w)
    assert.are.equal(1400, h)
    -- text, table rules and the header: a few percent of the pixels, not a blank page
    assert.is_true(n > 0.02 * w * h, ("only %d non-white pixels"):format(n))
    assert.is_true(n < 0.6 * w * h, ("%d non-white pixels: not a page"):format(n))
    assert.are.same({}, console_lines(stderr))
    -- a blank page counts as blank
    local blank = dir .. "/blank.html"
    H.write_file(blank, "<!DOCTYPE html><title>x</title>")
    browse(("--screenshot=%s --window-size=200,100"):format(dir .. "/blank.png"), blank)
    assert.are.equal(0, (non_white(dir .. "/blank.png")))
  end)
end)

-- hostile results folders (issue 24): text from the files, the file and folder
-- names and the command lines they record reaches the page escaped, and a file
-- whose fields have the wrong types, impossible values or missing keys is
-- listed under "Files that could not be read" with its name and why, while the
-- page is still built (status 0)
describe("the report's pages to draw on #slow", function()
  it("links a demo page for every visualize folder whose network is at hand, and says why not for the others", function()
    local dir, cleanup = H.tmpdir()
    local res = dir .. "/res"
    for _, d in ipairs {"vis-net", "vis-gone"} do assert(os.execute(("mkdir -p '%s/%s'"):format(res, d))) end
    local lnn = require "lnn"
    local net_file = dir .. "/net.lnn"
    lnn.network.Network({784, 20, 10}, {seed = 3}):save(net_file)
    local confusion = {}
    for r = 1, 10 do confusion[r] = {} for c = 1, 10 do confusion[r][c] = r == c and 1 or 0 end end
    for d, file in pairs {["vis-net"] = net_file, ["vis-gone"] = dir .. "/gone.lnn"} do
      H.write_file(("%s/%s/.lnn-visualize"):format(res, d), "")
      H.write_file(("%s/%s/summary.json"):format(res, d),
        json.encode {network = file, set = "test", correct = 10, total = 10, confusion = confusion})
    end
    local path, c = report.build {results = res, out = dir .. "/report"}
    local page = H.read_file(path)
    local links = {}
    for k, v in ipairs(c.visualize) do
      if v.summary.network == net_file then
        links[#links + 1] = v.demo
        assert.truthy(v.demo and v.demo:match("^demo%-%d%.html$"), v.demo)
        local demo = H.read_file(dir .. "/report/" .. v.demo)
        assert.truthy(demo:find("window.lnnDemo", 1, true), "not a demo page")
        assert.truthy(demo:find(net_file, 1, true), "the demo page does not name its network")
        assert.truthy(page:find(('<a href="%s">Draw a digit</a>'):format(v.demo), 1, true), page)
      else
        assert.is_nil(v.demo)
        assert.truthy(v.demo_error:find("cannot read", 1, true), v.demo_error)
        assert.truthy(page:find("No page to draw on for this network: cannot read", 1, true))
      end
      assert.is_true(k <= 2)
    end
    assert.are.equal(1, #links)
    assert.are.same({}, outside_refs(page))
    cleanup()
  end)
end)

describe("the report page from hostile results #slow #browser #process", function()
  local XSS = [[<script>alert(1)</script>"><img src=x onerror=alert(2)>&amp;' <SCRIPT src=//e.org>]]
  local q = H.q
  local function put(path, v) H.write_file(path, type(v) == "string" and v or json.encode(v)) end
  local function mkdir(path) assert(os.execute("mkdir -p " .. q(path))) end

  local dir, cleanup, res, html, out, status
  local bad = {}
  setup(function()
    dir, cleanup = H.tmpdir()
    res = dir .. "/res " .. XSS:gsub("/", "|")
    for _, d in ipairs {"experiments", "baselines", "train", "visualize", "vis-bad"} do mkdir(res .. "/" .. d) end
    local name = XSS:gsub("/", "|")
    local run = {command = XSS, machine = XSS, date = "2026-01-01T00:00:00Z"}
    local epochs = {{epoch = 1, accuracy = 90, total = 100}}
    -- good files that carry hostile text everywhere text can be
    put(res .. "/experiments/" .. name .. ".json", {experiment = "ch1_30_hidden", title = XSS, seed = 1, seconds = 5,
      options = {epochs = 1}, run = run,
      runs = {{best_accuracy = 90, label = XSS, summary = XSS, training_images = 1000, epochs = epochs,
               config = {eval = "test", monitor = {"evaluation_cost"}}}}})
    put(res .. "/experiments/words.json", {experiment = report.qualitative()[1].name, seed = 1, run = run,
      runs = {{best_accuracy = 50, label = XSS, summary = XSS, epochs = epochs}}})
    put(res .. "/experiments/c6.json", {experiment = "ch6_1", about = XSS, test_accuracy = 0.9, training_images = 1000,
      seed = 1, run = run, epochs = {{epoch = 1, validation_accuracy = 0.9, test_accuracy = 0.9}}})
    put(res .. "/baselines/" .. name .. ".json", {baseline = "average_darkness", correct = 2225, total = 10000, run = run})
    put(res .. "/train/" .. name .. ".json", {epochs = {{epoch = 1, correct = 5, total = 10, seconds = 1}},
      sizes = {784, 30, 10}, eta = 3, run = run})
    local confusion = {}
    for r = 1, 10 do confusion[r] = {} for c = 1, 10 do confusion[r][c] = r == c and 1 or 0 end end
    put(res .. "/visualize/.lnn-visualize", "")
    put(res .. "/visualize/summary.json", {network = XSS, set = XSS, correct = 10, total = 10, confusion = confusion})
    -- malformed files: each must be listed
    local function b(file, v) bad[#bad + 1] = file put(res .. "/" .. file, v) end
    local ch1 = function(r, extra)
      local m = {experiment = "ch1_30_hidden", runs = {r}}
      for k, v in pairs(extra or {}) do m[k] = v end
      return m
    end
    b("experiments/runs_string.json", {experiment = "ch1_30_hidden", runs = "x"})
    b("experiments/best_string.json", ch1 {best_accuracy = "95", epochs = epochs})
    b("experiments/epochs_numbers.json", ch1 {best_accuracy = 95, epochs = {1, 2, 3}})
    b("experiments/huge.json", '{"experiment": "ch1_30_hidden", "runs": [{"best_accuracy": 1e300, "epochs": []}]}')
    b("experiments/huge_int.json", '{"experiment": "ch1_30_hidden", "seed": 1, "options": {"epochs": 123456789012345678},'
      .. ' "runs": [{"best_accuracy": 90, "epochs": []}]}')
    b("experiments/seed_table.json", ch1({best_accuracy = 95, epochs = epochs}, {seed = {}}))
    b("experiments/epochs_fraction.json", ch1({best_accuracy = 95, epochs = epochs}, {options = {epochs = 2.5}}))
    b("experiments/title_table.json", ch1({best_accuracy = 95, epochs = epochs}, {title = {a = 1}}))
    b("experiments/command_number.json", ch1({best_accuracy = 95, epochs = epochs}, {run = {command = 5}}))
    b("experiments/images_string.json", ch1 {best_accuracy = 95, epochs = epochs, training_images = "all"})
    b("experiments/missing_runs.json", {experiment = "ch1_100_hidden"})
    b("experiments/nested_junk.json", '{"experiment": "ch1_30_hidden", "runs": [[[[[[{"x": [[]]}]]]]]]}')
    b("experiments/monitor_junk.json", ch1 {best_accuracy = 95, epochs = epochs, config = {monitor = {{}, 5}}})
    b("experiments/ch6_string.json", {experiment = "ch6_2", test_accuracy = "high"})
    b("experiments/ch6_epochs.json", {experiment = "ch6_3", test_accuracy = 0.9,
      epochs = {{epoch = "one", validation_accuracy = "x"}}})
    b("experiments/ch6_members.json", {experiment = "ch6_8", vote_test_accuracy = 0.9, members = {1, 2}})
    b("baselines/correct_string.json", {baseline = "svm", correct = "many", total = 10})
    b("baselines/total_zero.json", {baseline = "svm", correct = 1, total = 0})
    b("train/total_string.json", {epochs = {{epoch = 1, correct = 1, total = "ten"}}})
    b("train/sizes_junk.json", {epochs = {{epoch = 1, correct = 1, total = 2}}, sizes = {"a", {}}})
    b("vis-bad/summary.json", {network = "n", correct = 1, total = 2, confusion = {1, 2, 3, 4, 5, 6, 7, 8, 9, "<script>"}})
    put(res .. "/vis-bad/.lnn-visualize", "")
    -- a confusion matrix of the right shape with markup in a cell (the page once wrote cells as they came)
    mkdir(res .. "/vis-cell")
    local cells = {}
    for r = 1, 10 do cells[r] = {} for c = 1, 10 do cells[r][c] = 0 end end
    cells[3][4] = "<script>alert(3)</script>"
    put(res .. "/vis-cell/.lnn-visualize", "")
    put(res .. "/vis-cell/summary.json", {network = "n", correct = 1, total = 2, confusion = cells})
    bad[#bad + 1] = "vis-cell/summary.json"
    out, status = sh(("lua5.4 bin/lnn report --results %s --out %s"):format(q(res), q(dir .. "/page")))
    html = io.open(dir .. "/page/index.html") and H.read_file(dir .. "/page/index.html") or ""
  end)
  teardown(function() cleanup() end)

  it("is built, status 0", function()
    assert.are.equal(0, status, out)
    assert.falsy(out:find("%.lua:%d+"), out)
  end)

  it("holds no markup from the data: one script element, its own", function()
    local n = select(2, html:lower():gsub("<script", ""))
    assert.are.equal(1, n, "script elements: " .. n)
    assert.truthy(html:find("<script>(function () {", 1, true))
    assert.falsy(html:find("<img src=x", 1, true))
    assert.falsy(html:find("&amp;'", 1, true))
    -- the text is there, escaped: in the table, the curves, the train.lua table, the pictures, the folder
    assert.truthy(html:find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;&#39;",
      1, true))
    local _, n_esc = html:gsub("&lt;script&gt;alert%(1%)", "")
    assert.is_true(n_esc >= 8, "escaped copies: " .. n_esc)
  end)

  it("lists every malformed file with its name and why, and shows the good ones", function()
    local list = html:match("<p>Files that could not be read:</p>\n<ul>\n(.-)</ul>") or ""
    for _, file in ipairs(bad) do
      local item = list:match("<li><code>[^<]*" .. file:gsub("%p", "%%%0") .. "</code>: ([^\n]*)</li>")
      assert.truthy(item, file .. " is not listed:\n" .. list)
      assert.is_true(#item > 5 and #item < 200, file .. ": " .. item)
      assert.falsy(item:find("%.lua:%d"), item)
    end
    assert.truthy(html:find('<tr id="row-ch1_30_hidden"><td>1</td>', 1, true))
    assert.truthy(html:match('<tr id="row%-ch1_30_hidden">.-</tr>'):find("90.00%", 1, true))
    assert.truthy(html:match('<tr id="row%-ch6_1">.-</tr>'):find("90.00%", 1, true))
    assert.truthy(html:match('<tr id="row%-average_darkness">.-</tr>'):find("22.25%", 1, true))
  end)
end)
