-- spec/bench_spec.lua: `lnn bench`'s W7 workload (the 6.7 network, batch 10)
-- and, with --threads > 1, the line that sets the speed-up beside what the
-- machine can give (two one-thread processes at once against one alone).
-- The figures are the machine's; the spec checks that they are measured and
-- printed, and the arithmetic of the comparison.
local H = require "spec.helpers"
local bench = require "lnn.commands.bench"

describe("lnn bench #slow #mnist #process", function()
  local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")

  it("times W7 on 2 threads, then on one, and prints the achievable speed-up beside it", function()
    local out, status = H.lnn(("bench --workload W7 --w7-images 60 --repeat 1 --threads 2 --no-rss --data %s"):format(data))
    assert.are.equal(0, status, out)
    assert.truthy(out:find("W7 the book's 6.7 network: ConvPool 20x1x5x5 + ConvPool 40x20x5x5 + FC 1000 + FC 1000", 1, true), out)
    -- the epoch twice in this process (2 threads, then 1) and the comparison
    local _, epochs = out:gsub("W7   epoch over 60 images: median [%d.]+ s", "")
    assert.are.equal(2, epochs, out)
    local many, one, achievable, a, b, alone, pct = out:match(
      "W7   2 threads: [%d.]+x one thread %(([%d.]+) s vs ([%d.]+) s%); achievable ([%d.]+)x %(two one%-thread"
      .. " processes at once, ([%d.]+) s and ([%d.]+) s, against one alone, ([%d.]+) s%): (%d+)%% of it")
    assert.truthy(many, out)
    for _, v in ipairs {many, one, a, b, alone} do assert.is_true(tonumber(v) > 0, out) end
    local s, ach, f = bench.scaling(tonumber(one), tonumber(many), tonumber(alone), {tonumber(a), tonumber(b)})
    assert.is_true(math.abs(ach - tonumber(achievable)) <= 0.006, out)
    assert.is_true(math.abs(100 * f - tonumber(pct)) <= 1 + 100 * f * 0.01, out)
    assert.is_true(s > 0)
  end)

  it("skips the comparison on one thread and with --no-scaling", function()
    for _, args in ipairs {"--threads 1", "--threads 2 --no-scaling"} do
      local out, status = H.lnn(("bench --workload W7 --w7-images 20 --repeat 1 --no-rss %s --data %s"):format(args, data))
      assert.are.equal(0, status, out)
      local _, epochs = out:gsub("W7   epoch over 20 images", "")
      assert.are.equal(1, epochs, out)
      assert.falsy(out:find("achievable", 1, true), out)
    end
  end)

  it("refuses a workload it does not have", function()
    local out, status = H.lnn("bench --workload W5")
    assert.are.equal(2, status, out)
    assert.truthy(out:find("lnn bench: option '--workload': must be W1, W2, W4, W7 or all, got 'W5'", 1, true), out)
  end)
end)

describe("lnn bench's comparison", function()
  it("is the speed-up over what two independent one-thread runs at once give", function()
    local s, a, f = bench.scaling(1.0, 0.5, 1.0, {1.0, 1.25})
    assert.are.equal(2.0, s)
    assert.are.equal(1.6, a) -- twice the work in 1.25 s: the slower of the two counts
    assert.are.equal(1.25, f)
  end)
end)
