-- scripts/train.lua end to end on real MNIST: flags, bad flags (exit 2),
-- same seed same output and files, --save/--load resume, --metrics JSON, and
-- the smoke test (1 epoch on 10,000 images > 85%).
local json = require "lnn.json"
local H = require "helpers"

local run = H.run_train

describe("scripts/train.lua #slow #mnist #process", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("bad flags and values print a clear message and exit with status 2", function()
    for _, case in ipairs {
      {"--epochs x", "option '--epochs' expects an integer, got 'x'"},
      {"--eta -1", "option '--eta': must be positive"},
      {"--sizes 784,abc,10", "option '--sizes' expects a list of positive integers"},
      {"--sizes 100,10", "MNIST needs 784 inputs and 10 outputs"},
      {"--bogus", "unknown option '--bogus'"},
      {"--batch", "option '--batch' needs a value"},
      -- a forgotten value never takes the next flag as a file name (it wrote a file named --metrics)
      {"--save --metrics " .. dir .. "/m.json --epochs 1 --data " .. dir .. "/none",
       "option '--save' needs a value, got the option '--metrics'"},
      {"--metrics -x --epochs 1 --data " .. dir .. "/none", "option '--metrics' needs a value, got the option '-x'"},
      {"--train-size 999999 --data " .. data, "at most 50000"},
      {"stray", "unexpected argument 'stray'"},
    } do
      local out, status = run(case[1])
      assert.are.equal(2, status, case[1] .. ": " .. out)
      assert.truthy(out:find(case[2], 1, true), case[1] .. ": " .. out)
    end
    assert.is_nil(io.open("--metrics"))
    assert.is_nil(io.open("-x"))
    local out, status = run("--help")
    assert.are.equal(0, status)
    assert.truthy(out:find("--metrics FILE", 1, true))
  end)

  it("a missing data folder is an error naming it", function()
    local out, status = run("--data " .. dir .. "/none --epochs 1")
    assert.are.equal(1, status)
    assert.truthy(out:find(dir .. "/none", 1, true), out)
  end)

  it("trains: 1 epoch over the 50,000 images scores over 85% on the 10,000 test images, printed as the book prints it", function()
    local out, status = run(("--data %s --epochs 1 --metrics %s/m.json"):format(data, dir))
    assert.are.equal(0, status, out)
    local correct = tonumber(out:match("Epoch 0: (%d+) / 10000"))
    assert.truthy(correct, out)
    assert.is_true(correct > 8500, "only " .. correct)
    local m = json.decode(H.read_file(dir .. "/m.json"))
    assert.are.equal(1, #m.epochs)
    assert.are.equal(0, m.epochs[1].epoch) -- as printed: "Epoch 0" (issue 22)
    assert.are.equal(correct, m.epochs[1].correct)
    assert.are.equal(10000, m.epochs[1].total)
    assert.is_true(m.epochs[1].seconds > 0 and m.epochs[1].seconds < 5)
  end)

  it("the same seed prints the same numbers and saves identical files; --load resumes", function()
    local common = ("--data %s --train-size 3000 --sizes 784,20,10 --seed 7"):format(data)
    local o1 = run(common .. " --epochs 2 --save " .. dir .. "/a.lnn")
    local o2 = run(common .. " --epochs 2 --save " .. dir .. "/b.lnn")
    local function epochs(o) local t = {} for l in o:gmatch("Epoch %d+: %d+ / %d+") do t[#t + 1] = l end return t end
    assert.are.equal(2, #epochs(o1))
    assert.are.same(epochs(o1), epochs(o2))
    assert.are.equal(H.read_file(dir .. "/a.lnn"), H.read_file(dir .. "/b.lnn"))
    -- 1 epoch, then resume to 2: the same file as 2 epochs straight
    run(common .. " --epochs 1 --save " .. dir .. "/c.lnn")
    local o3, status = run(common .. " --epochs 2 --load " .. dir .. "/c.lnn --save " .. dir .. "/c.lnn")
    assert.are.equal(0, status, o3)
    assert.truthy(o3:find("resuming after epoch 0", 1, true), o3) -- after "Epoch 0", as printed
    assert.are.same({epochs(o1)[2]}, epochs(o3))
    assert.are.equal(H.read_file(dir .. "/a.lnn"), H.read_file(dir .. "/c.lnn"))
    local o4, s4 = run(common .. " --epochs 2 --load " .. dir .. "/c.lnn --sizes 784,30,10")
    assert.are.equal(1, s4)
    assert.truthy(o4:find("disagrees", 1, true), o4)
  end)

  it("refuses a Lua other than 5.4 with a clear message", function()
    local lua51 = io.open("/usr/bin/lua5.1") -- luarocks and busted bring it along
    assert.truthy(lua51, "lua5.1 is not installed")
    lua51:close()
    local p = io.popen("lua5.1 scripts/train.lua --epochs 1 2>&1; echo status=$?")
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("needs Lua 5.4", 1, true), out)
    assert.truthy(out:find("status=1", 1, true), out)
  end)
end)
