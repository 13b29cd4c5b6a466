-- signals_now_spec.lua: a command that keeps nothing between steps stops at
-- once on SIGINT or SIGTERM, inside a long C call too: lnn.cli.run installs
-- lnn's handler in its "now" mode, where the first signal does what a second
-- does in a training run.  (Lua's own SIGINT handler waits until the C call
-- returns, then raises "interrupted!": status 1 and the call's work done.)
-- Event-driven: the signal goes once the command has written its marker,
-- right before the call; the marker of the call's return must never appear.
local H = require "spec.helpers"

describe("a command stops at once on a signal, inside a long C call too #slow #process", function()
  for _, sig in ipairs {{"INT", 130}, {"TERM", 143}} do
    it("SIG" .. sig[1] .. ": status " .. sig[2] .. ", the call's work never returns", function()
      local dir, cleanup = H.tmpdir()
      local job = H.background(dir, "lua5.4 spec/support/long_call.lua " .. dir .. "/marker")
      job:wait_until(function() return io.open(dir .. "/marker") ~= nil end, "the command to reach its C call")
      assert(os.execute(("kill -%s %d"):format(sig[1], job.pid)))
      local status, out = job.status()
      assert.are.equal(sig[2], status, out)
      assert.is_nil(io.open(dir .. "/marker.done"), "the C call ran to its end before the signal acted")
      assert.is_nil(out:find("interrupted!", 1, true), out)
      cleanup()
    end)
  end

  it("catch_signals returns the mode it replaced, so each user puts it back", function()
    local core = require "lnn.core"
    local before = core.catch_signals("now")
    assert.are.equal("now", core.catch_signals(true))
    assert.are.equal(true, core.catch_signals(false))
    assert.are.equal(false, core.catch_signals(before))
    core.catch_signals(false)
    H.error_matches(function() core.catch_signals("later") end, "bad argument #1 to 'catch_signals'",
      'true, false or "now" expected, got string')
  end)
end)
