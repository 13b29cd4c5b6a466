-- demo_spec.lua: `lnn demo` writes a page where the reader draws a digit and
-- the network answers.  Checked in headless Chromium (network off): the page's
-- own forward pass classifies 1,000 MNIST test images as lnn does (all equal),
-- a stroke drawn with synthetic pointer events changes the bars and the
-- answer, the console stays quiet and nothing points outside the file.
-- Without chromium the browser checks are pending, with the reason.
local H = require "spec.helpers"
local lnn = require "lnn"

local N = 1000 -- test images the page classifies

-- a page that runs the page under test, then the checks, and writes what they
-- found into the DOM (chromium's --dump-dom prints it)
local function selftest_page(page, images)
  local script = ([[
<script>
(function () {
  const raw = atob("%s"), n = %d, out = [];
  for (let i = 0; i < n; i++) {
    const x = new Float64Array(784);
    for (let j = 0; j < 784; j++) x[j] = raw.charCodeAt(i * 784 + j) / 255;
    out.push(window.lnnDemo.classify(x).digit);
  }
  const before = window.lnnDemo.outputs(), answer0 = window.lnnDemo.answer();
  const pts = [];
  for (let t = 0; t <= 20; t++) pts.push({x: 140, y: 60 + 8 * t}); // a vertical stroke: a one
  window.lnnDemo.stroke(pts);
  const after = window.lnnDemo.outputs(), answer1 = window.lnnDemo.answer();
  const pre = document.createElement("pre");
  pre.id = "selftest";
  pre.textContent = "classes=" + out.join(",") + "\nbefore=" + before.join(",") + "\nanswer0=" + answer0
    + "\nafter=" + after.join(",") + "\nanswer1=" + answer1 + "\n";
  document.body.appendChild(pre);
})();
</script>
]]):format(images, N)
  return (page:gsub("</body>", function() return script .. "</body>" end))
end

local function base64_images(data, n)
  local parts = {}
  for i = 1, n do
    local x = data[i][1]
    local bytes = {}
    for j = 1, 784 do bytes[j] = math.floor(x:get(j, 1) * 255 + 0.5) end
    parts[i] = string.char(table.unpack(bytes, 1, 392)) .. string.char(table.unpack(bytes, 393, 784))
  end
  return require("lnn.report").base64(table.concat(parts))
end

describe("lnn demo: draw a digit, the network answers #slow #browser #process", function()
  local dir, cleanup, mnist
  setup(function()
    dir, cleanup = H.tmpdir()
    mnist = H.mnist_dir()
  end)
  teardown(function() cleanup() end)

  it("refuses what it cannot draw for, naming the command and the file", function()
    local out, st = H.sh("lua5.4 bin/lnn demo " .. dir .. "/missing.lnn")
    assert.are.equal(1, st, out)
    assert.truthy(out:find("lnn demo: cannot read " .. dir .. "/missing.lnn", 1, true), out)
    H.write_file(dir .. "/metrics.json", '{"epochs": []}')
    out, st = H.sh(("lua5.4 bin/lnn demo %s/metrics.json --out %s/m.html"):format(dir, dir))
    assert.are.equal(1, st, out)
    assert.truthy(out:find("lnn demo: " .. dir .. "/metrics.json is not a network lnn saved", 1, true), out)
    assert.is_nil(io.open(dir .. "/m.html"), "a page was written for a file that is no network")
    lnn.network.Network({100, 10}, {seed = 1}):save(dir .. "/small.lnn")
    out, st = H.sh(("lua5.4 bin/lnn demo %s/small.lnn --out %s/small.html"):format(dir, dir))
    assert.are.equal(1, st, out)
    assert.truthy(out:find("reads 100 inputs", 1, true), out)
    out, st = H.sh("lua5.4 bin/lnn demo")
    assert.are.equal(2, st, out)
    assert.truthy(out:find("NETWORK_FILE expected", 1, true), out)
  end)

  for _, face in ipairs {"network", "network2", "network3"} do
    it(face .. ": the page classifies " .. N .. " test images as lnn does, and a drawn stroke moves the bars",
       function()
      if not mnist then pending("MNIST is missing: run scripts/setup.sh") return end
      local tr, _, te = lnn.mnist_loader.load_data_wrapper(mnist)
      local net, file
      if face == "network" then
        net = lnn.network.Network({784, 30, 10}, {seed = 7})
        net:SGD(tr:slice(1, 10000), 2, 10, 3.0, nil, {quiet = true})
        file = dir .. "/net.lnn"
      elseif face == "network2" then
        net = lnn.network2.Network({784, 30, 10}, lnn.network2.CrossEntropyCost, {seed = 7})
        net:SGD(tr:slice(1, 10000), 2, 10, 0.5, {lmbda = 5.0, quiet = true})
        file = dir .. "/net.json"
      else -- a conv-pool layer, a dropout layer and softmax, as chapter 6's nets
        local n3 = lnn.network3
        net = n3.Network({
          n3.ConvPoolLayer {image_shape = {10, 1, 28, 28}, filter_shape = {8, 1, 5, 5}, poolsize = {2, 2},
                            activation_fn = n3.ReLU},
          n3.FullyConnectedLayer {n_in = 8 * 12 * 12, n_out = 30, activation_fn = n3.ReLU, p_dropout = 0.2},
          n3.SoftmaxLayer {n_in = 30, n_out = 10}}, 10, {seed = 7})
        net:SGD(tr:slice(1, 3000), 1, 10, 0.03, te:slice(1, 100), nil, 0.1, {quiet = true})
        file = dir .. "/conv.lnn"
      end
      net:save(file)
      local page = dir .. "/" .. face .. ".html"
      local out, st = H.sh(("lua5.4 bin/lnn demo %s --out %s"):format(file, page))
      assert.are.equal(0, st, out)
      local html = H.read_file(page)
      assert.is_nil(html:find("https?://"), "the page points outside itself")
      assert.is_nil(html:find("<script[^>]*src", 1), "the page loads a script from elsewhere")
      local missing = H.chromium_missing()
      if missing then pending(missing) return end
      local test = dir .. "/" .. face .. "-selftest.html"
      H.write_file(test, selftest_page(html, base64_images(te, N)))
      local dom, stderr = H.browse("--dump-dom --virtual-time-budget=10000", test)
      assert.are.same({}, H.console_lines(stderr))
      local found = dom:match('<pre id="selftest">(.-)</pre>')
      assert.truthy(found, "the page's self-test wrote nothing:\n" .. dom:sub(1, 400) .. "\n" .. stderr:sub(1, 2000))
      dom = found
      local classes = dom:match("classes=([%d,]+)")
      local want = net:predict(te:slice(1, N))
      local got, differ = {}, {}
      for c in classes:gmatch("%d+") do got[#got + 1] = tonumber(c) end
      assert.are.equal(N, #got)
      for i = 1, N do
        if got[i] ~= want[i] then differ[#differ + 1] = ("image %d: page %d, lnn %d"):format(i, got[i], want[i]) end
      end
      assert.are.same({}, differ)
      -- before the stroke: no answer, every bar at 0; after: an answer and bars that moved
      assert.are.equal("", dom:match("answer0=([^\n]*)"))
      local before, after = {}, {}
      for v in dom:match("before=([^\n]*)"):gmatch("[^,]+") do before[#before + 1] = tonumber(v) end
      for v in dom:match("after=([^\n]*)"):gmatch("[^,]+") do after[#after + 1] = tonumber(v) end
      assert.are.equal(10, #before)
      assert.are.equal(10, #after)
      local moved = 0
      for k = 1, 10 do
        assert.are.equal(0, before[k])
        if after[k] > 0 then moved = moved + 1 end
      end
      assert.is_true(moved > 0, "the bars did not move after the stroke")
      assert.truthy(dom:match("answer1=(%d)"), "no answer after the stroke")
    end)
  end
end)
