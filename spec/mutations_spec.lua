-- The mutation list (scripts/mutations.lua) stays in step with the code:
-- every mutation's text is found exactly once in its file, so a change to a
-- guarded line fails here and the list is brought up to date.  The harness
-- itself (scripts/mutate.lua) is not run here: it takes many minutes.
local H = require "helpers"

describe("scripts/mutations.lua #process", function()
  it("has at least 60 mutations, each text found exactly once in its file", function()
    local out, status = H.sh("lua5.4 scripts/mutate.lua --check")
    assert.are.equal(0, status, out)
    local n = tonumber(out:match("(%d+) mutations"))
    assert.is_true(n >= 60, out)
  end)
end)
