--- lnn.progress: a one-line progress bar with an ETA for terminals; on a pipe
-- or a rank of mpirun it draws nothing (unless asked), so logs keep only the
-- plain lines the scripts print.
-- @module lnn.progress
local core = require "lnn.core"

local progress = {}
local Bar = {}
Bar.__index = Bar

local function clock(s)
  s = math.floor(s + 0.5)
  if s >= 3600 then return ("%d:%02d:%02d"):format(s // 3600, s % 3600 // 60, s % 60) end
  return ("%d:%02d"):format(s // 60, s % 60)
end
progress.clock = clock

--- seconds(s): a duration as a person reads it: "0.42 s", "12.3 s", "95 s"
--- (never "0 s" for a short run).
-- @tparam number s seconds
-- @treturn string the text
-- @usage
-- assert(lnn.progress.seconds(95) == "95 s")
function progress.seconds(s)
  if s < 10 then return ("%.2f s"):format(s) end
  if s < 60 then return ("%.1f s"):format(s) end
  return ("%.0f s"):format(s)
end

--- mpi_rank(): this process's rank when it runs under mpirun (Open MPI's,
--- MPICH's or PMIx's environment says so), else nil.
-- @treturn ?integer the rank (0-based)
-- @usage
-- local rank = lnn.progress.mpi_rank()  -- nil outside mpirun
function progress.mpi_rank()
  for _, k in ipairs {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"} do
    local r = math.tointeger(tonumber(os.getenv(k) or ""))
    if r then return r end
  end
  return nil
end

--- wanted([choice]): whether to draw a bar: only where a person watches.
--- Never on a rank other than 0 of an MPI job; else choice (a command's
--- progress flag: true, its no-progress flag: false) decides; without one, a bar is
--- drawn when stdout is a terminal and the process is not under mpirun
--- (Open MPI gives every rank a pseudo-terminal, even when mpirun's own
--- output goes to a file).
-- @tparam ?boolean choice the user's choice, or nil
-- @treturn boolean true to draw
-- @usage
-- local draw = lnn.progress.wanted()  -- true on a terminal
function progress.wanted(choice)
  local rank = progress.mpi_rank()
  if rank and rank ~= 0 then return false end
  if choice ~= nil then return choice end
  return rank == nil and core.isatty(1)
end

--- new{total =, done = 0, label = "epochs", enabled = progress.wanted(), out = io.stdout}
-- @param o options table (the keys are listed above)
-- @return see above
-- @usage
-- local bar = lnn.progress.new {total = 30, label = "epochs"}
-- for epoch = 1, 30 do bar:update(epoch) end
-- bar:finish()
function progress.new(o)
  local self = setmetatable({total = o.total, done = o.done or 0, first = o.done or 0,
    label = o.label or "epochs", out = o.out or io.stdout, t0 = core.clock(), shown = false}, Bar)
  if o.enabled == nil then self.enabled = progress.wanted() else self.enabled = o.enabled end
  return self
end

--- clear(): removes the bar from the terminal line (until the next draw).
-- @usage
-- local bar = lnn.progress.new {total = 10}
-- bar:clear()
function Bar:clear()
  if self.enabled and self.shown then
    self.out:write("\r\27[K")
    self.shown = false
  end
end

--- Prints line above the bar (or plainly when there is no bar).
-- @param line a line of text
-- @usage
-- local bar = lnn.progress.new {total = 10, out = io.stderr}
-- bar:print("Epoch 0: 9087 / 10000")
function Bar:print(line)
  self:clear()
  self.out:write(line, "\n")
  self:draw()
end

--- update(done): redraws with done units finished.
-- @param done units finished
-- @usage
-- local bar = lnn.progress.new {total = 10}
-- bar:update(3)
function Bar:update(done)
  self.done = done
  self:draw()
end

--- draw(): draws the bar: done/total, elapsed time and ETA (nothing on a pipe).
-- @usage
-- local bar = lnn.progress.new {total = 10}
-- bar:draw()
function Bar:draw()
  if not self.enabled or self.finished or self.total <= 0 then return end
  local width = 30
  local frac = math.min(1, self.done / self.total)
  local filled = math.floor(frac * width + 0.5)
  local elapsed = core.clock() - self.t0
  local ran = self.done - self.first
  local eta = ran > 0 and elapsed / ran * (self.total - self.done) or nil
  self.out:write(("\r\27[K[%s%s] %d/%d %s  elapsed %s  ETA %s"):format(("#"):rep(filled),
    ("."):rep(width - filled), self.done, self.total, self.label, clock(elapsed),
    eta and clock(eta) or "?"))
  self.out:flush()
  self.shown = true
end

--- finish(): clears the bar at the end of the run; it is not drawn again
--- (lines printed through it after the run stay plain).
-- @usage
-- local bar = lnn.progress.new {total = 10}
-- bar:finish()
function Bar:finish()
  self:clear()
  self.finished = true
end

return progress
