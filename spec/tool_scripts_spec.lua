-- The tool scripts end to end: average_darkness and svm_baseline on real MNIST,
-- expand_mnist on a small fake data folder (kept unless --force, seeded,
-- loadable), visualize (one PNG per misclassified digit, contact sheet,
-- confusion, weights, --checkpoints) and bootstrap_training's rounds.
local core = require "lnn.core"
local network = require "lnn.network"
local mnist_loader = require "lnn.mnist_loader"
local H = require "helpers"
local P = require "png_check"

local function run(script, args)
  local p = io.popen(("lua5.4 scripts/%s %s 2>&1; echo \"status=$?\""):format(script, args))
  local out = p:read("a")
  p:close()
  local status = tonumber(out:match("status=(%d+)%s*$"))
  return out:gsub("status=%d+%s*$", ""), status
end

local function count_pngs(dir)
  local p = io.popen(("find '%s' -name '*.png' | wc -l"):format(dir))
  local n = tonumber(p:read("a"))
  p:close()
  return n
end

describe("tool scripts #slow #mnist #process", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("average_darkness.lua prints the book's 2225 of 10000", function()
    local out, status = run("average_darkness.lua", "--data " .. data)
    assert.are.equal(0, status, out)
    assert.are.equal("Baseline classifier using average darkness of image.\n2225 of 10000 values correct.\n", out)
  end)

  it("svm_baseline.lua scores at least 9150 of 10000 and shows the book's 9435 beside it", function()
    local out, status = run("svm_baseline.lua", "--data " .. data)
    assert.are.equal(0, status, out)
    local n = tonumber(out:match("\n(%d+) of 10000 values correct%."))
    assert.truthy(n, out)
    assert.is_true(n >= 9150, out)
    assert.truthy(out:find("9435", 1, true), out)
    -- the gap is explained, not a bare figure
    assert.truthy(out:find("optimality gap [%d.]+: the spread of the projected gradients"), out)
    local _, st = run("svm_baseline.lua", "--C -1")
    assert.are.equal(2, st)
  end)

  it("expand_mnist.lua writes 5 x the training images, loadable, seeded, kept unless --force", function()
    -- a fake data folder: 10,005 training images (5 of them not blank), so 5 train after the split
    local rng = core.Rng(4)
    local imgs = {}
    for i = 1, 5 * 784 do imgs[i] = rng:random(256) - 1 end
    local train = string.char(table.unpack(imgs)) .. string.rep("\0", 10000 * 784)
    local labels = string.char(3, 1, 4, 1, 5) .. string.rep("\2", 10000)
    local F = mnist_loader.FILES
    core.write_idx(dir .. "/" .. F.train_images, 2051, {10005, 28, 28}, train, 0)
    core.write_idx(dir .. "/" .. F.train_labels, 2049, {10005}, labels, 0)
    core.write_idx(dir .. "/" .. F.test_images, 2051, {1, 28, 28}, string.rep("\0", 784), 0)
    core.write_idx(dir .. "/" .. F.test_labels, 2049, {1}, "\0", 0)
    local out, status = run("expand_mnist.lua", "--data " .. dir .. " --seed 3")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("5 -> 25 images", 1, true), out)
    local ex = mnist_loader.load_data(dir, {expanded = true})
    assert.are.equal(25, #ex)
    local plain = core.tools.expand(mnist_loader.load_data(dir), 28, 28)
    local perm = core.Rng(3):permutation(25)
    for j = 1, 25 do
      assert.are.equal(plain:pixels(j), ex:pixels(perm[j]))
      assert.are.equal(plain:label(j), ex:label(perm[j]))
    end
    local first = H.read_file(dir .. "/" .. F.expanded_images .. ".gz")
    out, status = run("expand_mnist.lua", "--data " .. dir .. " --seed 4")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("already exists", 1, true), out)
    assert.are.equal(first, H.read_file(dir .. "/" .. F.expanded_images .. ".gz"))
    out, status = run("expand_mnist.lua", "--data " .. dir .. " --seed 4 --force")
    assert.are.equal(0, status, out)
    assert.are_not.equal(first, H.read_file(dir .. "/" .. F.expanded_images .. ".gz"))
    assert.are.equal("", io.popen("ls " .. dir .. " | grep part || true"):read("a")) -- no temporaries left
    out, status = run("expand_mnist.lua", "--data " .. dir .. "/none --force")
    assert.are.equal(1, status)
    assert.truthy(out:find(dir .. "/none", 1, true), out)
    out, status = run("expand_mnist.lua", "--level 0")
    assert.are.equal(2, status)
    assert.truthy(out:find("must be 1 to 9", 1, true), out)
  end)

  it("expand_mnist.lua prints \"Expanding image number N\" every 1000 images unless --quiet", function()
    -- 12,500 training images in the file: 2,500 train after the 10,000 validation split
    local F = mnist_loader.FILES
    core.write_idx(dir .. "/" .. F.train_images, 2051, {12500, 28, 28}, string.rep("\7", 12500 * 784), 0)
    core.write_idx(dir .. "/" .. F.train_labels, 2049, {12500}, string.rep("\1", 12500), 0)
    core.write_idx(dir .. "/" .. F.test_images, 2051, {1, 28, 28}, string.rep("\0", 784), 0)
    core.write_idx(dir .. "/" .. F.test_labels, 2049, {1}, "\0", 0)
    local out, status = run("expand_mnist.lua", "--data " .. dir)
    assert.are.equal(0, status, out)
    local lines = {}
    for n in out:gmatch("Expanding image number (%d+)\n") do lines[#lines + 1] = tonumber(n) end
    assert.are.same({1000, 2000}, lines)
    assert.truthy(out:find("Expanding the MNIST training set\nExpanding image number 1000\n", 1, true), out)
    assert.truthy(out:find("2500 -> 12500 images", 1, true), out)
    out, status = run("expand_mnist.lua", "--data " .. dir .. " --force --quiet")
    assert.are.equal(0, status, out)
    assert.falsy(out:find("Expanding image number", 1, true), out)
    assert.truthy(out:find("2500 -> 12500 images", 1, true), out)
  end)

  it("visualize.lua: one PNG per misclassified digit, the sheet, confusion and weights; --checkpoints", function()
    local training, _, test = mnist_loader.load_data(data)
    local net = network.Network({784, 20, 10}, {seed = 2})
    net:SGD(training:slice(1, 5000):onehot(true), 1, 10, 3.0, nil, {quiet = true})
    net:save(dir .. "/net")
    local correct = net:evaluate(test)
    local res = dir .. "/res"
    local out, status = run("visualize.lua", ("%s/net --data %s --out %s"):format(dir, data, res))
    assert.are.equal(0, status, out)
    assert.truthy(out:find(("\n%d / 10000\n"):format(correct), 1, true), out)
    assert.truthy(out:find(("(%.2f%%)"):format(correct / 100), 1, true), out)
    assert.are.equal(10000 - correct, count_pngs(res .. "/failed"))
    assert.are.equal(0, count_pngs(res .. "/passed"))
    assert.are.equal(20, count_pngs(res .. "/weights"))
    -- a digit file: its name gives its 0-based index and label, its folder the prediction
    local p = io.popen(("find '%s/failed' -name '*.png' | head -n 1"):format(res))
    local path = p:read("l")
    p:close()
    local pred, idx, label = path:match("/failed/(%d)/(%d+)%-%-correct%-(%d)%.png$")
    assert.truthy(pred, path)
    assert.are.equal(tonumber(label), test:label(idx + 1))
    assert.are_not.equal(pred, label)
    assert.are.same({28, 28, 0}, {P.check(path)})
    local _, _, _, pix = core.read_png(path)
    assert.are.equal(test:pixels(idx + 1), pix)
    local w, h = P.check(res .. "/misclassified.png")
    local rows = math.ceil((10000 - correct) / 25)
    assert.are.same({25 * (56 + 4), rows * (56 + 4 + 9)}, {w, h})
    assert.are.same({660, 264, 2}, {P.check(res .. "/confusion.png")})
    assert.truthy(out:find("confusion matrix", 1, true))
    -- a folder it did not write is not removed
    local other = dir .. "/mine"
    os.execute("mkdir " .. other .. " && touch " .. other .. "/keep")
    out, status = run("visualize.lua", ("%s/net --data %s --out %s"):format(dir, data, other))
    assert.are.equal(1, status, out)
    assert.truthy(out:find("refusing to write into", 1, true), out)
    assert.truthy(io.open(other .. "/keep"))
    -- --checkpoints: every file, oldest first; what is not a network is skipped
    -- (the times set, not waited for: b a day older than a)
    os.execute(("mkdir %s/ck && cp %s/net %s/ck/b && cp %s/net %s/ck/a && echo x > %s/ck/junk && "
      .. "touch -d '2020-01-01 00:00' %s/ck/b && touch -d '2020-01-02 00:00' %s/ck/a")
      :format(dir, dir, dir, dir, dir, dir, dir, dir))
    out, status = run("visualize.lua", ("--checkpoints %s/ck --data %s"):format(dir, data))
    assert.are.equal(0, status, out)
    local b_at, a_at = out:find("\nb "), out:find("\na ")
    assert.truthy(b_at and a_at and b_at < a_at, out)
    assert.truthy(out:find(("%d / 10000"):format(correct), 1, true), out)
    assert.truthy(out:find("junk%s+skipped"), out)
    _, status = run("visualize.lua", "--set train")
    assert.are.equal(2, status)
  end)

  it("bootstrap_training.lua prints every round and the history, and stops", function()
    local out, status = run("bootstrap_training.lua", ("--data %s --train-size 3000 --per-round 2"
      .. " --large-bin 10 --small-bin 1 --max-rounds 3"):format(data)) -- never 11 epochs: 3 rounds
    assert.are.equal(0, status, out)
    for r = 1, 3 do assert.truthy(out:find("Round " .. r .. ": batch", 1, true), out) end
    assert.truthy(out:find("Round 1: batch 10, epochs 0-1", 1, true), out)
    assert.truthy(out:find("Round 2: batch 11, epochs 2-3", 1, true), out)
    local hist = out:match("History %(validation accuracy %% per epoch%): ([%d%. ]+)")
    local n = 0
    for _ in hist:gmatch("%S+") do n = n + 1 end
    assert.are.equal(6, n)
    assert.truthy(out:find("rate n/a (history too short)", 1, true), out)
    assert.truthy(out:find("Stopped at --max-rounds after 3 rounds (6 epochs", 1, true), out)
    assert.truthy(out:find("Test accuracy: %d+ / 10000"), out)
    local _, st = run("bootstrap_training.lua", "--small-bin 5 --large-bin 2")
    assert.are.equal(2, st)
  end)

  it("bootstrap_training.lua continues a previous network after N rounds (bootyNet's gooo(prev, entropyYears))", function()
    local common = ("--data %s --train-size 2000 --per-round 1 --large-bin 2 --small-bin 1 --threshold 0"):format(data)
    local out, status = run("bootstrap_training.lua", common .. " --max-rounds 3 --save " .. dir .. "/b.lnn")
    assert.are.equal(0, status, out)
    assert.truthy(out:find("Round 3: batch 12, epochs 2%-2, validation [%d%.]+%%, rate [%d%.]+, ratio %-?[%d%.]+ %-> keep training"), out)
    out, status = run("bootstrap_training.lua", common .. (" --max-rounds 2 --previous %s/b.lnn --rounds-done 3"):format(dir))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("continuing from " .. dir .. "/b.lnn (3 epochs, 3 rounds done)", 1, true), out)
    assert.truthy(out:find("Round 4: batch 13, epochs 3-3", 1, true), out) -- 10 * 1.1^3 rounded
    assert.truthy(out:find("Round 5: batch 15, epochs 4-4", 1, true), out)
    assert.truthy(out:find("(5 epochs,", 1, true), out)
    local err
    err, status = run("bootstrap_training.lua", "--previous " .. dir .. "/none")
    assert.are.equal(1, status)
    assert.are.equal(("scripts/bootstrap_training.lua: --previous %s/none: cannot open: No such file or directory\n"):format(dir), err)
    _, status = run("bootstrap_training.lua", "--rounds-done -1")
    assert.are.equal(2, status)
  end)
end)
