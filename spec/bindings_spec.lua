-- The binding layer's own contracts: errors that name the public function
-- (core.call_as), type tests by metatable (core.type), a network refusing
-- re-entrant calls while it is busy, and numbers checked after their
-- conversion to float32.
local core = require "lnn.core"

local function err_of(f, ...)
  local ok, e = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  return tostring(e)
end

describe("core.call_as", function()
  it("reports a binding's argument errors as the caller's function and argument", function()
    local e = err_of(core.call_as, "update_mini_batch", 1, core.Data, {{1, 2}}, {12}, 10)
    assert.are.equal("bad argument #1 to 'update_mini_batch' (label 1 must be an integer 0..9)", e)
    e = err_of(core.call_as, "feedforward", 2, core.Matrix, {{1, 2}, {3}})
    assert.are.equal("bad argument #2 to 'feedforward' (row 2 has 1 elements, expected 2)", e)
    -- a type error of lnn's own checks, and a method's argument
    local net = core.Net {sizes = {2, 1}}
    e = err_of(core.call_as, "evaluate", 1, net.evaluate, net, {})
    assert.are.equal("bad argument #1 to 'evaluate' (lnn.Data expected, got table)", e)
  end)

  it("keeps the binding's own argument number when argn is nil", function()
    local e = err_of(core.call_as, "Vector", nil, core.Data, {{1, 2}}, {12}, 10)
    assert.are.equal("bad argument #2 to 'Vector' (label 1 must be an integer 0..9)", e)
  end)

  it("names the caller's function in option and other errors", function()
    local net = core.Net {sizes = {2, 1}}
    local X, Y = core.Matrix(1, 2), core.Matrix(1, 1)
    local e = err_of(core.call_as, "SGD", 4, net.update, net, X, Y, {eta = 1, mu = 2})
    assert.are.equal("bad option 'mu' to 'SGD' (number in [0, 1) expected)", e)
    e = err_of(core.call_as, "SGD", 4, net.update, net, X, Y, {eta = 1, lamda = 2})
    assert.are.equal("unknown option 'lamda' to 'SGD'", e)
    e = err_of(core.call_as, "Network", 1, core.Net, {sizes = {2, 0}})
    assert.are.equal("bad option 'sizes' to 'Network' (size 2 must be an integer 1 to 2^24)", e)
    e = err_of(core.call_as, "load_mnist", 1, core.load_idx, "/nonexistent/x", "/nonexistent/y")
    assert.truthy(e:find("^load_mnist: "), e)
  end)

  it("returns every result of the call", function()
    local d = core.Data({{1, 2}, {3, 4}}, {0, 1})
    assert.are.same({2, 2, 2}, {core.call_as("shape", nil, d.shape, d)})
    assert.are.equal(3, core.call_as("Matrix", nil, core.Matrix, {1, 2, 3}):numel())
  end)

  it("names only the call it makes, not calls made during it", function()
    -- an __index metamethod of an options table runs a binding of its own:
    -- its errors keep their own name
    local net = core.Net {sizes = {2, 1}}
    local X, Y = core.Matrix(1, 2), core.Matrix(1, 1)
    local inner
    local opts = setmetatable({}, {__index = function(_, k)
      if k == "eta" then
        inner = select(2, pcall(function() local d = core.Data({{1}}, {300}) return d end))
        return 1
      end
    end})
    core.call_as("SGD", 4, net.update, net, X, Y, opts)
    assert.truthy(tostring(inner):find("bad argument #2 to 'Data'", 1, true), inner)
    -- and without call_as the bindings name themselves, as before
    assert.are.equal("bad argument #2 to 'Data' (label 1 must be an integer 0..255)",
      err_of(function() return core.Data({{1}}, {300}) end):gsub("^[^:]*:%d+: ", ""))
  end)

  it("rejects bad arguments of its own", function()
    local function e(...) local ok, m = pcall(function(...) local r = core.call_as(...) return r end, ...) return m end
    assert.truthy(e(nil, 1, core.Matrix, {1}):find("bad argument #1 to 'call_as' (string expected, got nil)", 1, true))
    assert.truthy(e("f", 0, core.Matrix, {1}):find("bad argument #2 to 'call_as' (argument number >= 1", 1, true))
    assert.truthy(e("f", 1, function() end):find("bad argument #3 to 'call_as' (function of lnn.core", 1, true))
  end)
end)

