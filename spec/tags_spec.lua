-- spec/tags_spec.lua: the spec suite's tags (spec/helpers.lua's header,
-- README's "Testing") stay the five that are documented, and whatever needs
-- MNIST, a browser or MPI is also #slow, so that `busted --exclude-tags=slow`
-- stays a fast loop that needs none of them.
local H = require "helpers"

local KNOWN = {slow = true, mnist = true, process = true, browser = true, mpi = true}

describe("the spec tags", function()
  it("are the documented five, and #mnist, #browser and #mpi come with #slow", function()
    local problems, count = {}, 0
    for file in H.stdout("ls spec/*_spec.lua"):gmatch("[^\n]+") do
      local n = 0
      for line in io.lines(file) do
        n = n + 1
        local name = line:match('%f[%w_](describe%([^"]*"[^"]*")') or line:match('%f[%w_](it%([^"]*"[^"]*")')
        if name then
          local tags = {}
          for t in name:gmatch("#(%a[%w_]*)") do tags[t] = true; count = count + 1 end
          for t in pairs(tags) do
            if not KNOWN[t] then problems[#problems + 1] = ("%s:%d: unknown tag #%s"):format(file, n, t) end
          end
          if (tags.mnist or tags.browser or tags.mpi) and not tags.slow then
            problems[#problems + 1] = ("%s:%d: #mnist, #browser and #mpi need #slow"):format(file, n)
          end
        end
      end
    end
    assert(#problems == 0, table.concat(problems, "\n"))
    assert.is_true(count > 0)
  end)
end)
