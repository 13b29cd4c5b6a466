-- ch6_6.lua: 6.5 with a second fully connected layer of 100 ReLU units;
-- expanded data, batch 10, eta 0.03, lambda 0.1, 60 epochs (book 99.43%).
-- lua5.4 scripts/experiments/ch6_6.lua --help
local X = dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/ch6_common.lua")
X.main(X.conv_run {
  name = "6.6", script = "ch6_6.lua", book = 0.9943, epochs = 60, expanded = true, fc = {100, 100},
  about = "6.6: ConvPool x2 + FC(640, 100) + FC(100, 100) + Softmax, ReLU, expanded data (book: 99.43%)",
})
