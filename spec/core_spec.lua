-- lnn.core's objects from Lua: Matrix, Rng, Data and Net, their indexing and
-- every public function's bad arguments (the error names function, argument,
-- what was expected and what came).
local core = require "lnn.core"
local H = require "helpers"

describe("lnn.Matrix", function()
  it("indexes like numpy: m[i] is a row view, m[i][k] a number", function()
    local m = core.Matrix {{1, 2, 3}, {4, 5, 6}}
    assert.are.same({2, 3}, {m:shape()})
    assert.are.equal(2, #m)
    assert.are.equal(6, m[2][3])
    m[2][3] = 7.5
    assert.are.equal(7.5, m:get(2, 3))
    local row = m[1]
    row[2] = -1
    assert.are.equal(-1, m[1][2])
    assert.are.same({{1, -1, 3}, {4, 5, 7.5}}, m:totable())
    assert.are.same({1, -1, 3, 4, 5, 7.5}, m:totable(true))
    local c = m:copy()
    c[1][1] = 100
    assert.are.equal(1, m[1][1])
    local v = m:reshape(3, 2)
    assert.are.equal(3, v[2][1])
    assert.are.equal(3, m:view(2, 1, 2)[1][2])
    assert.are.equal(6, core.Matrix(2, 2, 1.5):sum())
    assert.are.equal(2, core.Matrix({3, 9, 1}):argmax())
    assert.truthy(tostring(m):find("lnn.Matrix(2x3)", 1, true))
  end)

  it("views keep their owner alive", function()
    local row
    do
      local m = core.Matrix(100, 100, 2)
      row = m[50]
    end
    collectgarbage()
    collectgarbage()
    assert.are.equal(2, row[100])
  end)

  it("rejects bad arguments with clear messages", function()
    local m = core.Matrix(2, 3)
    H.error_matches(function() core.Matrix(0, 3) end, "bad argument #1 to 'Matrix'", "rows must be 1 to 2^30, got 0")
    H.error_matches(function() core.Matrix(2, -1) end, "bad argument #2 to 'Matrix'", "cols")
    H.error_matches(function() core.Matrix("x", 3) end, "bad argument #1 to 'Matrix'", "number expected, got string")
    H.error_matches(function() core.Matrix(65536, 65536) end, "matrix too large")
    H.error_matches(function() core.Matrix(2, 2, {1, 2, 3}) end, "table has 3 rows, expected 2")
    H.error_matches(function() core.Matrix {{1, 2}, {3}} end, "row 2 has 1 elements, expected 2")
    H.error_matches(function() core.Matrix {{1, "a"}} end, "number expected, got string")
    H.error_matches(function() return m[3] end, "index 3 out of range 1..2")
    H.error_matches(function() return m[1][4] end, "index 4 out of range 1..3")
    H.error_matches(function() m[1][1] = "x" end, "number expected, got string")
    H.error_matches(function() m:get(0, 1) end, "out of range")
    H.error_matches(function() m:view(6, 1, 2) end, "exceeds 6 elements")
    H.error_matches(function() m:reshape(4, 2) end, "cannot reshape 2x3 to 4x2")
    H.error_matches(function() m:copy_from(core.Matrix(2, 2)) end, "shapes differ: 2x3 <- 2x2")
    H.error_matches(function() m.get({}, 1, 1) end, "lnn.Matrix expected, got table")
    H.error_matches(function() m:apply("cosh") end, "invalid option 'cosh'")
  end)
end)

describe("lnn.Rng", function()
  it("is reproducible, and its state round-trips", function()
    local a, b = core.Rng(42), core.Rng(42)
    for _ = 1, 5 do assert.are.equal(a:uniform(), b:uniform()) end
    local s = a:state()
    assert.truthy(s:match("^pcg32:%x+:%x+$"))
    local x = {a:normal(), a:random(10), a:uniform()}
    local c = core.Rng(0):set_state(s)
    assert.are.same(x, {c:normal(), c:random(10), c:uniform()})
    assert.are_not.equal(core.Rng(1):uniform(), core.Rng(2):uniform())
    local p = core.Rng(3):permutation(100)
    local seen = {}
    for _, v in ipairs(p) do seen[v] = true end
    for i = 1, 100 do assert.is_true(seen[i]) end
    assert.are.same(p, core.Rng(3):permutation(100))
  end)

  it("draws normals with mean 0 and variance 1", function()
    local r, s, s2, n = core.Rng(9), 0, 0, 20000
    for _ = 1, n do local v = r:normal() s = s + v s2 = s2 + v * v end
    assert.is_true(math.abs(s / n) < 0.03)
    assert.is_true(math.abs(s2 / n - 1) < 0.04)
  end)

  it("rejects bad arguments", function()
    local r = core.Rng(1)
    H.error_matches(function() core.Rng("x") end, "bad argument #1 to 'Rng'")
    H.error_matches(function() r:random(0) end, "bad argument #1 to 'random'", "1 to 2^32-1")
    H.error_matches(function() r:permutation(-1) end, "bad argument #1 to 'permutation'")
    H.error_matches(function() r:set_state("pcg32:zz") end, "bad argument #1 to 'set_state'", "rng state expected")
    H.error_matches(function() r:set_state("pcg32:0000000000000001:0000000000000002") end, "odd increment")
    H.error_matches(function() r.uniform(core.Matrix(1, 1)) end, "lnn.Rng expected, got lnn.Matrix")
  end)
end)

describe("lnn.Data", function()
  it("is built from Lua tables and reads like the book's lists", function()
    local d = core.Data({{0.1, 0.2}, {0.3, 0.4}, {0.5, 0.6}}, {{1, 0}, {0, 1}, {1, 0}})
    assert.are.equal(3, #d)
    local x, y = d:get(2)
    assert.are.same({2, 1}, {x:shape()})
    assert.is_true(math.abs(x[2][1] - 0.4) < 1e-7)
    assert.are.same({0, 1}, y:totable(true))
    assert.are.equal(0, d:label(1))
    assert.are.equal(1, d:label(2))
    local pair = d[3]
    assert.is_true(math.abs(pair[1][1][1] - 0.5) < 1e-7)
    local l = core.Data({{1}, {2}, {3}}, {0, 2, 1}, 4)
    assert.are.same({3, 1, 4}, {l:shape()})
    assert.are.equal(2, select(2, l:get(2)))
    assert.are.same({0, 0, 1, 0}, select(2, l:onehot():get(2)):totable(true))
    local m = core.Data(core.Matrix {{1, 2}, {3, 4}}, core.Matrix {{1}, {0}})
    assert.are.same({2, 2, 1}, {m:shape()})
    assert.truthy(tostring(d):find("3 items"))
  end)

  it("rejects bad arguments", function()
    H.error_matches(function() core.Data({}, {}) end, "bad argument #1 to 'Data'", "1 to 2^31 items")
    H.error_matches(function() core.Data({{1}}, {{1}, {0}}) end, "bad argument #2 to 'Data'", "2 targets for 1 inputs")
    H.error_matches(function() core.Data({{1}, {1, 2}}, {0, 1}) end, "input 2 has 2 elements, expected 1")
    H.error_matches(function() core.Data({{1}, {1}}, {0, 300}) end, "label 2 must be an integer")
    H.error_matches(function() core.Data({{1}, {1}}, {0, 3}, 2) end, "label 2 must be an integer 0..1")
    H.error_matches(function() core.Data({{1}, {"x"}}, {0, 0}) end, "input 2, element 1: number expected, got string")
    H.error_matches(function() core.Data("x", {}) end, "bad argument #1 to 'Data'", "table expected, got string")
    local d = core.Data({{1}}, {0})
    H.error_matches(function() d:get(2) end, "bad argument #1 to 'get'", "index 2 out of range 1..1")
    H.error_matches(function() d:pixels(1) end, "holds floats, not bytes")
    H.error_matches(function() d.get(core.Matrix(1, 1), 1) end, "lnn.Data expected, got lnn.Matrix")
  end)
end)

describe("lnn.Net", function()
  it("lays out its parameter block and exposes views into it", function()
    local net = core.Net {sizes = {3, 4, 2}}
    local lay = net:layout()
    assert.are.equal("quadratic", lay.cost)
    assert.are.equal(3 * 4 + 4 + 4 * 2 + 2, lay.nparams)
    assert.are.same({0, 12, 16, 24}, {lay.layers[1].weights, lay.layers[1].biases, lay.layers[2].weights, lay.layers[2].biases})
    net:weights(2)[2][3] = 5
    assert.are.equal(5, net:params()[16 + 4 + 3][1])
    net:init(core.Rng(1))
    assert.is_true(net:params():maxabsdiff(core.Matrix(lay.nparams, 1)) > 0)
    assert.truthy(tostring(net):find("3-4-2"))
  end)

  it("rejects bad arguments and options", function()
    H.error_matches(function() core.Net {sizes = {3}} end, "bad option 'sizes' to 'Net'", "2 to 33 sizes")
    H.error_matches(function() core.Net {sizes = {3, 0}} end, "size 2 must be an integer")
    H.error_matches(function() core.Net {sizes = {3, 2}, hidden = "cosh"} end, "bad option 'hidden' to 'Net'", "got 'cosh'")
    H.error_matches(function() core.Net {sizes = {3, 2}, sizs = 1} end, "unknown option 'sizs' to 'Net'")
    H.error_matches(function() core.Net {sizes = {3, 2}, cost = "cross-entropy", output = "linear"} end, "cross-entropy cost needs a sigmoid output")
    H.error_matches(function() core.Net(5) end, "bad argument #1 to 'Net'", "table expected, got number")
    local net = core.Net {sizes = {3, 2}}
    local d = core.Data({{1, 2}}, {0}, 2)
    H.error_matches(function() net:train_epoch(d, core.Rng(1), {eta = 1}) end, "train_epoch", "items of 3 inputs expected, got 2")
    local d3 = core.Data({{1, 2, 3}}, {0}, 5)
    H.error_matches(function() net:evaluate(d3) end, "evaluate", "2 classes or targets expected, got 5")
    local ok = core.Data({{1, 2, 3}}, {1}, 2)
    H.error_matches(function() net:train_epoch(ok, core.Rng(1), {eta = -1}) end, "bad option 'eta' to 'train_epoch'")
    H.error_matches(function() net:train_epoch(ok, core.Rng(1), {eta = 1, batch = 0}) end, "bad option 'batch'")
    H.error_matches(function() net:train_epoch(ok, core.Rng(1), {eta = 1, lamda = 1}) end, "unknown option 'lamda' to 'train_epoch'")
    H.error_matches(function() net:train_epoch(ok, core.Rng(1), {eta = 0 / 0}) end, "bad option 'eta'")
    H.error_matches(function() net:train_epoch(ok, "rng", {eta = 1}) end, "lnn.Rng expected, got string")
    H.error_matches(function() net:forward(core.Matrix(4, 1)) end, "bad argument #1 to 'forward'", "input of 3 elements")
    H.error_matches(function() net:weights(3) end, "layer 3 out of range 1..1")
    H.error_matches(function() net:gradient(core.Matrix(1, 3), core.Matrix(1, 3)) end, "1 x 2 targets expected, got 1x3")
    H.error_matches(function() net:kernels("sse9") end, "kernel table 'sse9' is not available")
  end)

  it("stops with false when training diverges to NaN", function()
    local net = core.Net {sizes = {2, 2}, output = "linear"}
    net:init(core.Rng(1), "large")
    local d = core.Data({{1e30, 1e30}}, {{1e30, 1e30}})
    assert.is_false(net:train_epoch(d, core.Rng(1), {eta = 1e10, batch = 1}))
  end)
end)
