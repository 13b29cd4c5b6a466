-- The README's quick start shows lnn's own output: its comment's first epoch
-- line is what that very call prints (same seed, same numbers), not the book's.
local H = require "helpers"

describe("README quick start #slow #mnist", function()
  it("the comment after net:SGD shows the line lnn prints for the first epoch", function()
    local readme = H.read_file("README.md")
    local sizes, seed = readme:match("lnn%.network%.Network%(({[%d, ]+}), {seed = (%d+)}%)")
    local call, shown = readme:match("\n(net:SGD%(training_data, %d+, %d+, [%d.]+, test_data%))%s*%-%- (Epoch 0: %d+ / 10000)")
    assert.truthy(sizes and call and shown, "the quick start's Network(...) call or its SGD comment is gone")
    local lnn = require "lnn"
    local training_data, _, test_data = lnn.mnist_loader.load_data_wrapper(assert(H.mnist_dir()))
    local net = lnn.network.Network(load("return " .. sizes)(), {seed = tonumber(seed)})
    local batch, eta = call:match("training_data, %d+, (%d+), ([%d.]+)")
    local lines = {}
    -- the first epoch of the call (one epoch is enough: the rest does not change it)
    net:SGD(training_data, 1, tonumber(batch), tonumber(eta), test_data, {log = function(s) lines[#lines + 1] = s end})
    assert.are.equal(shown, lines[1])
  end)
end)
