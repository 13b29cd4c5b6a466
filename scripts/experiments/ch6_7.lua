-- ch6_7.lua: two fully connected layers of 1000 ReLU units with dropout 0.5
-- (on the inputs of both and of the softmax), expanded data, batch 10,
-- eta 0.03, no L2, 40 epochs (book 99.60%).
-- lua5.4 scripts/experiments/ch6_7.lua --help
local X = dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/ch6_common.lua")
X.main(X.conv_run(X.dropout_run {
  name = "6.7", script = "ch6_7.lua", book = 0.9960,
  about = "6.7: ConvPool x2 + FC(640, 1000) + FC(1000, 1000) + Softmax, ReLU, dropout 0.5, expanded data, 40 epochs (book: 99.60%)",
}))