describe("core.type", function()
  it("tells lnn's objects by their metatable", function()
    local m = core.Matrix(2, 2)
    assert.are.equal("lnn.Matrix", core.type(m))
    assert.are.equal("lnn.Matrix", core.type(m[1]))
    assert.are.equal("lnn.Data", core.type(core.Data({{1}}, {0})))
    assert.are.equal("lnn.Rng", core.type(core.Rng(1)))
    assert.are.equal("lnn.Net", core.type(core.Net {sizes = {2, 1}}))
  end)

  it("is nil for anything else, however it looks", function()
    local fake = setmetatable({}, {__name = "lnn.Net", __tostring = function() return "lnn.Net(2-1)" end})
    assert.is_nil(core.type(fake))
    assert.is_nil(core.type({numel = function() return 1 end, slice = true}))
    assert.is_nil(core.type(io.stdout))
    assert.is_nil(core.type(nil))
    assert.is_nil(core.type("lnn.Matrix"))
    assert.is_nil(core.type(3))
  end)

  it("is what the Lua modules test types with: a look-alike is refused by name", function()
    local model, baselines = require "lnn.model", require "lnn.baselines"
    -- a light userdata that prints as a network and claims its __name
    local fake = core.json_null
    debug.setmetatable(fake, {__name = "lnn.Net", __tostring = function() return "lnn.Net(784-10)" end})
    local ok, e = pcall(model.layout_of, fake)
    debug.setmetatable(fake, {__name = "lnn.Matrix", __tostring = function() return "lnn.Matrix(784)" end})
    local ok2, e2 = pcall(require("lnn.mnist_loader").vectorToImage, fake)
    debug.setmetatable(fake, nil)
    assert.is_false(ok)
    assert.truthy(tostring(e):find("bad argument #1 to 'layout_of' (lnn.Net expected", 1, true), e)
    assert.is_false(ok2)
    assert.truthy(tostring(e2):find("bad argument #1 to 'vectorToImage' (lnn.Matrix or table expected", 1, true), e2)
    -- and a face-side conversion names the public function, not Matrix
    ok, e = pcall(baselines.guess_digit, {1, "x"}, {[3] = 1.0})
    assert.is_false(ok)
    assert.truthy(tostring(e):find("bad argument #1 to 'guess_digit' (element 2: number expected, got string)",
      1, true), e)
  end)
end)

describe("a network busy in a call", function()
  local X1 = core.Matrix(1, 4, {0.1, 0.2, 0.3, 0.4})
  local X2 = core.Matrix(1, 4, {-3, 5, -7, 9})
  local Y1, Y2 = core.Matrix(1, 3, {1, 0, 0}), core.Matrix(1, 3, {0, 0, 1})

  local function new_net()
    local net = core.Net {sizes = {4, 5, 3}}
    net:init(core.Rng(7))
    return net
  end

  -- Lua 5.4's defaults (pause 200%, step multiplier 100, step size 2^13 bytes)
  local function gc_default() collectgarbage("incremental", 200, 100, 13) end
  after_each(function() gc_default() collectgarbage() end)

  it("refuses a call from a finalizer run by one of its allocations, and returns its own result", function()
    local net = new_net()
    local want = net:forward(X1):totable(true)
    local other = net:forward(X2):totable(true)
    local refused, served, wrong = 0, 0, 0
    -- a collection cycle at every allocation (from the next cycle on):
    -- finalizers run inside forward's allocations
    collectgarbage("incremental", 1, 1000, 20)
    collectgarbage()
    for _ = 1, 300 do
      setmetatable({}, {__gc = function()
        local ok, e = pcall(net.forward, net, X2)
        if ok then served = served + 1
        elseif tostring(e):find("forward: the network is busy in another call", 1, true) then
          refused = refused + 1
        else error(e) end
      end})
      local got = net:forward(X1):totable(true)
      for k = 1, #want do if got[k] ~= want[k] then wrong = wrong + 1 break end end
    end
    gc_default()
    assert.are.equal(0, wrong, "forward returned another input's output")
    assert.is_true(refused >= 1, ("no finalizer ran inside a call (%d ran outside)"):format(served))
    assert.are.same(other, net:forward(X2):totable(true))
  end)

  it("refuses a call from an options table's metamethod, and steps on its own batch", function()
    local a, b = new_net(), new_net()
    b:update(X1, Y1, {eta = 0.5})
    local inner
    local opts = setmetatable({}, {__index = function(_, k)
      if k == "eta" then
        local ok, e = pcall(a.update, a, X2, Y2, {eta = 0.5})
        inner = ok and "served" or tostring(e)
        return 0.5
      end
    end})
    a:update(X1, Y1, opts)
    assert.truthy(inner:find("update: the network is busy in another call", 1, true), inner)
    assert.are.equal(0, a:params():maxabsdiff(b:params()), "the step was not the batch's own")
    -- every kind of call is refused meanwhile, reads included
    local calls = {
      forward = function() return a:forward(X2) end,
      gradient = function() return a:gradient(X2, Y2) end,
      evaluate = function() return a:evaluate(core.Data({{1, 2, 3, 4}}, {0}, 3)) end,
      init = function() return a:init(core.Rng(1)) end,
      weights = function() return a:weights(1) end,
      weight_sqsum = function() return a:weight_sqsum() end,
    }
    for name, call in pairs(calls) do
      local msg
      a:train_epoch(core.Data({{1, 2, 3, 4}}, {0}, 3), core.Rng(1), setmetatable({}, {__index = function(_, k)
        if k == "eta" then msg = select(2, pcall(call)) return 0.1 end
      end}))
      assert.truthy(tostring(msg):find(name .. ": the network is busy", 1, true), name .. ": " .. tostring(msg))
    end
  end)

  it("is free again however the call ended: an error, or an error inside a coroutine", function()
    local net = new_net()
    local want = net:forward(X1):totable(true)
    local boom = setmetatable({}, {__index = function() error("boom") end})
    local ok, e = pcall(net.update, net, X1, Y1, boom)
    assert.is_false(ok)
    assert.truthy(tostring(e):find("boom", 1, true), e)
    assert.are.same(want, net:forward(X1):totable(true))
    local co = coroutine.create(function() net:update(X1, Y1, boom) end)
    ok, e = coroutine.resume(co) -- the coroutine dies; nothing closes it
    assert.is_false(ok)
    assert.are.same(want, net:forward(X1):totable(true))
    -- and errors inside the call still name it, at its caller's line
    ok, e = pcall(function() net:update(X1, Y1, {eta = 1, mu = 2}) end)
    assert.truthy(tostring(e):find("^spec/bindings_spec%.lua:%d+: bad option 'mu' to 'update'"), e)
  end)
end)

