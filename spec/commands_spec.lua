-- The `lnn` command and its entry points: every subcommand's --help and bad
-- flags (exit 2, messages naming the program as typed), the root train.lua
-- from another folder, the data search order (LNN_DATA, the checkout's data/,
-- the XDG per-user folder), `lnn data import`, `lnn experiment --list`, and
-- that library modules neither parse command lines nor exit.
local core = require "lnn.core"
local mnist_loader = require "lnn.mnist_loader"
local H = require "helpers"

local ROOT = H.ROOT

local sh = H.sh

local q = H.q

local lnn = H.lnn

describe("the lnn command #slow #mnist #process", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("lists every command; each has --help and exits 2 on a bad flag, naming itself", function()
    local out, status = lnn("--help")
    assert.are.equal(0, status, out)
    local names = {}
    for _, c in ipairs(require("lnn.commands").available()) do names[#names + 1] = c.name end
    for _, want in ipairs {"train", "data", "expand", "darkness", "svm", "visualize", "experiment", "bench"} do
      assert.truthy(out:find("\n  " .. want .. " ", 1, true), want .. " missing from:\n" .. out)
    end
    for _, name in ipairs(names) do
      local help, st = lnn(name .. " --help")
      assert.are.equal(0, st, name .. ": " .. help)
      assert.truthy(help:find("usage: lnn " .. name, 1, true), help)
      local bad, st2 = lnn(name .. " --bogus")
      assert.are.equal(2, st2, name .. ": " .. bad)
      assert.truthy(bad:find(("lnn %s: unknown option '--bogus'\n(try lnn %s --help)"):format(name, name), 1, true), bad)
    end
    local bad, st = lnn("frobnicate")
    assert.are.equal(2, st)
    assert.truthy(bad:find("lnn: unknown command 'frobnicate'", 1, true), bad)
    local _, bare = lnn("")
    assert.are.equal(2, bare)
    out, status = lnn("train --eta -1")
    assert.are.equal(2, status)
    assert.truthy(out:find("lnn train: option '--eta': must be positive, got '-1'", 1, true), out)
  end)

  it("scripts name themselves in messages", function()
    local out, status = sh("lua5.4 scripts/average_darkness.lua --bogus")
    assert.are.equal(2, status)
    assert.truthy(out:find("scripts/average_darkness.lua: unknown option '--bogus'\n(try lua scripts/average_darkness.lua --help)", 1, true), out)
    out, status = sh("lua5.4 scripts/experiments/ch6_4.lua --epochs x")
    assert.are.equal(2, status)
    assert.truthy(out:find("scripts/experiments/ch6_4.lua: option '--epochs' expects an integer", 1, true), out)
    -- a chapter 6 run on fewer images than one mini-batch: the flag, not SGD's argument or a source line
    out, status = sh("lua5.4 bin/lnn experiment ch6_1 --train-size 2 --epochs 1 --quiet --out " .. os.tmpname() .. ".d")
    assert.are.equal(1, status, out)
    assert.truthy(out:find("lnn experiment: --train-size 2: fewer training images than one mini-batch of 10", 1, true), out)
    assert.falsy(out:find("%.lua:%d"), out)
    out, status = sh("lua5.4 scripts/visualize.lua --help")
    assert.are.equal(0, status)
    assert.truthy(out:find("usage: lua scripts/visualize.lua NETWORK_FILE", 1, true), out)
  end)

  it("the root train.lua runs as typed, from the root and from any other folder", function()
    local out, status = sh("lua5.4 train.lua --help")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("usage: lua train.lua [options]", 1, true), out)
    out, status = sh(("cd %s && lua5.4 %s/train.lua --epochs 1 --train-size 5000 --seed 3 --quiet"):format(q(dir), ROOT))
    assert.are.equal(0, status, out)
    local k = tonumber(out:match("Test accuracy after 1 epoch: [%d.]+%% %((%d+) / 10000%)"))
    assert.truthy(k and k > 6000, out)
    -- the same numbers as the script in scripts/ and as `lnn train`
    local out2 = sh("lua5.4 scripts/train.lua --epochs 1 --train-size 5000 --seed 3 --quiet")
    local out3 = lnn("train --epochs 1 --train-size 5000 --seed 3 --quiet")
    local function acc(o) return o:match("Test accuracy[^;]*") end
    assert.are.equal(acc(out), acc(out2))
    assert.are.equal(acc(out), acc(out3))
    out, status = sh("lua5.4 train.lua --eta 0")
    assert.are.equal(2, status)
    assert.truthy(out:find("train.lua: option '--eta': must be positive, got '0'\n(try lua train.lua --help)", 1, true), out)
  end)

  it("--threads on the experiment, chapter 6 and sweep commands: same network on 1 and 3 threads", function()
    local args = "--epochs 1 --train-size 400 --eval-size 100 --quiet --data " .. q(data)
    for _, t in ipairs {1, 3} do
      local out, status = lnn(("experiment ch6_4 %s --threads %d --save %s/t%d.lnn --out %s/o%d")
        :format(args, t, dir, t, dir, t))
      assert.are.equal(0, status, out)
    end
    local net = require("lnn.network3")
    assert.is_true(net.load(dir .. "/t1.lnn"):engine():chunks(10) >= 2, "the step must be cut for threads to matter")
    assert.are.equal(H.read_file(dir .. "/t1.lnn"), H.read_file(dir .. "/t3.lnn"))
    for _, cmd in ipairs {"experiment ch6_4", "experiment ch1_30_hidden", "sweep", "train", "bench"} do
      local out, status = lnn(cmd .. " --threads 0")
      assert.are.equal(2, status, cmd .. ": " .. out)
      assert.truthy(out:find(("lnn %s: option '--threads': must be 1 to %d"):format(cmd,
        core.limits.threads), 1, true), out)
    end
  end)

  it("user errors show no internal file:line", function()
    H.write_file(dir .. "/junk", "{\"not\": \"a network\"}")
    for _, args in ipairs {"train --epochs 1 --load " .. dir .. "/junk", "visualize " .. dir .. "/junk",
                           "train --data " .. dir .. "/none", "experiment ch6_8 --members " .. dir .. "/junk"} do
      local out, status = lnn(args)
      assert.are.equal(1, status, args .. ": " .. out)
      assert.falsy(out:find("%.lua:%d+:"), args .. ": " .. out)
      assert.truthy(out:find("^lnn %a+: "), args .. ": " .. out)
    end
  end)

  it("finds MNIST in the documented order: LNN_DATA, the checkout's data/, the XDG per-user folder", function()
    -- a copy of the Lua sources without data/ is a checkout without MNIST
    assert(os.execute(("mkdir -p %s/src/bin %s/src/scripts && cp -r lua %s/src/ && cp bin/lnn %s/src/bin/ && cp scripts/bootstrap.lua %s/src/scripts/ && ln -s %s/build %s/src/build")
      :format(dir, dir, dir, dir, dir, ROOT, dir)))
    -- the sanitized suite's module lives in its own build folder (LNN_BUILD_DIR)
    local bd = os.getenv("LNN_BUILD_DIR")
    if bd and bd ~= "build" then assert(os.execute(("ln -s %s/%s %s/src/%s"):format(ROOT, bd, dir, bd))) end
    local env = ("env -u LNN_DATA HOME=%s/home XDG_DATA_HOME=%s/xdg"):format(dir, dir)
    local function src_lnn(args, extra) return sh(("%s %s lua5.4 %s/src/bin/lnn %s"):format(env, extra or "", dir, args)) end
    local out, status = src_lnn("darkness")
    assert.are.equal(1, status, out)
    assert.truthy(out:find("MNIST not found (looked in " .. dir .. "/src/data, " .. dir .. "/xdg/lnn)", 1, true), out)
    assert.truthy(out:find("`lnn data fetch`", 1, true), out)
    out, status = src_lnn("data")
    assert.are.equal(1, status, out)
    -- import: with no --to and no LNN_DATA it writes the per-user folder, then everything finds it there
    out, status = src_lnn("data import " .. ROOT .. "/" .. data)
    assert.are.equal(0, status, out)
    assert.truthy(out:find("Imported into " .. dir .. "/xdg/lnn", 1, true), out)
    out, status = src_lnn("darkness")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("2225 of 10000", 1, true), out)
    out = src_lnn("data")
    assert.truthy(out:find("Without --data, lnn uses " .. dir .. "/xdg/lnn (the per-user folder", 1, true), out)
    -- without XDG_DATA_HOME: ~/.local/share/lnn
    out = sh(("env -u LNN_DATA -u XDG_DATA_HOME HOME=/h lua5.4 -e 'package.path=\"lua/?.lua;\" .. package.path package.cpath=\"build/?.so;\" .. package.cpath' -e 'print(require(\"lnn.mnist_loader\").user_dir())'"))
    assert.are.equal("/h/.local/share/lnn\n", out)
    -- the checkout's data/ comes before the per-user folder, LNN_DATA before both
    assert(os.execute(("ln -s %s/%s %s/src/data"):format(ROOT, data, dir)))
    out = src_lnn("data")
    assert.truthy(out:find("Without --data, lnn uses " .. dir .. "/src/data (the checkout's data/)", 1, true), out)
    out, status = src_lnn("darkness", "LNN_DATA=" .. dir .. "/empty")
    assert.are.equal(1, status)
    assert.truthy(out:find("not found in " .. dir .. "/empty", 1, true), out)
    -- and --data before all
    out, status = src_lnn("darkness --data " .. ROOT .. "/" .. data, "LNN_DATA=" .. dir .. "/empty")
    assert.are.equal(0, status, out)
  end)

  it("data import checks what it copies: 28x28 IDX pairs of equal counts, any spelling, nothing half-written", function()
    local F = mnist_loader.FILES
    local src = dir .. "/in"
    os.execute("mkdir " .. src)
    local function set(n_train, n_test, side, dotted)
      local function name(s) return dotted and s:gsub("%-(idx%d)", ".%1") or s end
      core.write_idx(src .. "/" .. name(F.train_images), 2051, {n_train, side, side}, string.rep("\7", n_train * side * side), 0)
      core.write_idx(src .. "/" .. name(F.train_labels), 2049, {n_train}, string.rep("\3", n_train), 0)
      core.write_idx(src .. "/" .. name(F.test_images), 2051, {n_test, side, side}, string.rep("\9", n_test * side * side), 0)
      core.write_idx(src .. "/" .. name(F.test_labels), 2049, {n_test}, string.rep("\1", n_test), 0)
    end
    set(10001, 5, 10)
    local out, status = lnn(("data import %s --to %s/out"):format(src, dir))
    assert.are.equal(1, status, out)
    assert.truthy(out:find("holds 10x10 images; lnn's networks read 28x28", 1, true), out)
    assert.falsy(io.open(dir .. "/out/" .. F.test_labels))
    os.execute("rm " .. src .. "/*")
    set(10001, 5, 28, true) -- train-images.idx3-ubyte, as some mirrors spell it
    os.execute(("rm %s/t10k-labels.idx1-ubyte"):format(src))
    core.write_idx(src .. "/t10k-labels.idx1-ubyte", 2049, {4}, "\1\1\1\1", 0)
    out, status = lnn(("data import %s --to %s/out"):format(src, dir))
    assert.are.equal(1, status, out)
    assert.truthy(out:find("not a pair of IDX files", 1, true), out)
    core.write_idx(src .. "/t10k-labels.idx1-ubyte", 2049, {5}, "\1\2\3\4\5", 0)
    out, status = lnn(("data import %s --to %s/out"):format(src, dir))
    assert.are.equal(0, status, out)
    local tr, va, te = mnist_loader.load_data(dir .. "/out")
    assert.are.same({1, 10000, 5}, {#tr, #va, #te})
    assert.are.equal(5, te:label(5))
    set(9000, 5, 28)
    out, status = lnn(("data import %s --to %s/out2"):format(src, dir))
    assert.are.equal(1, status, out)
    assert.truthy(out:find("needs more than 10,000", 1, true), out)
  end)

  it("data fetch where npm is missing says what to do instead", function()
    os.execute("mkdir -p " .. dir .. "/bin")
    for _, t in ipairs {"lua5.4", "sh", "mktemp", "rm", "sha256sum", "tar", "gzip"} do
      os.execute(("ln -s \"$(command -v %s)\" %s/bin/%s"):format(t, dir, t))
    end
    local out, status = sh(("PATH=%s/bin HOME=%s /usr/bin/lua5.4 %s/bin/lnn data fetch --to %s/d"):format(dir, dir, ROOT, dir))
    assert.are.equal(1, status, out)
    assert.truthy(out:find("lnn data: npm is missing", 1, true), out)
    assert.truthy(out:find("apt-get install npm", 1, true), out)
    assert.truthy(out:find("`lnn data import DIR`", 1, true), out)
  end)

  it("experiment --list shows every experiment with the book's figure", function()
    local out, status = lnn("experiment --list")
    assert.are.equal(0, status, out)
    local E, X = require "lnn.experiments", require "lnn.chapter6"
    for _, e in ipairs(E.list) do assert.truthy(out:find(e.name .. " .-book: " .. e.book:gsub("%p", "%%%0")), e.name) end
    for _, r in ipairs(X.list) do assert.truthy(out:find(r.name .. " .-%(book: " .. ("%.2f"):format(100 * r.book)), r.name) end
    local _, st = lnn("experiment nope")
    assert.are.equal(2, st)
  end)

  it("require 'lnn' gives what README lists", function()
    local lnn = require "lnn"
    for _, k in ipairs {"core", "network", "network2", "network3", "mnist_loader", "model", "json", "reference",
                        "plot", "progress"} do
      assert.are.equal("table", type(lnn[k]), k)
    end
    assert.are.equal("function", type(lnn.reference.Network))
  end)

  it("library modules neither parse command lines nor exit; only entry points do", function()
    local p = io.popen("ls lua/lnn/*.lua")
    for file in p:read("a"):gmatch("[^\n]+") do
      -- (cli.self_command's child runs a quoted os.exit: that is an entry point's)
      local text = H.read_file(file):gsub("q%('os%.exit%(require%(\"lnn%.commands\"%)%.main%(arg, \"lnn\"%), true%)'%)", "")
      if not file:match("/cli%.lua$") then
        assert.falsy(text:find("require \"lnn.cli\"", 1, true), file .. " requires lnn.cli")
      end
      assert.falsy(text:find("os%.exit%("), file .. " calls os.exit")
    end
    p:close()
    p = io.popen("ls lua/lnn/commands/*.lua")
    for file in p:read("a"):gmatch("[^\n]+") do
      assert.falsy(H.read_file(file):find("os%.exit%("), file .. " calls os.exit")
    end
    p:close()
  end)
end)
