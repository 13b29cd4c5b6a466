--- lnn darkness: mnist_average_darkness.py.  Guesses a test digit by which
-- digit's average darkness (summed pixel values over the training images) its
-- own darkness is nearest to.  The book's figure: 2225 of 10000.
-- @internal lnn.commands.darkness
local core = require "lnn.core"
local cli = require "lnn.cli"
local baselines = require "lnn.baselines"
local mnist_loader = require "lnn.mnist_loader"
local toolkit = require "lnn.commands.toolkit"

local M = {summary = "the average-darkness baseline (the book: 2225 of 10000)"}
M.flags = {
  {name = "data", kind = "string", help = "folder with the four MNIST files (.gz or raw)", arg = "DIR"},
  {name = "out", kind = "string", help = "also write the result as DIR/average_darkness.json (for the report)", arg = "DIR", check = cli.writable_folder},
}
M.about = "The average-darkness baseline of the book's chapter 1 (prints 2225 of 10000 values correct.)."

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about)
  cli.no_arguments(opts, prog)
  local training_data, _, test_data = mnist_loader.load_data(opts.data) -- an error: cli.run says it
  local t0 = core.clock()
  local avgs = baselines.avg_darknesses(training_data)
  local num_correct = baselines.guess_digits(test_data, avgs)
  local seconds = core.clock() - t0
  print("Baseline classifier using average darkness of image.")
  print(("%d of %d values correct."):format(num_correct, #test_data))
  if opts.out then
    local runinfo = require "lnn.runinfo"
    runinfo.save(opts.out, "average_darkness", {baseline = "average_darkness", correct = num_correct,
      total = #test_data, seconds = seconds, run = runinfo.describe(toolkit.command(prog, argv))})
  end
  return 0
end

return M
