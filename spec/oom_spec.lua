-- Out of memory is an error, not a hang (issue 24): `lnn train` and `lnn
-- experiment ch6_4` under an address-space limit (ulimit -v) at a sweep of
-- limits, from one where lnn's own modules cannot all load to one where the
-- run works.  Each run must end (a timeout far above its second or so is the
-- hang limit), with status 0, or status 1 and one line saying "out of memory"
-- or "not enough memory" that names the command, no traceback and no file:line.
-- scripts/oom-sweep.sh prints the whole table.  Under the sanitizers ASan
-- reserves terabytes of address space, so ulimit -v cannot apply: pending.
local H = require "helpers"

-- seconds after which a run counts as hung; a run here takes about a second
local HANG_LIMIT = 60

local COMMANDS = {
  {prog = "lnn train", args = "train --epochs 1 --train-size 2000"},
  {prog = "lnn experiment", args = "experiment ch6_4 --epochs 1 --train-size 500 --eval-size 200 --out %s"},
}

-- limits in KiB: below 4.5 MB lnn's modules stop loading one by one (lnn.core's
-- library, then each Lua module), near 50 MB the MNIST load fails, near 60-90 MB
-- the first layers' buffers; 400 MB is enough
local LIMITS = {}
for kb = 4096, 6144, 64 do LIMITS[#LIMITS + 1] = kb end
for _, mb in ipairs {20, 50, 60, 70, 80, 400} do LIMITS[#LIMITS + 1] = mb * 1024 end

-- the interpreter's own refusal before it runs any of lnn: nothing lnn can word
local INTERPRETER = "^lua5%.4: cannot create state: not enough memory\n$"

describe("out of memory under ulimit -v #slow #process", function()
  if os.getenv("LNN_SANITIZED") == "1" then
    it("is not checked under the sanitizers", function()
      pending("LNN_SANITIZED=1: ASan reserves huge address space, so ulimit -v cannot apply")
    end)
    return
  end
  local data = H.mnist_dir()
  if not data then
    it("needs MNIST", function() pending("MNIST is missing: run scripts/setup.sh") end)
    return
  end

  for _, c in ipairs(COMMANDS) do
    it(("%s ends at every limit with success or a clear message"):format(c.prog), function()
      local dir, cleanup = H.tmpdir()
      local seen = {ok = 0, oom = 0}
      for _, kb in ipairs(LIMITS) do
        local args = c.args:format(dir .. "/out")
        local cmd = ("ulimit -v %d && LNN_DATA='%s' exec timeout -k 5 %d lua5.4 bin/lnn %s >/dev/null 2>%s/stderr")
          :format(kb, data, HANG_LIMIT, args, dir)
        local _, _, status = os.execute(cmd)
        local err = H.read_file(dir .. "/stderr")
        local what = ("%s under ulimit -v %d: status %s, stderr %q"):format(c.prog, kb, tostring(status), err)
        assert.is_true(status ~= 124 and status ~= 137, "hung (past the hang limit of " .. HANG_LIMIT .. " s): " .. what)
        assert.is_true(status == 0 or status == 1, what)
        if status == 0 then
          seen.ok = seen.ok + 1
        elseif not err:match(INTERPRETER) then
          seen.oom = seen.oom + 1
          assert.truthy(err:find("^" .. c.prog:gsub("%p", "%%%0") .. ": "), "does not name the command: " .. what)
          assert.truthy(err:find("out of memory", 1, true) or err:find("not enough memory", 1, true), what)
          assert.are.equal(1, select(2, err:gsub("\n", "")), "more than one line: " .. what)
          assert.falsy(err:find("traceback", 1, true), what)
          assert.falsy(err:find("%.lua:%d") or err:find("%.c:%d"), "names a source position: " .. what)
        end
      end
      cleanup()
      -- the sweep reaches both ends: limits that stop the run and one where it works
      assert.is_true(seen.oom > 0 and seen.ok > 0, ("%d runs worked, %d ran out of memory"):format(seen.ok, seen.oom))
    end)
  end
end)
