-- ch6_3.lua: two conv-pool layers (20 then 40 5x5 filters, 2x2 max-pool,
-- sigmoid), FC 100 sigmoid, softmax; batch 10, eta 0.1, 60 epochs (book 99.06%).
-- lua5.4 scripts/experiments/ch6_3.lua --help
local X = dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/ch6_common.lua")
X.main(X.conv_run {
  name = "6.3", script = "ch6_3.lua", book = 0.9906, epochs = 60, eta = 0.1, lmbda = 0.0,
  activation = "sigmoid", convs = 2,
  about = "6.3: ConvPool(20x1x5x5) + ConvPool(40x20x5x5) + FC(640, 100) + Softmax, sigmoid; batch 10, eta 0.1 (book: 99.06%)",
})
