-- lnn.bootstrap: getConvergeRate on synthetic histories (rising, flat, noisy,
-- decelerating, a fresh jump, too short), its exact value on a hand-worked
-- case, its argument checks, and a short bootstrap.train run.
local bootstrap = require "lnn.bootstrap"
local network = require "lnn.network"
local core = require "lnn.core"
local H = require "helpers"

local rate_of = bootstrap.getConvergeRate

local function series(n, f)
  local t = {}
  for i = 1, n do t[i] = f(i) end
  return t
end

describe("lnn.bootstrap.getConvergeRate", function()
  it("matches the documented formula on a hand-worked history", function()
    -- gains 0.1, 0, 0.3; WA(3) = (1*0.3 + 2/3*0 + 1/3*0.1) / 2 = 1/6; WA(1) = 0.3
    local ratio, conv, rate, large, small = rate_of({0, 0.1, 0.1, 0.4}, 3, 1)
    assert.is_near(1 / 6, large, 1e-12)
    assert.is_near(0.3, small, 1e-12)
    assert.is_near(0.3, rate, 1e-12)
    assert.is_near(1.8, ratio, 1e-12) -- the seed's WA(small) / WA(large)
    assert.is_false(conv)
  end)

  it("rising: steady gains above the threshold are not converged", function()
    local ratio, conv, rate = rate_of(series(20, function(i) return 0.5 + 0.01 * i end), 10, 3)
    assert.is_near(0.01, rate, 1e-9)
    assert.is_near(1, ratio, 1e-9) -- steady gains: both windows alike
    assert.is_false(conv)
  end)

  it("flat and noisy-flat histories are converged", function()
    local ratio, conv, rate = rate_of(series(15, function() return 0.95 end), 10, 3)
    assert.are.equal(0, rate)
    assert.is_nil(ratio) -- 0 / 0: the seed's ratio is undefined on a flat history
    assert.is_true(conv)
    local noisy = series(30, function(i) return 0.95 + (i % 2 == 0 and 0.002 or -0.002) + (i % 3) * 0.001 end)
    ratio, conv, rate = rate_of(noisy, 10, 3)
    assert.is_true(rate < 0.005, "rate " .. rate)
    assert.is_true(conv)
  end)

  it("decelerating gains converge once both windows are under the threshold", function()
    local h = series(25, function(i) return 0.95 - 0.3 * 0.8 ^ i end) -- gains 0.06 * 0.8^(i-2)
    local _, early = rate_of({table.unpack(h, 1, 11)}, 10, 3)
    local _, late = rate_of(h, 10, 3)
    assert.is_false(early)
    assert.is_true(late)
  end)

  it("one bad epoch in a rising history does not stop it; a fresh jump after a plateau does not either", function()
    local h = series(20, function(i) return 0.5 + 0.01 * i end)
    h[20] = h[19] - 0.01
    local ratio, conv, rate, large, small = rate_of(h, 10, 3)
    assert.is_true(small < 0.005 and large > 0.005)
    assert.is_false(conv)
    assert.are.equal(large, rate)
    assert.are.equal(small / large, ratio)
    local p = series(20, function() return 0.9 end)
    p[20] = 0.93
    ratio, conv, rate, large, small = rate_of(p, 10, 3)
    assert.is_true(large < small)
    assert.is_near(2.75, ratio, 1e-9) -- WA(3) = 0.03 / 2, WA(10) = 0.03 / 5.5
    assert.is_false(conv)
  end)

  it("too short: fewer than largeBin + 1 accuracies", function()
    local ratio, conv, rate = rate_of({0.9, 0.9, 0.9}, 3, 1)
    assert.are.equal(math.huge, rate)
    assert.is_nil(ratio)
    assert.is_false(conv)
    assert.are.equal(math.huge, select(3, rate_of({}, 1, 1)))
    assert.are.equal(0, select(3, rate_of({0.9, 0.9, 0.9, 0.9}, 3, 1)))
  end)

  it("the threshold decides", function()
    local h = series(12, function(i) return 0.5 + 0.004 * i end)
    assert.is_true(select(2, rate_of(h, 10, 3)))
    assert.is_false(select(2, rate_of(h, 10, 3, 0.003)))
  end)

  it("rejects bad arguments naming them", function()
    H.error_matches(function() rate_of(nil, 3, 1) end, "bad argument #1 to 'getConvergeRate' (list of accuracies expected, got nil)")
    H.error_matches(function() rate_of({0.5, 95}, 3, 1) end, "accuracy 2 must be a fraction in [0, 1], got 95")
    H.error_matches(function() rate_of({}, 0, 1) end, "bad argument #2", "largeBin must be a positive integer, got 0")
    H.error_matches(function() rate_of({}, 3, 4) end, "bad argument #3", "smallBin must be an integer 1..largeBin (3), got 4")
    H.error_matches(function() rate_of({}, 3, 1, -1) end, "bad argument #4", "threshold must be a number >= 0")
  end)
end)

