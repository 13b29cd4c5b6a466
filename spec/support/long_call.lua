-- long_call.lua MARKER: a command run by lnn.cli.run that writes MARKER, then
-- spends a long time inside one C call (random Fourier features of 20,000
-- items), then writes MARKER.done.  For spec/signals_now_spec.lua.
do
  local boot = loadfile("scripts/bootstrap.lua")
  if boot then boot() end
end
local cli = require "lnn.cli"
local marker = assert(arg[1], "long_call.lua: MARKER expected")
os.exit(cli.run(function()
  local core = require "lnn.core"
  local X, labels = core.Matrix(20000, 784), {}
  for i = 1, 20000 do labels[i] = i % 10 end
  local data = core.Data(X, labels, 10)
  local omega, b = core.tools.rff_map(1, 4000, 784, 0.01)
  core.write_file(marker, "in the call\n")
  core.tools.rff_features(data, omega, b)
  core.write_file(marker .. ".done", "returned\n")
  return 0
end, {}, "long_call.lua"))
