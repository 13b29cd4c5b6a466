-- A command removes only what it wrote (issue 24).  The README's ordinary
-- sequence -- lnn visualize NET, lnn darkness --out results/baselines, an
-- experiment's metrics under results/experiments, lnn visualize NET again --
-- used to end in `rm -rf results`: visualize wrote into results/ itself and
-- removed the whole (marked) folder on its next run.
local network = require "lnn.network"
local mnist_loader = require "lnn.mnist_loader"
local H = require "helpers"

describe("commands remove only what they wrote #slow #process", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local root = H.stdout("pwd"):gsub("%s+$", "")
  local lnn = root .. "/bin/lnn"
  local abs_data = data:sub(1, 1) == "/" and data or root .. "/" .. data
  local dir, cleanup
  before_each(function()
    dir, cleanup = H.tmpdir()
    local training = mnist_loader.load_data(abs_data)
    local net = network.Network({784, 20, 10}, {seed = 2})
    net:SGD(training:slice(1, 20000):onehot(true), 1, 10, 3.0, nil, {quiet = true})
    net:save(dir .. "/net.lnn")
  end)
  after_each(function() cleanup() end)

  local function lnn_in(cwd, args)
    return H.sh(("cd '%s' && '%s' %s"):format(cwd, lnn, args))
  end
  local function exists(path)
    local f = io.open(path, "rb")
    if f then f:close() end
    return f ~= nil
  end

  it("lnn visualize twice around other commands' results keeps them (the default --out)", function()
    local out, status = lnn_in(dir, "visualize net.lnn --data " .. abs_data)
    assert.are.equal(0, status, out)
    out, status = lnn_in(dir, "darkness --out results/baselines --data " .. abs_data)
    assert.are.equal(0, status, out)
    os.execute(("mkdir -p '%s/results/experiments'"):format(dir))
    H.write_file(dir .. "/results/experiments/ch1_30_hidden.json", "{}\n")
    out, status = lnn_in(dir, "visualize net.lnn --data " .. abs_data)
    assert.are.equal(0, status, out)
    assert.truthy(exists(dir .. "/results/experiments/ch1_30_hidden.json"), "an experiment's results were removed")
    local _, bst = H.sh(("ls '%s'/results/baselines/*.json"):format(dir))
    assert.are.equal(0, bst, "the baselines' results were removed")
    assert.truthy(exists(dir .. "/results/visualize/summary.json"))
    assert.truthy(exists(dir .. "/results/visualize/confusion.png"))
  end)

  it("lnn visualize --out a folder it marked earlier replaces its own files and nothing else", function()
    local res = dir .. "/res"
    local out, status = lnn_in(dir, "visualize net.lnn --out res --data " .. abs_data)
    assert.are.equal(0, status, out)
    local n_failed = tonumber(H.stdout(("find '%s/failed' -name '*.png' | wc -l"):format(res)))
    -- another command's results and a note of the user's, beside and inside its folders
    os.execute(("mkdir -p '%s/experiments'"):format(res))
    H.write_file(res .. "/experiments/ch3.json", "{}\n")
    H.write_file(res .. "/notes.txt", "mine\n")
    H.write_file(res .. "/failed/notes.txt", "mine too\n")
    -- a digit PNG of an earlier run that this run will not write again goes
    H.write_file(res .. "/failed/3/99999--correct-5.png", "old")
    out, status = lnn_in(dir, "visualize net.lnn --out res --data " .. abs_data)
    assert.are.equal(0, status, out)
    assert.are.equal("{}\n", H.read_file(res .. "/experiments/ch3.json"))
    assert.are.equal("mine\n", H.read_file(res .. "/notes.txt"))
    assert.are.equal("mine too\n", H.read_file(res .. "/failed/notes.txt"))
    assert.falsy(exists(res .. "/failed/3/99999--correct-5.png"))
    assert.are.equal(n_failed, tonumber(H.stdout(("find '%s/failed' -name '*.png' | wc -l"):format(res))))
  end)

  it("lnn visualize refuses a folder of files it did not write, and leaves it as it was", function()
    os.execute(("mkdir -p '%s/mine'"):format(dir))
    H.write_file(dir .. "/mine/keep", "k")
    local out, status = lnn_in(dir, "visualize net.lnn --out mine --data " .. abs_data)
    assert.are.equal(1, status, out)
    assert.truthy(out:find("lnn visualize: refusing to write into mine: it holds files lnn visualize did not write",
      1, true), out)
    assert.are.equal("k", H.read_file(dir .. "/mine/keep"))
    assert.are.equal("keep\n", H.stdout(("ls -A '%s/mine'"):format(dir)))
  end)
end)