describe("lnn.bootstrap.train", function()
  it("runs rounds of epochs with a growing mini-batch until converged or out of rounds", function()
    local pairs_ = H.get_dummy_training_data(4, 2, 60)
    local training = H.to_data(pairs_)
    local xs, ys = {}, {}
    for i, p in ipairs(pairs_) do xs[i], ys[i] = p[1], p[2][1] == 1 and 0 or 1 end
    local evaluation = core.Data(xs, ys, 2)
    local function run(threshold, max_batch)
      local net, seen = network.Network({4, 3, 2}, {seed = 5}), {}
      local out = bootstrap.train(net, training, 0.5, evaluation, {epochs_per_round = 2, batch = 10,
        largeBin = 4, smallBin = 2, threshold = threshold, max_batch = max_batch, max_rounds = 6,
        on_round = function(info) seen[#seen + 1] = info end})
      assert.are.equal(#out.rounds, #seen)
      assert.are.equal(2 * #out.rounds, #out.history)
      assert.are.equal(net.epoch, #out.history)
      return out, net
    end
    -- threshold 0 never converges (rate < 0 is impossible for a flat history): all 6 rounds,
    -- the batch 10 * 1.1^r rounded and capped at max_batch
    local out = run(0, 14)
    assert.is_false(out.converged)
    local batches = {10, 11, 12, 13, 14, 14}
    for r, info in ipairs(out.rounds) do
      assert.are.equal(batches[r], info.batch)
      assert.are.equal(2 * r, info.epochs)
      assert.is_false(info.converged)
    end
    assert.are.equal(math.huge, out.rounds[2].rate) -- 4 accuracies: too short for largeBin 4
    -- a generous threshold stops at the first round with largeBin + 1 accuracies
    local out2, net = run(1.0, 100)
    assert.is_true(out2.converged)
    assert.are.equal(3, #out2.rounds)
    -- bootyNet's gooo(prev, entropyYears): continue net (trained 6 epochs by now) after 3 rounds done
    local before = net.epoch
    local seen = {}
    local out3 = bootstrap.train(net, training, 0.5, evaluation, {epochs_per_round = 2, batch = 10,
      largeBin = 4, smallBin = 2, threshold = 0, max_rounds = 2, rounds_done = 3,
      on_round = function(info) seen[#seen + 1] = info end})
    assert.are.same({4, 5}, {out3.rounds[1].round, out3.rounds[2].round})
    assert.are.same({13, 15}, {out3.rounds[1].batch, out3.rounds[2].batch}) -- 10 * 1.1^3, ^4 rounded
    assert.are.same({before + 2, before + 4}, {out3.rounds[1].epochs, out3.rounds[2].epochs})
    assert.are.equal(4, #out3.history) -- this call's epochs only
    assert.is_nil(out3.rounds[1].ratio)
    H.error_matches(function() bootstrap.train(net, training, 0.5, evaluation, {rounds_done = -1}) end,
      "bad option 'rounds_done' to 'train'", "integer 0 to 1000000 expected, got -1")
    -- a huge count is refused at once (it grew the batch once per round in Lua: minutes)
    local t0 = require("lnn.core").clock()
    H.error_matches(function() bootstrap.train(net, training, 0.5, evaluation, {rounds_done = 2147483648}) end,
      "bad option 'rounds_done' to 'train'", "integer 0 to 1000000 expected, got 2147483648")
    local out_cli = io.popen("lua5.4 bin/lnn bootstrap-training --rounds-done 2147483648 2>&1; echo status=$?"):read("a")
    assert.truthy(out_cli:find("option '--rounds-done': must be 0 to 1000000, got '2147483648'", 1, true), out_cli)
    assert.truthy(out_cli:find("status=2", 1, true), out_cli)
    -- the most rounds allowed, with a growth that never reaches max_batch, start quickly
    local out4 = bootstrap.train(net, training, 0.5, evaluation, {epochs_per_round = 1, batch = 10, growth = 1 + 1e-12,
      largeBin = 4, smallBin = 2, max_rounds = 1, rounds_done = 1000000})
    assert.are.equal(1000001, out4.rounds[1].round)
    -- (a limit the old loop, minutes long, broke: not a measure of speed)
    assert(require("lnn.core").clock() - t0 < 60, "rounds_done took a minute: a loop over the rounds done?")
    H.error_matches(function() bootstrap.train(net, training, 0.5, evaluation, {batchsize = 3}) end, "unknown option 'batchsize' to 'train'")
    H.error_matches(function() bootstrap.train(net, training, 0.5, evaluation, {growth = 0.5}) end, "bad option 'growth'")
  end)
end)
