--- lnn.commands.toolkit: what several of lnn's commands need and no library
-- module should hold: MNIST as a command loads it (flag errors are usage
-- errors), the peak resident memory, shell quoting, the command line a
-- result file records, and the checkpoints of the commands that resume.  Not
-- a command itself, and it requires none.
-- @internal lnn.commands.toolkit
local cli = require "lnn.cli"
local json = require "lnn.json"
local model = require "lnn.model"
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

--- checkpoint_save(path, net, face, key, state): net (face's network) with its
--- epoch and generator state, and state (a table, as JSON in the metadata
--- field key) in one lnn model file written atomically: a checkpoint that a
--- kill -9 leaves whole or not at all.
-- @tparam string path the checkpoint's file
-- @param net the network
-- @tparam string face its face ("network", "network2"), as model files name it
-- @tparam string key the metadata field of the command's state ("sweep")
-- @tparam table state what the command needs to go on
function toolkit.checkpoint_save(path, net, face, key, state)
  -- the state's numbers exact (lnn.resume's packing: lnn.json keeps float32 text)
  model.save(path, net:engine(), {face = face, epoch = net.epoch,
    rng = net.rng:state(), [key] = json.encode(require("lnn.resume").pack(state))})
end

--- checkpoint_load(prog, path, resume, face, key): nil when path does not
--- exist; else, with resume, the checkpoint's engine (lnn.core.Net), state and
--- metadata (epoch, rng), and without it the refusal a checkpoint left
--- behind gets (it is not overwritten).  A file that is no checkpoint of the
--- command (no state under key) is refused.
-- @tparam string prog the program's name in messages ("lnn sweep")
-- @tparam string path the checkpoint's file
-- @param resume whether the command's resume flag was given
-- @tparam string face the face that saved the network ("network", "network2")
-- @tparam string key the metadata field of the command's state
-- @return the engine, the state and the metadata, or nil
function toolkit.checkpoint_load(prog, path, resume, face, key)
  local f = io.open(path, "rb")
  if not f then return nil end
  f:close()
  if not resume then
    cli.refuse(prog, ("%s: a checkpoint of a run that did not finish: --resume continues it (or remove it to start "
      .. "over)"):format(path))
  end
  local ok, engine, md = pcall(model.load, path, face, "lnn." .. face .. ".load")
  local okj, state = false, nil
  if ok and type(md[key]) == "string" then okj, state = pcall(json.decode, md[key], path) end
  if okj and type(state) == "table" then state = require("lnn.resume").unpack(state) end
  if not okj or type(state) ~= "table" then
    cli.refuse(prog, ("--resume: %s is not a checkpoint of %s"):format(path, cli.invocation(prog)))
  end
  return engine, state, md
end

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
