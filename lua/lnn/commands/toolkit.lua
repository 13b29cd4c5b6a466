--- lnn.commands.toolkit: what several of lnn's commands need and no library
-- module should hold: MNIST as a command loads it (flag errors are usage
-- errors), the peak resident memory, shell quoting, and the command line a
-- result file records.  Not a command itself, and it requires none.
-- @internal lnn.commands.toolkit
local cli = require "lnn.cli"
local mnist_loader = require "lnn.mnist_loader"
local runinfo = require "lnn.runinfo"

local toolkit = {}

--- sigmoid_loads: the files a network.py network continues from (lnn train
--- --load, lnn bootstrap-training --previous): network.py's (lnn train --save,
--- --backups) and mynet.py's; sigmoid_takes says so in a message.
toolkit.sigmoid_loads = {["lnn.network.load"] = true, ["lnn.mynet.load"] = true}
toolkit.sigmoid_takes = "a network saved by lnn train --save or --backups"

--- load_data(prog, opts): load_data_wrapper(opts.data), the training set cut
--- to the train_size option; a missing data set or a bad size is the command's error.
-- @tparam string prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @tparam table opts the parsed flags (data, train_size)
-- @return the training, validation and test sets
function toolkit.load_data(prog, opts)
  local training_data, validation_data, test_data = mnist_loader.load_data_wrapper(opts.data) -- an error: cli.run says it
  if opts.train_size then
    if opts.train_size > #training_data then
      cli.fail(prog, ("option '--train-size': at most %d, got '%d'"):format(#training_data, opts.train_size))
    end
    training_data = training_data:slice(1, opts.train_size)
  end
  return training_data, validation_data, test_data
end

--- peak_rss_kb(): this process's peak resident memory (VmHWM) in kB, or nil.
-- @treturn ?integer the peak in kB
function toolkit.peak_rss_kb()
  local f = io.open("/proc/self/status")
  local hwm = f and f:read("a"):match("VmHWM:%s*(%d+) kB")
  if f then f:close() end
  return tonumber(hwm)
end

--- quote(s): s as one word for sh (runinfo.shell_quote: bare when it needs no quotes).
-- @param s a string (or a value tostring gives one of)
-- @treturn string the word
toolkit.quote = runinfo.shell_quote

--- command(prog, argv): the command line that ran: prog's words as a user types
--- them and the arguments as they were given, quoted for sh (what a result
--- file records in run.command).
-- @tparam string prog the program's name ("lnn train", "scripts/train.lua")
-- @tparam {string,...} argv the command's arguments
-- @treturn string the command line
function toolkit.command(prog, argv)
  local words = cli.words(prog)
  for _, a in ipairs(argv) do words[#words + 1] = a end
  return runinfo.command(words)
end

return toolkit
