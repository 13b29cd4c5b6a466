-- The binary rock (scripts/test-rock.sh runs it with rock_install.lua; not in
-- the suite): `luarocks make --pack-binary-rock` on a copy of the committed
-- HEAD gives lnn-scm-1.linux-x86_64.rock holding lnn/core.so (and lnn/mpi.so
-- when MPI builds), which installs into a fresh tree on a PATH without any
-- compiler, CMake or make, and runs there: lnn --help, lnn train --epochs 1.
-- Then the rock's documentation (`luarocks doc lnn`) and `luarocks test`.
local ROOT = io.popen("pwd"):read("l")

local sh = require("helpers").sh

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

describe("the binary rock", function()
  local tmp = io.popen("mktemp -d"):read("l")
  local src, tree, home, work, nocc = tmp .. "/src", tmp .. "/tree", tmp .. "/home", tmp .. "/work", tmp .. "/nocc"
  local data = os.getenv("LNN_DATA") or (ROOT .. "/data")
  local rock = src .. "/lnn-scm-1.linux-x86_64.rock"
  teardown(function() os.execute("rm -rf " .. q(tmp)) end)

  -- a machine without build tools: every command of /usr/bin but the compilers,
  -- CMake, make and the linker
  local function no_compiler(cmd)
    return sh(("cd %s && env -i PATH=%s/bin:%s HOME=%s LNN_DATA=%s sh -c %s"):format(q(work), q(tree), q(nocc),
      q(home), q(data), q(cmd)))
  end

  it("is packed for linux-x86_64 with lnn/core.so (and lnn/mpi.so when built)", function()
    assert(os.execute(("mkdir -p %s %s %s %s"):format(q(src), q(home), q(work), q(nocc))))
    assert(os.execute(("git archive HEAD | tar -x -C %s"):format(q(src))))
    local out, status = sh(("cd %s && CMAKE_BUILD_PARALLEL_LEVEL=2 luarocks --lua-version=5.4 --tree %s/build-tree "
      .. "make --pack-binary-rock lnn-scm-1.rockspec"):format(q(src), q(tmp)))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("Packed: " .. rock, 1, true), out)
    local list = sh("unzip -l " .. q(rock))
    assert.truthy(list:find(" lib/lnn/core.so\n", 1, true), list)
    if io.open(ROOT .. "/build/lnn/mpi.so") then assert.truthy(list:find(" lib/lnn/mpi.so\n", 1, true), list) end
    for _, f in ipairs {"lua/lnn/init.lua", "bin/lnn", "doc/README.md", "doc/LICENSE", "doc/docs/arithmetic.md",
                        "doc/index.html"} do
      assert.truthy(list:find(" " .. f .. "\n", 1, true), f .. " missing:\n" .. list)
    end
    -- nothing written outside the temporary tree LuaRocks packs from
    assert.falsy(io.open(tmp .. "/build-tree/lib/luarocks/rocks-5.4/lnn"), "files left in the --tree")
  end)

  it("installs and runs where no compiler is on the PATH", function()
    assert(os.execute(("cd %s && for f in /usr/bin/* /usr/local/bin/*; do n=${f##*/}; case $n in "
      .. "cc|c++|gcc*|g++*|clang*|cpp*|cmake|ctest|cpack|make|gmake|ld|ld.*|as|x86_64-linux-gnu-*|c89*|c99*|"
      .. "mpicc*|mpic++*|mpicxx*|tcc|lld*|llvm-*|ccache) continue;; esac; [ -e \"$n\" ] || ln -s \"$f\" \"$n\"; done")
      :format(q(nocc))))
    local out = no_compiler("for t in cc gcc clang cmake make ld; do command -v $t; done; true")
    assert.are.equal("", out)
    local status
    out, status = no_compiler(("luarocks --lua-version=5.4 --tree %s install %s"):format(q(tree), q(rock)))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("lnn scm-1 is now installed", 1, true), out)
    assert.truthy(io.open(tree .. "/lib/lua/5.4/lnn/core.so"), "no core.so in the tree")
    out, status = no_compiler("lnn --help")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("\n  train ", 1, true), out)
    out, status = no_compiler("lnn train --epochs 1")
    assert.are.equal(0, status, out)
    local correct = tonumber(out:match("Epoch 0: (%d+) / 10000"))
    assert.truthy(correct and correct > 8500, out)
  end)

  it("installs its documentation for luarocks doc: README, docs/, LICENSE and the API reference", function()
    local out, status = no_compiler(("luarocks --lua-version=5.4 --tree %s doc --list lnn"):format(q(tree)))
    assert.are.equal(0, status, out)
    local docdir = tree .. "/lib/luarocks/rocks-5.4/lnn/scm-1/doc/"
    assert.truthy(out:find(docdir, 1, true), out)
    for _, f in ipairs {"README.md", "LICENSE", "docs/parallel.md", "index.html", "modules/lnn.network.html"} do
      assert.truthy(out:find("\t" .. f .. "\n", 1, true), f .. " missing:\n" .. out)
    end
  end)

  it("luarocks test runs the fast specs (busted --run=fast)", function()
    -- no LuaRocks server here: a stand-in busted rock runs Debian's busted
    local cfg = tmp .. "/config.lua"
    local f = assert(io.open(cfg, "w"))
    f:write(("rocks_trees = { { name = \"test\", root = %q } }\n"):format(tree))
    f:close()
    local out, status = sh(("cd spec/support/busted-shim && luarocks --lua-version=5.4 --tree %s make busted-0.0-0.rockspec")
      :format(q(tree)))
    assert.are.equal(0, status, out)
    out, status = sh(("cd %s && LUAROCKS_CONFIG=%s luarocks --lua-version=5.4 --tree %s test"):format(q(src), q(cfg), q(tree)))
    assert.are.equal(0, status, out)
    local passed, failed = out:match("\n(%d+) passed, (%d+) failed")
    assert.truthy(passed and tonumber(passed) > 100 and failed == "0", out)
  end)
end)
