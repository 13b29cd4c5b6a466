-- svm_rbf_spec.lua: the RBF-like SVM of `lnn svm --kernel rbf`: random Fourier
-- features (tools.rff_map, tools.rff_features) that approximate
-- exp(-gamma |x - y|^2), computed the same way on every kernel table, and an
-- SVM on them that beats the linear one where the book's says it should.
local H = require "spec.helpers"
local lnn = require "lnn"
local core = lnn.core
local tools = core.tools
local baselines = require "lnn.baselines"

-- a small data set of float inputs in [0, 1] with labels
local function dataset(n, d, seed)
  local rng, xs, ys = core.Rng(seed), {}, {}
  for i = 1, n do
    local x = {}
    for j = 1, d do x[j] = rng:uniform() end
    xs[i], ys[i] = x, (i - 1) % 3
  end
  return core.Data(xs, ys, 3), xs
end

describe("random Fourier features #slow #mnist #process", function()
  it("rff_map draws the same omega and b for the same seed, others for another", function()
    local o1, b1 = tools.rff_map(5, 50, 7, 0.1)
    local o2, b2 = tools.rff_map(5, 50, 7, 0.1)
    local o3 = tools.rff_map(6, 50, 7, 0.1)
    assert.are.equal(0, o1:maxabsdiff(o2))
    assert.are.equal(0, b1:maxabsdiff(b2))
    assert.is_true(o1:maxabsdiff(o3) > 0)
    assert.are.same({50, 7}, {o1:shape()})
    assert.are.same({50, 1}, {b1:shape()})
    for i = 1, 50 do
      local v = b1:get(i, 1)
      assert.is_true(v >= 0 and v < 2 * math.pi + 1e-6, "b out of [0, 2 pi): " .. v)
    end
  end)

  it("are sqrt(2/D) cos(omega x + b), to float precision (lnn's own cosine)", function()
    local D, d = 64, 5
    local data, xs = dataset(20, d, 3)
    local omega, b = tools.rff_map(1, D, d, 2.0) -- wide arguments: the reduction by 2 pi matters
    local Z = tools.rff_features(data, omega, b)
    local worst = 0
    for i = 1, 20 do
      local z = Z[i][1]
      for j = 1, D do
        local s = b:get(j, 1)
        for k = 1, d do s = s + omega:get(j, k) * xs[i][k] end
        worst = math.max(worst, math.abs(z:get(j, 1) - math.sqrt(2 / D) * math.cos(s)))
      end
    end
    assert.is_true(worst < 2e-6, "largest difference " .. worst)
  end)

  it("approximate the RBF kernel: Z(x).Z(y) near exp(-gamma |x - y|^2)", function()
    local D, d, gamma = 4000, 10, 0.5
    local data, xs = dataset(12, d, 9)
    local omega, b = tools.rff_map(2, D, d, gamma)
    local Z = tools.rff_features(data, omega, b)
    local worst = 0
    for i = 1, 12 do
      for j = i, 12 do
        local dot, dist = 0, 0
        for f = 1, D do dot = dot + Z[i][1]:get(f, 1) * Z[j][1]:get(f, 1) end
        for k = 1, d do dist = dist + (xs[i][k] - xs[j][k]) ^ 2 end
        worst = math.max(worst, math.abs(dot - math.exp(-gamma * dist)))
      end
    end
    assert.is_true(worst < 0.08, "largest kernel error " .. worst .. " (about 3/sqrt(D) expected)")
  end)

  it("are the same bits on every kernel table this processor has", function()
    local tables = core.kernels()
    local script = [[
      package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
      package.cpath = "build/?.so;" .. package.cpath
      local core = require "lnn.core"
      local rng, xs, ys = core.Rng(4), {}, {}
      for i = 1, 37 do local x = {} for j = 1, 33 do x[j] = rng:uniform() end xs[i], ys[i] = x, i % 2 end
      local omega, b = core.tools.rff_map(3, 129, 33, 0.3)
      local Z = core.tools.rff_features(core.Data(xs, ys, 2), omega, b)
      local out = {}
      for i = 1, 37 do for j = 1, 129 do out[#out + 1] = ("%a"):format(Z[i][1]:get(j, 1)) end end
      io.write(table.concat(out, " "))
    ]]
    local path = os.tmpname()
    H.write_file(path, script)
    local first
    for _, t in ipairs(tables) do
      local out, st = H.sh(("LNN_KERNELS=%s lua5.4 %s"):format(t, path))
      assert.are.equal(0, st, out)
      if first == nil then first = out else assert.is_true(out == first, "table " .. t .. " differs") end
    end
    os.remove(path)
  end)

  it("rff_features and rff_map refuse bad arguments, naming themselves", function()
    local data = dataset(4, 3, 1)
    local omega, b = tools.rff_map(1, 8, 3, 0.5)
    H.error_matches(function() tools.rff_features(data, core.Matrix(8, 4), b) end,
      "rff_features", "D x 3 Matrix expected for 3 inputs, got 8x4")
    H.error_matches(function() tools.rff_features(data, omega, core.Matrix(7, 1)) end,
      "rff_features", "8 values expected")
    H.error_matches(function() tools.rff_map(1, 0, 3, 0.5) end, "rff_map", "1 to 1000000 features")
    H.error_matches(function() tools.rff_map(1, 8, 3, -1) end, "rff_map", "positive gamma")
  end)
end)

describe("baselines.svm with kernel = 'rbf' #slow #mnist #process", function()
  it("refuses unknown kernels and options that do not belong to the kernel", function()
    local data = dataset(30, 4, 2)
    H.error_matches(function() baselines.svm(data, {kernel = "poly"}) end,
      "'svm'", "kernel: 'linear' or 'rbf' expected, got poly")
    H.error_matches(function() baselines.svm(data, {gamma = 0.1}) end,
      "'svm'", "gamma is an rbf kernel's option")
    H.error_matches(function() baselines.svm(data, {kernel = "rbf", gamma = 0}) end,
      "'svm'", "gamma: a positive number expected")
    H.error_matches(function() baselines.svm(data, {kernel = "rbf", features = 1.5}) end,
      "'svm'", "features: an integer")
  end)

  it("on MNIST beats the linear SVM trained on the same images (5,000 images, 1,000 features)", function()
    local mnist = H.mnist_dir()
    if not mnist then pending("MNIST is missing: run scripts/setup.sh") return end
    local tr, _, te = lnn.mnist_loader.load_data(mnist)
    tr, te = tr:slice(1, 5000), te:slice(1, 2000)
    local linear = baselines.svm(tr):predict(te)
    local rbf = baselines.svm(tr, {kernel = "rbf", gamma = 0.02, C = 5, features = 1000, epochs = 50})
    local correct = rbf:predict(te)
    assert.is_true(correct > linear + 20, ("rbf %d, linear %d of 2000"):format(correct, linear))
    -- the same seed, the same classifier
    local again = baselines.svm(tr, {kernel = "rbf", gamma = 0.02, C = 5, features = 1000, epochs = 50})
    assert.are.equal(0, rbf.W:maxabsdiff(again.W))
  end)
end)

describe("one-vs-one (multiclass = 'ovo', libsvm's scheme)", function()
  -- 4 classes, 2 inputs: class c's points around a corner of the unit square
  local function corners(n, seed)
    local rng, xs, ys = core.Rng(seed), {}, {}
    local at = {{0, 0}, {1, 0}, {0, 1}, {1, 1}}
    for i = 1, n do
      local c = (i - 1) % 4
      xs[i] = {at[c + 1][1] + (rng:uniform() - 0.5) * 1.4, at[c + 1][2] + (rng:uniform() - 0.5) * 1.4}
      ys[i] = c
    end
    return xs, ys
  end

  it("trains one row per pair, each on its two classes' items only, and predicts by their vote", function()
    local xs, ys = corners(200, 5)
    local data = core.Data(xs, ys, 4)
    local W, passes, gap = tools.svm_train(data, {C = 1, epochs = 50, multiclass = "ovo"})
    assert.are.same({6, 3}, {W:shape()}) -- pairs (0,1) (0,2) (0,3) (1,2) (1,3) (2,3), 2 inputs + bias
    assert.is_true(passes >= 1 and gap >= 0)
    -- the vote, in Lua: row p > 0 votes for its first class, else its second; the first most-voted wins
    local correct, pred = tools.svm_predict(W, data, 4)
    local pairs, want, right, decided = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}, 0, 0, 0
    for i = 1, #xs do
      local votes, clear = {0, 0, 0, 0}, true
      for p, ab in ipairs(pairs) do
        local v = W:get(p, 1) * xs[i][1] + W:get(p, 2) * xs[i][2] + W:get(p, 3)
        clear = clear and math.abs(v) > 1e-4 -- float and double may differ in sign only near 0
        votes[(v > 0 and ab[1] or ab[2]) + 1] = votes[(v > 0 and ab[1] or ab[2]) + 1] + 1
      end
      local best = 1
      for c = 2, 4 do if votes[c] > votes[best] then best = c end end
      if clear then
        decided = decided + 1
        assert.are.equal(best - 1, pred[i], "item " .. i)
      end
      if pred[i] == ys[i] then right = right + 1 end
    end
    assert.is_true(decided > 150, decided .. " items decided clearly")
    assert.are.equal(right, correct)
    assert.is_true(correct > 150, correct .. " of 200")
    -- a pair's row depends on its two classes' items only: move every item of
    -- class 3 and the row of (0, 1) keeps its bits; (0, 3) changes
    for i = 1, #xs do if ys[i] == 3 then xs[i] = {xs[i][1] + 5, xs[i][2] - 3} end end
    local W2 = tools.svm_train(core.Data(xs, ys, 4), {C = 1, epochs = 50, multiclass = "ovo"})
    for _, p in ipairs {1, 2, 4} do
      for j = 1, 3 do assert.are.equal(W:get(p, j), W2:get(p, j), ("pair %d, column %d"):format(p, j)) end
    end
    assert.is_true(math.abs(W:get(3, 3) - W2:get(3, 3)) > 0)
  end)

  it("shares the pairs over lnn's threads with the same bits for any count", function()
    local data = core.Data(corners(400, 8))
    local before = core.threads()
    local W = {}
    for _, t in ipairs {1, 2, 5} do
      core.threads(t)
      W[t] = tools.svm_train(data, {C = 1, epochs = 30, multiclass = "ovo"})
    end
    core.threads(before)
    assert.are.equal(0, W[1]:maxabsdiff(W[2]))
    assert.are.equal(0, W[1]:maxabsdiff(W[5]))
  end)

  it("is rbf's default and linear's option; bad schemes and shapes are refused", function()
    local data = dataset(30, 4, 2)
    assert.are.equal("ovo", baselines.svm(data, {kernel = "rbf", features = 20, epochs = 5}).multiclass)
    assert.are.equal("ovr", baselines.svm(data, {epochs = 5}).multiclass)
    local clf = baselines.svm(data, {multiclass = "ovo", epochs = 5})
    assert.are.same({3, 5}, {clf.W:shape()})
    assert.is_true(clf:predict(data) >= 0)
    H.error_matches(function() baselines.svm(data, {multiclass = "all"}) end,
      "'svm'", "multiclass: 'ovr' or 'ovo' expected, got all")
    H.error_matches(function() tools.svm_train(data, {multiclass = 1}) end, "svm_train", "'ovr' or 'ovo' expected")
    H.error_matches(function() tools.svm_predict(core.Matrix(4, 5), data, 3) end,
      "svm_predict", "3 rows (one per pair of 3 classes) expected, got 4")
    H.error_matches(function() tools.svm_predict(core.Matrix(3, 5), data, 1) end, "svm_predict", "2 to 256 classes")
    local out, st = H.sh("lua5.4 bin/lnn svm --multiclass all")
    assert.are.equal(2, st, out)
    assert.truthy(out:find("option '--multiclass': must be ovr or ovo, got 'all'", 1, true), out)
  end)
end)

