-- lnn: neural networks for Lua 5.4 with a fast C core (Nielsen's book, in C and Lua).
-- Offline install from a checkout:  luarocks --lua-version=5.4 --tree DIR make
package = "lnn"
version = "scm-1"
source = {
  url = "git+file:///dev/null/lnn", -- a local checkout is built with `luarocks make`
}
description = {
  summary = "Neural networks for Lua 5.4 with a C core: the book's network.py and more",
  detailed = [[
lnn recreates the code of Michael Nielsen's "Neural Networks and Deep Learning"
in C and Lua: one C engine (OpenBLAS sgemm, SIMD kernels, seedable generator,
MNIST IDX loader, conv-pool and dropout layers) behind the book's Lua faces
lnn.network, lnn.network2, lnn.network3 and lnn.mnist_loader.
]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.4",
}
external_dependencies = {
  OPENBLAS = { library = "openblas" },
  ZLIB = { header = "zlib.h", library = "z" },
}
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    LUA_LIBDIR = "$(LIBDIR)",
    LUADIR = "$(LUADIR)",
    LUA_INCLUDE_DIR = "$(LUA_INCDIR)",
  },
  install = {
    bin = {
      ["lnn-train"] = "scripts/train.lua",
      ["lnn-bench"] = "scripts/bench.lua",
    },
  },
}
