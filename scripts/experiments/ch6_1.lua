-- ch6_1.lua: the book's first chapter 6 run (network3.py): a fully connected
-- network, 784 -> FC 100 sigmoid -> softmax 10, batch 10, eta 0.1, 60 epochs.
-- lua5.4 scripts/experiments/ch6_1.lua --help
local X = dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/ch6_common.lua")
X.main {
  name = "6.1", script = "ch6_1.lua", book = 0.9780, epochs = 60, eta = 0.1,
  about = "6.1: FullyConnectedLayer(784, 100, sigmoid) + SoftmaxLayer(100, 10); batch 10, eta 0.1 (book: 97.80%)",
  layers = function(n3)
    return {n3.FullyConnectedLayer {n_in = 784, n_out = 100},
            n3.SoftmaxLayer {n_in = 100, n_out = 10}}
  end,
}
