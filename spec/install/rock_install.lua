-- The rock as a new user gets it (scripts/test-rock.sh; .ci/run runs it, not
-- the suite): scripts/pack-rock.sh makes lnn-scm-1.src.rock of the committed
-- HEAD, luarocks installs it into a fresh tree offline, and the installed
-- `lnn` runs from a folder outside the checkout with only the tree's paths
-- (no LUA_PATH, a fresh HOME): --help, data import of the checkout's MNIST,
-- train, darkness, visualize of the saved network, experiment --list, and a
-- script of one's own through `luarocks path`.
local ROOT = io.popen("pwd"):read("l")

local sh = require("helpers").sh

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

describe("the rock, installed into a fresh tree", function()
  local tmp = io.popen("mktemp -d"):read("l")
  local tree, home, work = tmp .. "/tree", tmp .. "/home", tmp .. "/work"
  local data = os.getenv("LNN_DATA") or (ROOT .. "/data")
  teardown(function() os.execute("rm -rf " .. q(tmp)) end)

  -- a user's shell: only the tree's bin and the system's, nothing of the checkout
  local function user(cmd)
    return sh(("cd %s && env -i PATH=%s/bin:/usr/bin:/bin HOME=%s OPENBLAS_CORETYPE=%s sh -c %s"):format(q(work),
      q(tree), q(home), os.getenv("OPENBLAS_CORETYPE") or "", q(cmd)))
  end

  it("packs and installs offline, built by clang as scripts/setup.sh builds", function()
    assert(os.execute(("mkdir -p %s %s"):format(q(home), q(work))))
    local out, status = sh(("scripts/pack-rock.sh %s"):format(q(tmp)))
    assert.are.equal(0, status, out)
    out, status = sh(("cd %s && CMAKE_BUILD_PARALLEL_LEVEL=2 luarocks --lua-version=5.4 --tree %s install ./lnn-scm-1.src.rock")
      :format(q(tmp), q(tree)))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("lnn scm-1 is now installed", 1, true), out)
    assert.truthy(out:find("The C compiler identification is Clang", 1, true), out)
    local so = tree .. "/lib/lua/5.4/lnn/core.so"
    out = sh("readelf -p .comment " .. q(so))
    assert.truthy(out:find("clang version", 1, true), out)
  end)

  it("lnn --help lists the commands", function()
    local out, status = user("lnn --help")
    assert.are.equal(0, status, out)
    for _, c in ipairs {"train", "data", "expand", "darkness", "svm", "visualize", "experiment", "bench"} do
      assert.truthy(out:find("\n  " .. c .. " ", 1, true), c .. " missing:\n" .. out)
    end
    out, status = user("lnn train --bogus")
    assert.are.equal(2, status)
    assert.truthy(out:find("lnn train: unknown option '--bogus'", 1, true), out)
  end)

  it("finds no MNIST at first and names the commands that fix it; imports the checkout's", function()
    local out, status = user("lnn darkness")
    assert.are.equal(1, status, out)
    assert.truthy(out:find("MNIST not found (looked in " .. home .. "/.local/share/lnn)", 1, true), out)
    assert.truthy(out:find("`lnn data fetch`", 1, true), out)
    out, status = user("lnn data import " .. q(data))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("Imported into " .. home .. "/.local/share/lnn", 1, true), out)
    out = user("lnn data")
    assert.truthy(out:find("the checkout's data/: -  (lnn is not run from a checkout)", 1, true), out)
    assert.truthy(out:find("60000 training and 10000 test images", 1, true), out)
  end)

  local correct
  it("trains, and the baseline and the pictures run on the saved network", function()
    local out, status = user("lnn train --epochs 1 --save net.lnn")
    assert.are.equal(0, status, out)
    correct = tonumber(out:match("Epoch 0: (%d+) / 10000"))
    assert.truthy(correct and correct > 8500, out)
    out, status = user("lnn darkness")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("2225 of 10000 values correct.", 1, true), out)
    out, status = user("lnn visualize net.lnn --out pictures")
    assert.are.equal(0, status, out)
    assert.truthy(out:find(("\n%d / 10000\n"):format(correct), 1, true), out)
    assert.truthy(io.open(work .. "/pictures/confusion.png"), "no confusion.png")
  end)

  it("lists the experiments with the book's figures", function()
    local out, status = user("lnn experiment --list")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("ch1_30_hidden%s+Chapter 1: %[784,30,10%]"), out)
    assert.truthy(out:find("book: 95.42% test accuracy", 1, true), out)
    assert.truthy(out:find("ch6_8%s+6.8: .*%(book: 99.67%%%)"), out)
  end)

  it("runs a script of one's own through `luarocks path`", function()
    local f = assert(io.open(work .. "/mine.lua", "w"))
    f:write([[
local lnn = require "lnn"
local training_data, _, test_data = lnn.mnist_loader.load_data_wrapper()
local net = lnn.network.Network({784, 20, 10}, {seed = 2})
net:SGD(training_data:slice(1, 5000), 1, 10, 3.0, nil, {quiet = true})
print(("mine: %d / %d"):format(net:evaluate(test_data), #test_data))
print("reference: " .. type(lnn.reference.Network))
]])
    f:close()
    local out, status = user(("eval \"$(luarocks --lua-version=5.4 --tree %s path)\" && lua5.4 mine.lua"):format(q(tree)))
    assert.are.equal(0, status, out)
    local k = tonumber(out:match("mine: (%d+) / 10000"))
    assert.truthy(k and k > 6000, out)
    assert.truthy(out:find("reference: function", 1, true), out)
  end)
end)
