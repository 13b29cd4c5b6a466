-- mpi_accumulate_spec.lua: gradient accumulation (train_epoch's accumulate, SGD's
-- option, --accumulate): what it computes, held to lnn.reference's SGD with a
-- mini-batch k times larger, and its option errors.  Under mpirun (one process
-- and N ranks ending with the same bits for the same k) it is in mpi_spec.lua.
local core = require "lnn.core"
local network = require "lnn.network"
local H = require "helpers"

describe("accumulate: one step per k mini-batches", function()
  it("is the step of a k times larger mini-batch: lnn.reference's SGD at batch k m, shuffles alike", function()
    -- 53 items, batch 3, k 4: groups of 12, the last of 5 items (a short mini-batch too);
    -- k 20: 16 chunks across mini-batches, the last group of 53 items shorter than 16 chunks
    local data = H.to_data(H.get_dummy_training_data(20, 4, 53, core.Rng(5)))
    for _, k in ipairs {1, 3, 4, 20} do
      local net = network.Network({20, 7, 4}, {seed = 3})
      local ref = H.reference_of(net)
      local twin = net.rng:clone()
      net:SGD(data, 3, 3, 2.0, nil, {quiet = true, accumulate = k})
      ref:SGD(H.reference_pairs(data), 3, 3 * k, 2.0, {permutation = function(n) return twin:permutation(n) end})
      for l = 1, 2 do
        local dw, db = H.maxdiff(net.weights[l], ref.weights[l]), H.maxdiff(net.biases[l], ref.biases[l])
        assert.is_true(dw < 1e-5 and db < 1e-5, ("k %d layer %d: weights differ by %g, biases by %g"):format(k, l, dw, db))
      end
    end
  end)

  it("changes the arithmetic: k = 4 is not 4 steps of the mini-batch", function()
    local data = H.to_data(H.get_dummy_training_data(20, 4, 48, core.Rng(6)))
    local a, b = network.Network({20, 7, 4}, {seed = 3}), network.Network({20, 7, 4}, {seed = 3})
    a:SGD(data, 1, 3, 2.0, nil, {quiet = true, accumulate = 4})
    b:SGD(data, 1, 3, 2.0, nil, {quiet = true})
    assert.is_true(H.maxdiff(a.weights[1], b.weights[1]:totable()) > 1e-3)
  end)

  it("takes momentum, L2 and dropout, the same bits on any thread count", function()
    local network3 = require "lnn.network3"
    local data = H.to_data(H.get_dummy_training_data(16, 3, 70, core.Rng(7)))
    local function run(threads)
      local net = network3.Network({network3.FullyConnectedLayer {n_in = 16, n_out = 12, p_dropout = 0.3},
        network3.SoftmaxLayer {n_in = 12, n_out = 3, p_dropout = 0.2}}, 5, {seed = 4})
      net:SGD(data, 2, 5, 0.5, data, nil, 0.1, {quiet = true, accumulate = 3, threads = threads, shuffle = true})
      return net._net:params():totable()
    end
    assert.are.same(run(1), run(4))
  end)

  it("refuses a count out of range, of another type, or on update; overlap needs k >= 2", function()
    local data = H.to_data(H.get_dummy_training_data(6, 3, 20, core.Rng(1)))
    local net = network.Network({6, 4, 3}, {seed = 1})
    for _, bad in ipairs {0, core.limits.accumulate + 1, 2.5, "2"} do
      local ok, err = pcall(net.SGD, net, data, 1, 2, 1.0, nil, {quiet = true, accumulate = bad})
      assert.is_false(ok)
      assert.truthy(tostring(err):find("bad option 'accumulate' to 'SGD' (integer 1 to 1024 expected, got "
        .. tostring(bad) .. ")", 1, true), err)
    end
    local e = net:engine()
    local ok, err = pcall(e.train_epoch, e, data, net.rng, {eta = 1.0, accumulate = 0})
    assert.is_false(ok)
    assert.truthy(tostring(err):find("bad option 'accumulate' to 'train_epoch' (integer 1 to 1024 expected, got 0)", 1, true), err)
    local x = core.Matrix(2, 6)
    local y = core.Matrix(2, 3)
    ok, err = pcall(e.update, e, x, y, {eta = 1.0, accumulate = 2})
    assert.is_false(ok)
    assert.truthy(tostring(err):find("only train_epoch accumulates", 1, true), err)
    ok, err = pcall(e.update, e, x, y, {eta = 1.0, overlap = true})
    assert.is_false(ok)
    assert.truthy(tostring(err):find("bad option 'overlap' to 'update' (only train_epoch overlaps sums)", 1, true), err)
    ok, err = pcall(net.SGD, net, data, 1, 2, 1.0, nil, {quiet = true, overlap = true})
    assert.is_false(ok)
    assert.truthy(tostring(err):find("bad option 'overlap' to 'SGD' (accumulate of 2 or more expected", 1, true), err)
    ok, err = pcall(e.train_epoch, e, data, net.rng, {eta = 1.0, accumulate = 2, overlap = 1})
    assert.is_false(ok)
    assert.truthy(tostring(err):find("bad option 'overlap' to 'train_epoch' (boolean expected, got number)", 1, true), err)
    -- overlap without a reducer: one process, the same bits as without it
    local a, b = network.Network({6, 4, 3}, {seed = 2}), network.Network({6, 4, 3}, {seed = 2})
    a:SGD(data, 1, 2, 1.0, nil, {quiet = true, accumulate = 4, overlap = true})
    b:SGD(data, 1, 2, 1.0, nil, {quiet = true, accumulate = 4})
    assert.are.same(a._net:params():totable(), b._net:params():totable())
  end)

  it("lnn train --accumulate: in the help, and a bad count is a usage error naming the flag", function()
    local out = H.lnn("train --help")
    assert.truthy(out:find("--accumulate K", 1, true), out)
    assert.truthy(out:find("not K steps", 1, true), out)
    local msg, st = H.lnn("train --accumulate 0 --epochs 0")
    assert.are.equal(2, st, msg)
    assert.truthy(msg:find("--accumulate", 1, true), msg)
    msg, st = H.lnn("train --overlap --epochs 0")
    assert.are.equal(2, st, msg)
    assert.truthy(msg:find("option '--overlap': works with --accumulate K", 1, true), msg)
  end)
end)