describe("numbers checked after their conversion to float32", function()
  local net = core.Net {sizes = {2, 1}}
  local X, Y = core.Matrix(1, 2, {1, 1}), core.Matrix(1, 1, {1})

  local function opt_error(opts, key)
    local ok, e = pcall(net.update, net, X, Y, opts)
    assert.is_false(ok, key .. " accepted")
    assert.truthy(tostring(e):find("bad option '" .. key .. "' to 'update'", 1, true), e)
    return tostring(e)
  end

  it("mu just below 1 is 1 in float32: refused", function()
    local e = opt_error({eta = 1, mu = 0.99999999999}, "mu")
    assert.truthy(e:find("which is 1 in float32", 1, true), e)
    net:update(X, Y, {eta = 1, mu = 0.999}) -- still fine
  end)

  it("eta and lmbda beyond float32 (infinite) or too small (zero) are refused", function()
    opt_error({eta = 1e39}, "eta")
    opt_error({eta = 1e-50}, "eta")
    opt_error({eta = 1, lmbda = 1e39}, "lmbda")
    assert.truthy(select(2, pcall(net.train_epoch, net, core.Data({{1, 1}}, {{1}}), core.Rng(1),
      {eta = 1e39})):find("bad option 'eta' to 'train_epoch' (positive number in float32's range", 1, true))
  end)

  it("matrix and data values beyond float32's range are refused, infinities kept", function()
    local cases = {
      {function() return core.Matrix({1, 1e39}) end, "bad argument #1 to 'Matrix' (element 2: 1e+39 is beyond float32's range)"},
      {function() return core.Matrix({{1}, {-1e39}}) end, "row 2, element 1: -1e+39 is beyond"},
      {function() return core.Matrix(2, 2, 1e300) end, "bad argument #3 to 'Matrix' (1e+300 is beyond"},
      {function() local m = core.Matrix(2, 2) m:set(1, 2, 4e38) end, "bad argument #3 to 'set' (4e+38 is beyond"},
      {function() local m = core.Matrix(2, 2) m:fill(-4e38) end, "bad argument #1 to 'fill' (-4e+38 is beyond"},
      {function() local m = core.Matrix(2, 2) m[1][2] = 1e39 end, "1e+39 is beyond float32's range"},
      {function() local m = core.Matrix(2, 2) m[1] = {1, 1e39} end, "element 2: 1e+39 is beyond"},
      {function() return core.Data({{1, 1e39}}, {0}) end, "bad argument #1 to 'Data' (input 1, element 2: 1e+39 is beyond"},
      {function() return core.Data({{1}}, {{1e39}}) end, "bad argument #2 to 'Data' (target 1, element 1: 1e+39 is beyond"},
      {function() return core.json_number(1e39) end, "1e+39 is beyond float32's range"},
    }
    for i, c in ipairs(cases) do
      local ok, e = pcall(c[1])
      assert.is_false(ok, "case " .. i .. " accepted")
      assert.truthy(tostring(e):find(c[2], 1, true), "case " .. i .. ": " .. tostring(e))
    end
    assert.are.equal(math.huge, core.Matrix({math.huge})[1][1])
    assert.is_true(math.abs(core.Matrix({3.4e38})[1][1] - 3.4e38) < 1e32)
    local m = core.Matrix(1, 1)
    m:set(1, 1, -math.huge)
    assert.are.equal(-math.huge, m:get(1, 1))
  end)
end)
