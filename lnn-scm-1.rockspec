-- lnn: neural networks for Lua 5.4 with a fast C core (Nielsen's book, in C and Lua).
-- From a checkout:      luarocks --lua-version=5.4 --tree DIR make
-- A binary rock:        luarocks --lua-version=5.4 make --pack-binary-rock lnn-scm-1.rockspec
--                       (lnn-scm-1.linux-x86_64.rock: installs with no compiler)
-- A source rock:        scripts/pack-rock.sh (luarocks pack of the committed
--                       HEAD), then on any machine, offline:
--                       luarocks --lua-version=5.4 --tree DIR install ./lnn-scm-1.src.rock
-- All build lnn.core with CMake as scripts/setup.sh does (clang, Release), staged
-- in the source tree (LNN_ROCK: lib/lnn/*.so, doc/), and LuaRocks copies lua/,
-- lib/ and doc/ into the rock: its own copy, so a binary rock holds the modules.
-- `luarocks test` runs the fast specs (busted's "fast" task in .busted);
-- `luarocks doc lnn` opens the installed README, docs/ and API reference.
rockspec_format = "3.0"
package = "lnn"
version = "scm-1"
source = {
  -- scripts/pack-rock.sh replaces this with an archive of the committed HEAD
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
  -- lnn has no public home of its own yet: the book it recreates stands in
  homepage = "http://neuralnetworksanddeeplearning.com/",
  license = "MIT",
  labels = {"neural-networks", "machine-learning", "mnist"},
}
dependencies = {
  "lua >= 5.4, < 5.5",
}
-- zlib: its header at build time (CMake finds and links the library).  No
-- library = "z": LuaRocks 3.8 checks that at install time too, and without gcc
-- on the PATH it searches no multiarch folder (/usr/lib/x86_64-linux-gnu), so a
-- binary rock would not install on a machine with no compiler.
external_dependencies = {
  ZLIB = { header = "zlib.h" },
}
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    LNN_ROCK = "ON",
    LUA_INCLUDE_DIR = "$(LUA_INCDIR)",
  },
  -- (CMake builds; LuaRocks installs: see LNN_ROCK in CMakeLists.txt)
  install_pass = false,
  copy_directories = {"lua", "lib", "doc"},
  install = {
    bin = {
      lnn = "bin/lnn",
    },
  },
}
test = {
  type = "busted",
  flags = {"--run=fast"},
}