describe("lnn svm --kernel rbf #slow #mnist #process", function()
  it("refuses rbf options without the rbf kernel, and features over the memory budget, before any work", function()
    local out, st = H.sh("lua5.4 bin/lnn svm --gamma 0.1")
    assert.are.equal(2, st, out)
    assert.truthy(out:find("lnn svm: --gamma belongs to --kernel rbf", 1, true), out)
    out, st = H.sh("lua5.4 bin/lnn svm --kernel rbf --features 100000")
    assert.are.equal(2, st, out)
    assert.truthy(out:find("--features 100000 needs about 22888 MiB for the features of 60,000 images, over "
      .. "--max-memory 4096", 1, true), out)
    out, st = H.sh("lua5.4 bin/lnn svm --kernel poly")
    assert.are.equal(2, st, out)
    assert.truthy(out:find("option '--kernel': must be linear or rbf, got 'poly'", 1, true), out)
  end)

  it("trains on the 50,000 images, says what it ran and writes svm_rbf.json for the report", function()
    local mnist = H.mnist_dir()
    if not mnist then pending("MNIST is missing: run scripts/setup.sh") return end
    local dir, cleanup = H.tmpdir()
    local out, st = H.sh(("lua5.4 bin/lnn svm --kernel rbf --features 300 --epochs 30 --data %s --out %s")
      :format(mnist, dir))
    assert.are.equal(0, st, out)
    local correct = tonumber(out:match("(%d+) of 10000 values correct"))
    assert.is_true(correct and correct > 8800, out)
    assert.truthy(out:find("RBF SVM by 300 random Fourier features, gamma = 0.00127551, C = 1, one-vs-one (45 pairs voting):", 1, true), out)
    local m = require("lnn.json").decode(H.read_file(dir .. "/svm_rbf.json"))
    assert.are.equal("svm_rbf", m.baseline)
    assert.are.equal("rbf", m.kernel)
    assert.are.equal(300, m.features)
    assert.are.equal("ovo", m.multiclass)
    assert.are.equal(correct, m.correct)
    assert.truthy(m.run.command:find("--kernel rbf", 1, true), m.run.command)
    cleanup()
  end)
end)
