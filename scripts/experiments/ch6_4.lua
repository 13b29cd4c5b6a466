-- ch6_4.lua: 6.3's network with rectified linear units, eta 0.03 and L2
-- lambda 0.1; batch 10, 60 epochs (book 99.23%).  bench.lua's W4 is this net.
-- lua5.4 scripts/experiments/ch6_4.lua --help
local X = dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/ch6_common.lua")
X.main(X.conv_run {
  name = "6.4", script = "ch6_4.lua", book = 0.9923, epochs = 60,
  about = "6.4: ConvPool(20x1x5x5) + ConvPool(40x20x5x5) + FC(640, 100) + Softmax, ReLU; batch 10, eta 0.03, lmbda 0.1 (book: 99.23%)",
})
