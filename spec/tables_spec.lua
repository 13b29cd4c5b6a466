-- spec/tables_spec.lua: one set of figures for every kernel table.  The suite
-- itself runs under one table (LNN_KERNELS, else the fastest); this spec runs
-- the pinned figures, the README's quick-start line and the determinism specs
-- again under each OTHER table this processor has (LNN_KERNELS=name in a
-- child busted), so the same EXPECTED table and the same README line hold on
-- naive, avx2 and avx512 alike (docs/arithmetic.md).
local core = require "lnn.core"
local H = require "helpers"

local current = core.simd()
local build = os.getenv("LNN_BUILD_DIR") or "build"
-- the determinism specs: threads (1 to 8, bit for bit) and MPI ranks
local specs = {"spec/pinned_spec.lua", "spec/readme_spec.lua", "spec/threads_spec.lua", "spec/mpi_spec.lua"}
-- mpi_spec trains MNIST networks; on the naive table it takes about 3 minutes
-- (six times the others together), and under the sanitizers longer still
local slow = {["spec/mpi_spec.lua"] = {naive = true}}

describe("every kernel table gives the pinned figures #slow #process", function()
  for _, t in ipairs(core.kernels()) do
    if t ~= current then
      local run, skipped = {}, {}
      for _, s in ipairs(specs) do
        if slow[s] and slow[s][t] then skipped[#skipped + 1] = s else run[#run + 1] = s end
      end
      if os.getenv("LNN_SANITIZED") then
        pending(("LNN_KERNELS=%s: %s (not under the sanitizers: the sanitized suite checks memory, the plain one checks figures)")
          :format(t, table.concat(specs, " ")))
      else
        it(("LNN_KERNELS=%s: %s"):format(t, table.concat(run, " ")), function()
          local out, status = H.sh(("LNN_KERNELS=%s lua5.4 /usr/bin/busted --cpath='%s/?.so' %s"):format(t, build,
            table.concat(run, " ")))
          local passed, failed = out:match("\n(%d+) passed, (%d+) failed[^\n]*\n?$")
          assert.truthy(passed, "no summary line from the child busted:\n" .. out)
          assert.are.equal("0", failed, out)
          assert.is_true(tonumber(passed) > 0, out)
          assert.are.equal(0, status, out)
        end)
        for _, s in ipairs(skipped) do
          pending(("LNN_KERNELS=%s: %s (about 3 minutes on this table; its products are held to the other tables' bits by spec/kernels_spec.lua)"):format(t, s))
        end
      end
    end
  end
  it("the suite runs under " .. current .. ": LNN_KERNELS's table, else the fastest", function()
    local env, all = os.getenv("LNN_KERNELS"), core.kernels()
    assert.are.equal(env ~= nil and env ~= "" and env or all[#all], current)
  end)

  it("LNN_KERNELS that names no table here stops every entry point with one line, status 2", function()
    for _, cmd in ipairs {"lua5.4 bin/lnn train --epochs 1", "lua5.4 train.lua --epochs 1",
                          "lua5.4 scripts/bench.lua --workload W1"} do
      local out, status = H.sh("LNN_KERNELS=avx9 " .. cmd)
      assert.are.equal(2, status, cmd .. ":\n" .. out)
      assert.truthy(out:find("LNN_KERNELS: kernel table 'avx9' is not available on this processor (it runs: naive",
        1, true), out)
      assert.falsy(out:find("traceback", 1, true), out)
      assert.falsy(out:find("%.lua:%d+:"), out)
    end
  end)

  it("lnn --version names the table in use", function()
    for _, t in ipairs(core.kernels()) do
      local out = H.sh("LNN_KERNELS=" .. t .. " lua5.4 bin/lnn --version")
      assert.truthy(out:find("kernels " .. t, 1, true), out)
    end
  end)
end)
