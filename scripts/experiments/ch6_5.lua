-- ch6_5.lua: 6.4's network trained on the expanded training set (the 50,000
-- images and their one-pixel shifts, 250,000, from scripts/expand_mnist.lua);
-- batch 10, eta 0.03, lambda 0.1, 60 epochs (book 99.37%).
-- lua5.4 scripts/experiments/ch6_5.lua --help
local X = dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/ch6_common.lua")
X.main(X.conv_run {
  name = "6.5", script = "ch6_5.lua", book = 0.9937, epochs = 60, expanded = true,
  about = "6.5: the 6.4 network on the 250,000 expanded training images (book: 99.37%)",
})
