-- lnn: neural networks for Lua 5.4 with a fast C core (Nielsen's book, in C and Lua).
-- From a checkout:      luarocks --lua-version=5.4 --tree DIR make
-- A source rock:        scripts/pack-rock.sh (luarocks pack, source.url set to
--                       this checkout), then on any machine, offline:
--                       luarocks --lua-version=5.4 --tree DIR install ./lnn-scm-1.src.rock
-- Both build lnn.core with CMake as scripts/setup.sh does (clang, Release) and
-- install the modules and the `lnn` command.
package = "lnn"
version = "scm-1"
source = {
  -- scripts/pack-rock.sh replaces this with git+file:// of the checkout it runs in
  url = "git+file:///dev/null/lnn",
}
description = {
  summary = "Neural networks for Lua 5.4 with a C core: the book's network.py and more",
  detailed = [[
lnn recreates the code of Michael Nielsen's "Neural Networks and Deep Learning"
in C and Lua: one C engine (naive, AVX2 and AVX-512 kernels giving the same bits, seedable generator,
MNIST IDX loader, conv-pool and dropout layers) behind the book's Lua faces
lnn.network, lnn.network2, lnn.network3 and lnn.mnist_loader, and one command,
lnn, for training, the book's experiments, baselines, pictures and data.
]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.4, < 5.5",
}
external_dependencies = {
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
      lnn = "bin/lnn",
    },
  },
}
