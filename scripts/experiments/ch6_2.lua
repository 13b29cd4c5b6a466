-- ch6_2.lua: one conv-pool layer (20 5x5 filters, 2x2 max-pool, sigmoid)
-- before FC 100 sigmoid and softmax; batch 10, eta 0.1, 60 epochs (book 98.78%).
-- lua5.4 scripts/experiments/ch6_2.lua --help
local X = dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/ch6_common.lua")
X.main(X.conv_run {
  name = "6.2", script = "ch6_2.lua", book = 0.9878, epochs = 60, eta = 0.1, lmbda = 0.0,
  activation = "sigmoid", convs = 1,
  about = "6.2: ConvPoolLayer(20x1x5x5, pool 2x2) + FC(2880, 100) + Softmax(100, 10), sigmoid; batch 10, eta 0.1 (book: 98.78%)",
})
