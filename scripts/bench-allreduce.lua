-- bench-allreduce.lua [reps]: the time of one gradient sum (comm:sum of a
-- Matrix: lnn's all-reduce, as a training step runs it) over the ranks of
-- mpirun, for 1 float and the parameter blocks of W1 (784-30-10, 95 KB), W2
-- (784-100-10, 318 KB) and W4 (the 6.4 conv net, 343 KB); rank 0 prints the
-- median and the fastest of reps calls each (default 2000, after 100 warm-up
-- calls).  Run under mpirun -np N; scripts/test-mpi-hosts.sh runs it across
-- two network-namespace hosts and within one.
do
  local boot = loadfile("scripts/bootstrap.lua")
  if boot then boot() end
end
local core = require "lnn.core"
local mpi = require "lnn.mpi"
local reps = math.tointeger(tonumber(arg[1] or "2000"))
if not reps or reps < 1 then error("bench-allreduce.lua: reps wants a positive integer, got " .. tostring(arg[1]), 0) end
local comm = mpi.init()
local sizes = {{"1 float", 1}, {"W1 parameters", 23860}, {"W2 parameters", 79510}, {"W4 parameters", 85670}}
local rows = {}
for _, s in ipairs(sizes) do
  local m = core.Matrix(s[2], 1)
  for _ = 1, 100 do comm:sum(m) end
  local t = {}
  for r = 1, reps do
    comm:barrier()
    local t0 = core.clock()
    comm:sum(m)
    t[r] = (core.clock() - t0) * 1e6
  end
  table.sort(t)
  rows[#rows + 1] = ("| %s | %d B | %.0f µs | %.0f µs |"):format(s[1], s[2] * 4, t[(reps + 1) // 2], t[1])
end
if comm:rank() == 0 then
  print(("| sum of | bytes | median (%d ranks, %d calls) | fastest |"):format(comm:size(), reps))
  print("|---|---:|---:|---:|")
  for _, r in ipairs(rows) do print(r) end
end
mpi.finalize()
