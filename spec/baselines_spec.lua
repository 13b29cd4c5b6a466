-- lnn.baselines on real MNIST: average darkness gives the book's 2225 exactly,
-- the Lua guess_digit agrees with the C guess_digits, and the linear SVM
-- reaches 91.5% in under 5 s; plus their argument checks.
local core = require "lnn.core"
local baselines = require "lnn.baselines"
local mnist_loader = require "lnn.mnist_loader"
local H = require "helpers"

describe("lnn.baselines #slow #mnist", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local training, _, test = mnist_loader.load_data(data)

  it("average darkness: 2225 of 10000, as the book; guess_digit agrees item by item", function()
    local avgs = baselines.avg_darknesses(training)
    for d = 0, 9 do assert.is_true(avgs[d] > 50 and avgs[d] < 200, "digit " .. d) end
    assert.is_true(avgs[1] < avgs[0]) -- ones are the lightest digits
    local correct, guesses = baselines.guess_digits(test, avgs)
    assert.are.equal(2225, correct)
    assert.are.equal(10000, #guesses)
    local tdata = test:onehot(false)
    for i = 1, 300 do
      local x = tdata:get(i)
      assert.are.equal(guesses[i], baselines.guess_digit(x, avgs), "item " .. i)
    end
    assert.are.equal(3, baselines.guess_digit({0.5, 0.5}, {[3] = 1.0, [7] = 5.0}))
    assert.are.equal(3, baselines.guess_digit({1, 2}, {[3] = 2.0, [7] = 4.0})) -- a tie: the smaller digit
  end)

  it("average darkness checks its arguments", function()
    H.error_matches(function() baselines.avg_darknesses({}) end, "bad argument #1 to 'avg_darknesses' (lnn.Data expected, got table)")
    H.error_matches(function() baselines.guess_digit("x", {}) end, "bad argument #1 to 'guess_digit'")
    H.error_matches(function() baselines.guess_digit({1}, 5) end, "bad argument #2 to 'guess_digit' (table digit -> average darkness expected, got number)")
    H.error_matches(function() baselines.guess_digit({1}, {}) end, "no averages")
    H.error_matches(function() baselines.guess_digits(test, {[0] = "x"}) end, "average of digit 0: number expected, got string")
  end)

  it("the linear SVM scores at least 91.5% on the test set in under 5 s", function()
    local t0 = core.clock()
    local clf = baselines.svm(training)
    local correct, pred = clf:predict(test)
    local seconds = core.clock() - t0
    assert.is_true(correct >= 9150, "only " .. correct)
    -- the speed claim is the release build's; an ASan + UBSan build runs it 1.5-3x slower
    -- (7.4 s seen in CI), so scripts/test-sanitized.sh (LNN_SANITIZED) allows 20 s
    local limit = os.getenv("LNN_SANITIZED") and 20 or 5
    assert.is_true(seconds < limit, ("%g s (limit %g s)"):format(seconds, limit))
    assert.are.same({10, 785}, {clf.W:shape()})
    assert.are.equal(10000, #pred)
    H.error_matches(function() baselines.svm(training, 3) end, "bad argument #2 to 'svm' (options table expected, got number)")
    H.error_matches(function() baselines.svm(training, {lambda = 1}) end, "unknown option 'lambda' to 'svm_train'")
    H.error_matches(function() clf:predict({}) end, "bad argument #1 to 'predict' (lnn.Data expected, got table)")
  end)
end)
