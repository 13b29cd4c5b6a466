-- Divergence stops training with a clear message and never overwrites a good
-- checkpoint: eta 100 (a sigmoid network saturates: one output for every
-- input), NaN or infinity in the data (refused before the first epoch), and
-- a weight that became NaN.  Through lnn.network and scripts/train.lua.
local core = require "lnn.core"
local network = require "lnn.network"
local loader = require "lnn.mnist_loader"
local H = require "helpers"

local run = H.run_train

describe("divergence #slow #mnist", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("eta 100 stops SGD after the epoch it diverged in; backups keep the good network", function()
    local training, _, test = loader.load_data_wrapper(data)
    training = training:slice(1, 5000)
    -- seed 2: a network that saturates in its first epoch at eta 100 (which
    -- epoch does depends on the trajectory; with seed 1 it is the second)
    local net = network.Network({784, 30, 10}, {seed = 2})
    net:SGD(training, 1, 10, 3.0, nil, {quiet = true, backups = dir .. "/bk"})
    local good = H.read_file(dir .. "/bk/latest")
    local err = H.error_matches(function()
      net:SGD(training, 3, 10, 100.0, test, {quiet = true, backups = dir .. "/bk", backup_every = 1})
    end, "SGD: training diverged in epoch 1", "same output for every input", "smaller eta than 100",
      "after 1 epochs")
    assert.are.equal(good, H.read_file(dir .. "/bk/latest"), err)
    assert.is_nil(io.open(dir .. "/bk/epoch-2"))
    assert.are.equal(1, net.epoch) -- the diverged epoch is not counted
    -- the checkpoint is the good network: it trains on at a sane eta
    local back = network.load(dir .. "/bk/latest")
    back:SGD(training, 2, 10, 3.0, nil, {quiet = true})
    assert.is_true(back:evaluate(test) > 8000)
  end)

  it("NaN or infinity in the data is refused before training, naming the item", function()
    local pairs_ = H.get_dummy_training_data(6, 3, 20)
    pairs_[7][1][4] = 0 / 0
    local net = network.Network({6, 4, 3}, {seed = 2})
    local before = net.weights[1]:copy()
    H.error_matches(function() net:SGD(pairs_, 2, 5, 1.0, nil, {quiet = true, backups = dir .. "/bk"}) end,
      "SGD: training data item 7 holds NaN or infinity (input element 4)")
    assert.are.equal(0, before:maxabsdiff(net.weights[1]))
    assert.is_nil(io.open(dir .. "/bk/initial"), "nothing is saved for a refused run")
    pairs_[7][1][4] = 0.5
    pairs_[3][2][2] = math.huge
    H.error_matches(function() net:SGD(pairs_, 2, 5, 1.0, nil, {quiet = true}) end,
      "training data item 3 holds NaN or infinity (target element 2)")
    pairs_[3][2][2] = 1
    local test = H.get_dummy_training_data(6, 3, 5)
    test[5][1][1] = -math.huge
    H.error_matches(function() net:SGD(pairs_, 2, 5, 1.0, test, {quiet = true}) end,
      "test data item 5 holds NaN or infinity (input element 1)")
    assert.are.equal(0, before:maxabsdiff(net.weights[1]))
  end)

  it("a weight that becomes NaN stops SGD", function()
    local net = network.Network({6, 4, 3}, {seed = 2})
    net.weights[1][2][3] = 0 / 0
    H.error_matches(function() net:SGD(H.get_dummy_training_data(6, 3, 20), 1, 5, 1.0, nil, {quiet = true}) end,
      "SGD: training diverged in epoch 0: a weight became NaN or infinite")
  end)

  it("network2 shares the checks: NaN data refused, a NaN weight stops SGD", function()
    local network2 = require "lnn.network2"
    local pairs_ = H.get_dummy_training_data(6, 3, 20)
    pairs_[4][1][2] = 0 / 0
    local net = network2.Network({6, 4, 3}, nil, {seed = 2})
    H.error_matches(function() net:SGD(pairs_, 1, 5, 0.5, {quiet = true}) end,
      "SGD: training data item 4 holds NaN or infinity (input element 2)")
    pairs_[4][1][2] = 0.5
    net.weights[2][1][1] = math.huge
    H.error_matches(function() net:SGD(pairs_, 1, 5, 0.5, {quiet = true}) end,
      "SGD: training diverged in epoch 0")
  end)

  it("train.lua --eta 100 exits 1 with the message and leaves --save and --backups as they were", function()
    local common = ("--data %s --train-size 3000 --sizes 784,20,10 --seed 4"):format(data)
    local out, status = run(("%s --epochs 1 --save %s/net --backups %s/bk"):format(common, dir, dir))
    assert.are.equal(0, status, out)
    local saved, latest = H.read_file(dir .. "/net"), H.read_file(dir .. "/bk/latest")
    out, status = run(("%s --epochs 3 --eta 100 --load %s/net --save %s/net --backups %s/bk --backup-every 1")
      :format(common, dir, dir, dir))
    assert.are.equal(1, status, out)
    assert.truthy(out:find("train.lua: SGD: training diverged in epoch 1", 1, true), out)
    assert.truthy(out:find("try a smaller eta than 100", 1, true), out)
    assert.are.equal(saved, H.read_file(dir .. "/net"))
    assert.are.equal(latest, H.read_file(dir .. "/bk/latest"))
    assert.is_nil(io.open(dir .. "/bk/epoch-2"))
  end)
end)
