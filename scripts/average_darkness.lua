-- average_darkness.lua: mnist_average_darkness.py.  Guesses a test digit by
-- which digit's average darkness (summed pixel values over the training
-- images) its own darkness is nearest to.  The book's figure: 2225 of 10000.
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()

local core = require "lnn.core"
local cli = require "lnn.cli"
local baselines = require "lnn.baselines"
local mnist_loader = require "lnn.mnist_loader"

local PROG = "scripts/average_darkness.lua"
local opts = cli.parse(arg, {
  {name = "data", kind = "string", help = "folder with the four MNIST files (.gz or raw)", arg = "DIR"},
  {name = "out", kind = "string", help = "also write the result as DIR/average_darkness.json (for the report)", arg = "DIR"},
}, PROG, "The average-darkness baseline of the book's chapter 1 (prints 2225 of 10000 values correct.).")
if #opts > 0 then cli.fail(PROG, ("unexpected argument '%s'"):format(opts[1])) end

local ok, training_data, _, test_data = pcall(mnist_loader.load_data, opts.data)
if not ok then
  io.stderr:write("average_darkness.lua: ", tostring(training_data), "\n")
  os.exit(1)
end
local t0 = core.clock()
local avgs = baselines.avg_darknesses(training_data)
local num_correct = baselines.guess_digits(test_data, avgs)
local seconds = core.clock() - t0
print("Baseline classifier using average darkness of image.")
print(("%d of %d values correct."):format(num_correct, #test_data))
if opts.out then
  local runinfo = require "lnn.runinfo"
  local okw, err = pcall(runinfo.save, opts.out, "average_darkness", {baseline = "average_darkness",
    correct = num_correct, total = #test_data, seconds = seconds,
    run = runinfo.describe(runinfo.command {"lua", PROG, opts.data and "--data" or nil, opts.data})})
  if not okw then
    io.stderr:write("average_darkness.lua: ", tostring(err), "\n")
    os.exit(1)
  end
end
