-- The chapter 1, 3 and 4 experiments: short versions of the real scripts on
-- real MNIST, their metrics JSON and SVG curves, and lnn.plot itself.
local E = require "lnn.experiments"
local json = require "lnn.json"
local plot = require "lnn.plot"
local H = require "helpers"

local function run_script(name, args)
  local p = io.popen(("lua5.4 scripts/experiments/%s.lua %s 2>&1; echo \"status=$?\""):format(name, args))
  local out = p:read("a")
  p:close()
  return out, tonumber(out:match("status=(%d+)%s*$"))
end

describe("experiments #slow #mnist #process", function()
  local dir, cleanup
  setup(function() dir, cleanup = H.tmpdir() end)
  teardown(function() cleanup() end)

  it("every experiment has its script and every script its experiment", function()
    local p = io.popen("ls scripts/experiments")
    local files = {}
    for f in p:read("a"):gmatch("[^\n]+") do files[f] = true end
    p:close()
    local C6 = require "lnn.chapter6"
    for _, list in ipairs {E.list, C6.list} do
      for _, e in ipairs(list) do
        assert.truthy(files[e.name .. ".lua"], "no script for " .. e.name)
        files[e.name .. ".lua"] = nil
      end
    end
    files["list.lua"], files["README.md"] = nil, nil
    assert.are.same({}, files)
    local p2 = io.popen("lua5.4 scripts/experiments/list.lua")
    local listing = p2:read("a")
    p2:close()
    for _, list in ipairs {E.list, C6.list} do
      for _, e in ipairs(list) do assert.truthy(listing:find(e.name, 1, true), e.name .. " not listed") end
    end
  end)

  it("the overfitting run, shortened, writes metrics with all four monitored values and two curves", function()
    local lines = {}
    local m = E.run("ch3_overfitting", {epochs = 3, out = dir, quiet = true, data = H.mnist_dir(),
                                        print = function(s) lines[#lines + 1] = s end})
    local back = json.decode(H.read_file(dir .. "/ch3_overfitting.seed1.epochs3.json"))
    assert.are.equal(3, #back.runs[1].epochs)
    local e3 = back.runs[1].epochs[3]
    assert.is_true(e3.training_accuracy > 60 and e3.training_accuracy <= 100, e3.training_accuracy)
    assert.is_true(e3.training_cost > 0 and e3.evaluation_cost > 0)
    assert.is_true(e3.accuracy > 60, "test accuracy " .. e3.accuracy)
    assert.are.equal(1000, back.runs[1].training_images)
    assert.are.equal(m.runs[1].best_accuracy, back.runs[1].best_accuracy)
    for _, f in ipairs {"ch3_overfitting.seed1.epochs3.svg", "ch3_overfitting.seed1.epochs3-cost.svg"} do
      local svg = H.read_file(dir .. "/" .. f)
      assert.truthy(svg:match("^<svg "), f)
      local _, n = svg:gsub("<polyline ", "")
      assert.are.equal(2, n, f)
    end
    local text = table.concat(lines, "\n")
    assert.truthy(text:find("book: training accuracy 100%", 1, true), text)
    assert.truthy(text:find("lnn:  [no regularisation] best test accuracy", 1, true), text)
  end)

  it("ch4_vanishing prints and plots each hidden layer's gradient, the earlier layers slower", function()
    local out, status = run_script("ch4_vanishing", ("--epochs 1 --out %s --data %s"):format(dir, H.mnist_dir()))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("hidden-layer gradients", 1, true), out)
    local m = json.decode(H.read_file(dir .. "/ch4_vanishing.seed1.epochs1.json"))
    local g0 = m.runs[1].gradient_norms[1].norms
    assert.are.equal(5, #g0)
    for l = 1, 3 do assert.is_true(g0[l] < g0[l + 1], ("layer %d not slower than %d"):format(l, l + 1)) end
    local _, n = H.read_file(dir .. "/ch4_vanishing.seed1.epochs1-gradients.svg"):gsub("<polyline ", "")
    assert.are.equal(4, n)
  end)

  it("the seed's test.py runs keep the seed's settings; the early-stopping one runs short on 1,000 images", function()
    local function cfg(name) return E.by_name[name].runs[1] end
    local a, b, c = cfg("seed_784_5_10"), cfg("seed_early_stopping"), cfg("seed_vanishing")
    assert.are.same({{784, 5, 10}, "QuadraticCost", "large", 3.0, 10, 30, "test"},
                    {a.sizes, a.cost, a.init, a.eta, a.batch, a.epochs, a.eval})
    assert.are.same({{784, 30, 10}, "CrossEntropyCost", "default", 0.5, 5.0, 10, 30, 1000, "validation", 10},
                    {b.sizes, b.cost, b.init, b.eta, b.lmbda, b.batch, b.epochs, b.train_size, b.eval, b.early_stopping_n})
    assert.are.same({{784, 30, 30, 30, 30, 10}, "CrossEntropyCost", "default", 0.1, 5.0, 10, 30, "validation"},
                    {c.sizes, c.cost, c.init, c.eta, c.lmbda, c.batch, c.epochs, c.eval})
    assert.is_nil(c.train_size) -- all the data
    local m = E.run("seed_early_stopping", {epochs = 2, out = dir, quiet = true, data = H.mnist_dir(),
                                            print = function() end})
    local back = json.decode(H.read_file(dir .. "/seed_early_stopping.seed1.epochs2.json"))
    assert.are.equal(1000, back.runs[1].training_images)
    assert.are.equal(2, #back.runs[1].epochs)
    local e2 = back.runs[1].epochs[2]
    assert.are.equal(10000, e2.total) -- validation data
    assert.is_true(e2.training_cost > 0 and e2.accuracy > 50, json.encode(e2))
    assert.are.equal(m.runs[1].best_accuracy, back.runs[1].best_accuracy)
    local out, status = run_script("seed_784_5_10", ("--epochs 1 --train-size 5000 --out %s --data %s"):format(dir, H.mnist_dir()))
    assert.are.equal(0, status, out)
    -- numbered as network2 prints its epochs: the first is epoch 0 (issue 22)
    assert.truthy(out:find("%[5 hidden%] epoch 0: test %d+ / 10000"), out)
    local m5 = json.decode(H.read_file(dir .. "/seed_784_5_10.seed1.epochs1.train5000.json"))
    assert.are.equal(0, m5.runs[1].epochs[1].epoch)
  end)

  it("a chapter 1 script runs short and a bad flag exits 2", function()
    local out, status = run_script("ch1_30_hidden",
      ("--epochs 1 --train-size 20000 --seed 3 --out %s --data %s"):format(dir, H.mnist_dir()))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("book: 95.42%", 1, true), out)
    local acc = tonumber(out:match("test %d+ / 10000 %((%d+%.%d+)%%%)"))
    assert.is_true(acc and acc > 80, out)
    local _, bad = run_script("ch1_30_hidden", "--epochs x")
    assert.are.equal(2, bad)
    local o2, missing = run_script("ch1_30_hidden", "--epochs 1 --data " .. dir .. "/none")
    assert.are.equal(1, missing)
    assert.truthy(o2:find(dir .. "/none", 1, true), o2)
  end)
end)

describe("lnn.plot", function()
  it("draws one polyline per series, skips NaN and infinite points, marks a single point", function()
    local svg = plot.svg {title = "t & <u>", xlabel = "x", ylabel = "y", series = {
      {name = "a", points = {{1, 1}, {2, 0 / 0}, {3, 3}}},
      {name = "b", points = {{1, math.huge}, {2, 2}}},
    }}
    local _, n = svg:gsub("<polyline ", "")
    assert.are.equal(1, n)
    assert.truthy(svg:find('<circle class="single" ', 1, true))
    assert.truthy(svg:find("t &amp; &lt;u&gt;", 1, true))
    assert.falsy(svg:find("nan", 1, true))
    assert.falsy(svg:find("inf", 1, true))
  end)

  local function stroke_of(svg, k)
    local n = 0
    for color in svg:gmatch('<polyline fill="none" stroke="([^"]+)"') do
      n = n + 1
      if n == k then return color end
    end
  end

  it("gives a monitored set the same colour on every chart, whatever its place", function()
    local pts = {{1, 1}, {2, 2}}
    local a = plot.svg {series = {{name = "x", set = "test", points = pts}, {name = "y", set = "training", points = pts}}}
    local b = plot.svg {series = {{name = "y", set = "training", points = pts}, {name = "x", set = "test", points = pts}}}
    assert.are.equal(plot.SET_COLORS.test, stroke_of(a, 1))
    assert.are.equal(plot.SET_COLORS.test, stroke_of(b, 2))
    assert.are.equal(plot.SET_COLORS.training, stroke_of(b, 1))
    assert.are_not.equal(plot.SET_COLORS.test, plot.SET_COLORS.validation)
    -- two runs on one set: one colour, the second dashed
    local c = plot.svg {series = {{name = "r1", set = "validation", points = pts}, {name = "r2", set = "validation", points = pts}}}
    assert.are.equal(stroke_of(c, 1), stroke_of(c, 2))
    local _, dashed = c:gsub('<polyline[^>]-stroke%-dasharray', "")
    assert.are.equal(1, dashed)
  end)

  it("the experiments' accuracy and cost charts colour the test set alike (ch3_overfitting)", function()
    local recs = {{epoch = 1, accuracy = 80, training_accuracy = 90, training_cost = 0.5, evaluation_cost = 0.7},
                  {epoch = 2, accuracy = 81, training_accuracy = 95, training_cost = 0.3, evaluation_cost = 0.8}}
    local e = E.by_name.ch3_overfitting
    local charts = E.curves {experiment = "ch3_overfitting",
      runs = {{label = "no regularisation", config = e.runs[1], epochs = recs}}}
    assert.are.equal(2, #charts)
    local acc, cost = plot.svg(charts[1].spec), plot.svg(charts[2].spec)
    local function color_of(svg, name)
      for color, label in svg:gmatch('stroke="([^"]+)" stroke%-width="3"/>\n<text [^>]*>([^<]*)</text>') do
        if label == name then return color end
      end
    end
    assert.are.equal(plot.SET_COLORS.test, color_of(acc, "no regularisation (test)"))
    assert.are.equal(plot.SET_COLORS.test, color_of(cost, "no regularisation (test)"))
    assert.are.equal(plot.SET_COLORS.training, color_of(acc, "no regularisation (training)"))
    assert.are.equal(plot.SET_COLORS.training, color_of(cost, "no regularisation (training)"))
    -- the book's figure is the accuracy chart's reference line
    assert.truthy(acc:find("book: 82.27%", 1, true))
  end)

  it("draws the reference line, titles and labels the chart, and leaves out xmlns inline", function()
    local svg = plot.svg {title = "T", xlabel = "epoch", ylabel = "acc", id = "f1", inline = true,
      reference = {y = 50, label = "book: 50%"}, series = {{name = "s", points = {{1, 10}, {2, 20}}}}}
    assert.falsy(svg:find("xmlns", 1, true))
    assert.truthy(svg:find('aria-labelledby="f1-title f1-desc"', 1, true))
    assert.truthy(svg:find('<title id="f1-title">T</title>', 1, true))
    assert.truthy(svg:find('stroke-dasharray="5 4"><title>book: 50%</title>', 1, true))
    assert.truthy(svg:find(">epoch</text>", 1, true) and svg:find(">acc</text>", 1, true))
    -- the y axis reaches the reference line
    assert.truthy(svg:find(">50</text>", 1, true))
    assert.truthy(plot.svg({series = {}}):find('xmlns="http://www.w3.org/2000/svg"', 1, true))
    -- a long title wraps onto two lines
    local long = plot.svg {title = ("word "):rep(40), series = {}}
    local _, lines = long:gsub('text%-anchor="middle" font%-size="%d+">word', "")
    assert.are.equal(2, lines)
  end)
end)
