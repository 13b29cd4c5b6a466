-- spec/kernels_spec.lua: lnn's one arithmetic (docs/arithmetic.md).  Every
-- kernel table this processor runs gives the naive table's float32 bits, to
-- the bit (signs of zero included), on odd shapes: products with 1, 7, 31, 33
-- and 257 rows and columns and 1 to 784 terms, every activation and its
-- derivative on ordinary and special values, the byte-to-float conversion,
-- and the conv-pool layer's forward and backward.  The naive table is the
-- definition; a table that is not present here cannot be run (the closing
-- line of this file's describe says which ran).
local core = require "lnn.core"

local tables = core.kernels()

-- the bytes of a matrix's floats, in row order
local function bits(m)
  local t, parts = m:totable(true), {}
  for i = 1, #t, 512 do
    local j = math.min(#t, i + 511)
    parts[#parts + 1] = string.pack("<" .. ("f"):rep(j - i + 1), table.unpack(t, i, j))
  end
  return table.concat(parts)
end

-- nil when a and b hold the same bits, else where they first differ
local function differ(a, b)
  local x, y = bits(a), bits(b)
  if x == y then return nil end
  for i = 1, #x, 4 do
    if x:sub(i, i + 3) ~= y:sub(i, i + 3) then
      return ("element %d: %.9g vs %.9g"):format((i + 3) // 4, string.unpack("<f", x, i),
        string.unpack("<f", y, i))
    end
  end
  return "lengths differ"
end

-- a rows x cols matrix of values in [-2, 2) from a seeded generator, with
-- exact zeros, negative zeros and tiny values sprinkled in
local function random_matrix(rows, cols, seed)
  local rng = core.Rng(seed)
  local m = core.Matrix(rows, cols)
  for i = 1, rows do
    for j = 1, cols do
      local u = rng:uniform()
      local v = (rng:uniform() - 0.5) * 4
      if u < 0.03 then v = 0.0 elseif u < 0.05 then v = -0.0 elseif u < 0.06 then v = v * 1e-38 end
      m:set(i, j, v)
    end
  end
  return m
end

describe("kernel tables: every table gives the naive table's bits", function()
  it("the naive table and this processor's SIMD tables are listed (" .. table.concat(tables, ", ") .. ")", function()
    assert.are.equal("naive", tables[1])
    for _, t in ipairs(tables) do assert.truthy(({naive = 1, avx2 = 1, avx512 = 1})[t], t) end
  end)

  local sizes = {1, 7, 31, 33, 257}
  local terms = {1, 7, 16, 25, 33, 500, 784}
  -- f(m, n, k) for every shape of sizes x sizes x terms up to 257 x 7 x 784
  local function each_shape(f)
    for _, m in ipairs(sizes) do
      for _, n in ipairs(sizes) do
        for _, k in ipairs(terms) do
          if m * n * k <= 257 * 7 * 784 then f(m, n, k) end
        end
      end
    end
  end

  for _, t in ipairs(tables) do
    it(t .. ": gemm_nt (C = beta C + A B^T) on odd shapes #slow", function()
      each_shape(function(m, n, k)
        local A, B = random_matrix(m, k, m * 1000 + k), random_matrix(n, k, n * 1000 + k + 1)
        local C = random_matrix(m, n, m + n)
        for _, beta in ipairs {0.0, 1.0, -0.75} do
          local d = differ(core.kernel_gemm_nt("naive", A, B, C, beta), core.kernel_gemm_nt(t, A, B, C, beta))
          assert.is_nil(d, ("%s gemm_nt %dx%d, k %d, beta %g: %s"):format(t, m, n, k, beta, d))
        end
      end)
    end)

    it(t .. ": gemm_xn (C = beta C + alpha A B and alpha A^T B) on odd shapes #slow", function()
      each_shape(function(m, n, k)
        local A, At = random_matrix(m, k, m * 77 + k), random_matrix(k, m, m * 79 + k)
        local B, C = random_matrix(k, n, n * 83 + k), random_matrix(m, n, m * 7 + n)
        for _, ab in ipairs {{1.0, 0.0}, {-0.3, 0.7}, {1.0, 1.0}} do
          local alpha, beta = ab[1], ab[2]
          local d = differ(core.kernel_gemm_xn("naive", A, false, B, C, alpha, beta),
            core.kernel_gemm_xn(t, A, false, B, C, alpha, beta))
          assert.is_nil(d, ("%s gemm_xn A B %dx%d, k %d: %s"):format(t, m, n, k, d))
          d = differ(core.kernel_gemm_xn("naive", At, true, B, C, alpha, beta),
            core.kernel_gemm_xn(t, At, true, B, C, alpha, beta))
          assert.is_nil(d, ("%s gemm_xn A^T B %dx%d, k %d: %s"):format(t, m, n, k, d))
        end
      end)
    end)

    it(t .. ": a network trains to the naive table's parameters, bit for bit", function()
      local network = require "lnn.network"
      local net1 = network.Network({33, 17, 9}, {seed = 4})
      local net2 = network.Network({33, 17, 9}, {seed = 4})
      net1:engine():kernels("naive")
      net2:engine():kernels(t)
      local rng = core.Rng(3)
      local xs, ys = {}, {}
      for i = 1, 50 do
        xs[i] = {}
        for j = 1, 33 do xs[i][j] = rng:uniform() end
        ys[i] = rng:random(9) - 1
      end
      local data = core.Data(xs, ys, 9)
      net1:SGD(data, 3, 7, 0.5, nil, {quiet = true})
      net2:SGD(data, 3, 7, 0.5, nil, {quiet = true})
      for l = 1, 2 do
        assert.is_nil(differ(net1.weights[l], net2.weights[l]), t .. " weights " .. l)
        assert.is_nil(differ(net1.biases[l], net2.biases[l]), t .. " biases " .. l)
      end
    end)

    it(t .. ": activations and their derivatives, special values included", function()
      local specials = {0.0, -0.0, 1e-45, -1e-45, 1e-38, 87.3, -87.3, 88.7, -88.7, 1e30, -1e30,
        math.huge, -math.huge, 0 / 0, 16.6, -16.6, 0.5, -0.5}
      for _, n in ipairs {1, 7, 8, 9, 31, 33, 257, 1001} do
        local x = random_matrix(n, 1, n)
        for i = 1, n do x:set(i, 1, (i - n / 2) * (40 / n)) end
        for i, v in ipairs(specials) do if i <= n then x:set(i, 1, v) end end
        local dy = random_matrix(n, 1, n + 1)
        for _, act in ipairs {"sigmoid", "tanh", "relu", "linear"} do
          local y = core.kernel_forward("naive", act, x)
          local d = differ(y, core.kernel_forward(t, act, x))
          assert.is_nil(d, ("%s %s forward, %d values: %s"):format(t, act, n, d))
          d = differ(core.kernel_backward("naive", act, dy, y), core.kernel_backward(t, act, dy, y))
          assert.is_nil(d, ("%s %s backward, %d values: %s"):format(t, act, n, d))
        end
      end
    end)

    it(t .. ": bytes to floats", function()
      for _, n in ipairs {1, 7, 9, 31, 33, 257} do
        local s = {}
        for i = 1, n do s[i] = string.char((i * 37) % 256) end
        s = table.concat(s)
        local d = differ(core.kernel_u8("naive", s, 1 / 255), core.kernel_u8(t, s, 1 / 255))
        assert.is_nil(d, ("%s u8, %d bytes: %s"):format(t, n, d))
      end
    end)

    -- a conv-pool layer (the case) fed by another conv-pool layer, so its
    -- backward's input delta reaches a gradient, then a softmax layer
    local conv_cases = {
      {image = {1, 7, 9}, filters = {3, 1, 3, 2}, pool = {2, 3}},
      {image = {2, 9, 8}, filters = {5, 2, 3, 3}, pool = {3, 2}},      -- ragged pool edges
      {image = {3, 6, 6}, filters = {17, 3, 5, 5}, pool = {1, 1}},     -- a partial filter vector
      {image = {20, 12, 12}, filters = {40, 20, 5, 5}, pool = {2, 2}}, -- the book's second layer (K 500)
      {image = {1, 28, 28}, filters = {20, 1, 5, 5}, pool = {2, 2}},   -- and its first (K 25)
      {image = {4, 5, 3}, filters = {33, 4, 2, 3}, pool = {2, 1}},     -- narrower than a vector
      {image = {2, 33, 31}, filters = {7, 2, 4, 6}, pool = {3, 3}},    -- 31 wide, 7 filters
    }
    for ci, c in ipairs(conv_cases) do
      it(("%s: conv-pool forward and backward, image %s, filters %s, pool %s"):format(t,
        table.concat(c.image, "x"), table.concat(c.filters, "x"), table.concat(c.pool, "x")), function()
        local qh = (c.image[2] - c.filters[3] + 1) // c.pool[1]
        local qw = (c.image[3] - c.filters[4] + 1) // c.pool[2]
        local layers = {
          {kind = "convpool", image = {1, c.image[2] + 2, c.image[3] + 1}, filters = {c.image[1], 1, 3, 2},
           pool = {1, 1}, activation = "tanh"},
          {kind = "convpool", image = c.image, filters = c.filters, pool = c.pool, activation = "relu"},
          {kind = "dense", n_in = c.filters[1] * qh * qw, n_out = 3, activation = "softmax"}}
        local net = core.Net {layers = layers, cost = "log-likelihood"}
        local rng = core.Rng(100 + ci)
        net:init(rng, "large")
        local m = 5
        local X, Y = random_matrix(m, (c.image[2] + 2) * (c.image[3] + 1), ci), core.Matrix(m, 3)
        for i = 1, m do Y:set(i, rng:random(3), 1) end
        net:kernels("naive")
        local o1 = net:forward(X)
        local g1, c1 = net:gradient(X, Y)
        net:kernels(t)
        local o2 = net:forward(X)
        local g2, c2 = net:gradient(X, Y)
        assert.is_nil(differ(o1, o2), t .. " forward")
        assert.is_nil(differ(g1, g2), t .. " gradient")
        assert.are.equal(c1, c2)
        assert.is_true(g1:maxabsdiff(core.Matrix(g1:numel(), 1)) > 0, "the gradient is all zero")
      end)
    end

    -- the kernels alone on buffers of exactly their size (core.kernel_conv):
    -- a network's workspace is one block, so a kernel that reads or writes a
    -- float past a buffer's end changes nothing there; here, under the
    -- sanitized suite (scripts/test-sanitized.sh), AddressSanitizer stops it.
    -- Ragged pool edges (a row and a column no window reads) and pooled rows
    -- of 10 and 13 (the 2 x 2 vector pool's last block of 8 overlaps)
    local exact_cases = {
      {c = 2, h = 9, w = 8, f = 5, kh = 3, kw = 3, ph = 3, pw = 2},
      {c = 1, h = 25, w = 25, f = 3, kh = 5, kw = 5, ph = 2, pw = 2},
      {c = 2, h = 30, w = 31, f = 4, kh = 3, kw = 4, ph = 2, pw = 2},
      {c = 3, h = 8, w = 9, f = 7, kh = 2, kw = 3, ph = 2, pw = 3},
    }
    it(t .. ": conv-pool kernels on exactly sized buffers, ragged edges and partial vectors", function()
      for ci, c in ipairs(exact_cases) do
        local shape = {c.c, c.h, c.w, c.f, c.kh, c.kw, c.ph, c.pw}
        local qh, qw = (c.h - c.kh + 1) // c.ph, (c.w - c.kw + 1) // c.pw
        local m = 3
        local X = random_matrix(m, c.c * c.h * c.w, 200 + ci)
        local W = random_matrix(c.f, c.c * c.kh * c.kw, 300 + ci)
        local dz = random_matrix(m, c.f * qh * qw, 400 + ci)
        local want = {core.kernel_conv("naive", shape, X, W, dz)}
        local got = {core.kernel_conv(t, shape, X, W, dz)}
        for k, what in ipairs {"out", "arg", "gW", "din"} do
          local d = differ(want[k], got[k])
          assert.is_nil(d, ("%s %s, case %d: %s"):format(t, what, ci, d))
        end
        assert.is_true(want[4]:maxabsdiff(core.Matrix(m, c.c * c.h * c.w)) > 0, "din is all zero")
      end
    end)
  end
end)

describe("the exponential every table uses", function()
  -- sigmoid(x) = 1 / (1 + exp(-x)) by the naive table against the same
  -- formula in double precision: lnn_expf is within a few ulp of exp
  it("gives sigmoid within 4 float32 ulp of double precision over [-30, 30]", function()
    local n = 6001
    local x = core.Matrix(n, 1)
    for i = 1, n do x:set(i, 1, -30 + (i - 1) * 0.01) end
    local y = core.kernel_forward("naive", "sigmoid", x)
    local worst = 0
    for i = 1, n do
      local xi = x:get(i, 1)
      local exact = 1 / (1 + math.exp(-xi))
      local got = y:get(i, 1)
      local ulp = 2.0 ^ (math.floor(math.log(exact, 2)) - 23)
      worst = math.max(worst, math.abs(got - exact) / ulp)
    end
    assert.is_true(worst <= 4, ("sigmoid is off by %.2f ulp"):format(worst))
  end)

  it("keeps sigmoid in [0, 1] and finite for huge, infinite and NaN inputs", function()
    -- exp is clamped to [exp(-87.34), exp(88.38)]: sigmoid of a huge negative
    -- input is about 4.2e-39, not 0; exp(NaN) is exp(-87.34), so sigmoid(NaN) is 1
    local x = core.Matrix {{1e30}, {-1e30}, {math.huge}, {-math.huge}, {0 / 0}}
    for _, t in ipairs(tables) do
      local y = core.kernel_forward(t, "sigmoid", x):totable(true)
      assert.are.same({1, 1, 1}, {y[1], y[3], y[5]}, t)
      assert.is_true(y[2] > 0 and y[2] < 1e-38 and y[4] == y[2], t)
    end
  end)
end)

describe("the kernel-table bindings refuse bad arguments", function()
  local M = core.Matrix(3, 2, 1)
  local N = core.Net {sizes = {2, 3, 2}}
  -- {function, text the error must contain...}
  local cases = {}
  local function bad(_, f, ...) cases[#cases + 1] = {f, ...} end
  bad("kernel_gemm_nt", function() return core.kernel_gemm_nt("x") end, "bad argument #1 to 'kernel_gemm_nt'", "kernel table 'x'")
  bad("kernel_gemm_nt", function() return core.kernel_gemm_nt("naive", core.Matrix(2, 3), core.Matrix(2, 4)) end, "bad argument #3 to 'kernel_gemm_nt'", "inner dimensions differ")
  bad("kernel_gemm_nt", function() return core.kernel_gemm_nt("naive", core.Matrix(2, 3), core.Matrix(2, 3), core.Matrix(1, 1)) end, "bad argument #4 to 'kernel_gemm_nt'", "wrong shape")
  bad("kernel_gemm_xn", function() return core.kernel_gemm_xn("naive", core.Matrix(2, 3), false, core.Matrix(2, 4)) end, "bad argument #4 to 'kernel_gemm_xn'", "inner dimensions differ")
  bad("kernel_gemm_xn", function() return core.kernel_gemm_xn("naive", 1) end, "bad argument #2 to 'kernel_gemm_xn'")
  bad("kernel_forward", function() return core.kernel_forward("naive", "x", M) end, "bad argument #2 to 'kernel_forward'", "invalid option 'x'")
  bad("kernel_forward", function() return core.kernel_forward("naive", "relu", {}) end, "bad argument #3 to 'kernel_forward'")
  bad("kernel_backward", function() return core.kernel_backward("naive", "sigmoid", M, core.Matrix(1, 1)) end, "bad argument #4 to 'kernel_backward'", "shapes differ")
  bad("kernel_u8", function() return core.kernel_u8("naive", "", 1) end, "bad argument #2 to 'kernel_u8'", "1 to 2^30 bytes")
  bad("kernel_u8", function() return core.kernel_u8("naive", "a") end, "bad argument #3 to 'kernel_u8'")
  local CS = {1, 4, 4, 2, 3, 3, 2, 2} -- c h w f kh kw ph pw: K 9, 2 x 1 x 1 outputs
  bad("kernel_conv", function() return core.kernel_conv("naive", 1) end, "bad argument #2 to 'kernel_conv'", "table expected")
  bad("kernel_conv", function() return core.kernel_conv("naive", {1, 4, 4, 2, 3, 3, 2}) end, "bad argument #2 to 'kernel_conv'", "shape[8] (pw): an integer in 1..4096 expected")
  bad("kernel_conv", function() return core.kernel_conv("naive", {1, 4, 4, 2, 5, 3, 1, 1}) end, "bad argument #2 to 'kernel_conv'", "filters larger than the image")
  bad("kernel_conv", function() return core.kernel_conv("naive", {1, 4, 4, 2, 3, 3, 3, 1}) end, "bad argument #2 to 'kernel_conv'", "no whole pool window")
  bad("kernel_conv", function() return core.kernel_conv("naive", CS, core.Matrix(2, 15), core.Matrix(2, 9), core.Matrix(2, 2)) end, "bad argument #3 to 'kernel_conv'", "16 columns (c h w) expected, got 15")
  bad("kernel_conv", function() return core.kernel_conv("naive", CS, core.Matrix(2, 16), core.Matrix(9, 2), core.Matrix(2, 2)) end, "bad argument #4 to 'kernel_conv'", "2 x 9 expected, got 9 x 2")
  bad("kernel_conv", function() return core.kernel_conv("naive", CS, core.Matrix(2, 16), core.Matrix(2, 9), core.Matrix(1, 2)) end, "bad argument #5 to 'kernel_conv'", "2 x 2 expected, got 1 x 2")
  bad("Net:kernels", function() return N:kernels("x") end, "bad argument #1 to 'kernels'", "kernel table 'x' is not available")

  it(("with a Lua error naming the function and the argument in each of %d cases"):format(#cases), function()
    for i, c in ipairs(cases) do
      local ok, err = pcall(c[1])
      assert(not ok, ("case %d: no error"):format(i))
      for k = 2, #c do assert(tostring(err):find(c[k], 1, true), ("case %d: %q lacks %q"):format(i, err, c[k])) end
    end
  end)

  it("every core.kernel_* function has a case here", function()
    local covered, missing = {}, {}
    for _, c in ipairs(cases) do covered[c[2]:match("to '([%w_]+)'")] = true end
    for k, v in pairs(core) do
      if type(v) == "function" and k:match("^kernel_") and not covered[k] then missing[#missing + 1] = k end
    end
    table.sort(missing)
    assert.are.same({}, missing)
  end)
end)
