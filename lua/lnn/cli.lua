--- lnn.cli: command-line flags and exit statuses for lnn's commands.  A command
-- (lua/lnn/commands/*.lua) declares its flags once; parse() checks names and
-- values and returns a table.  Nothing here exits the process: a bad flag, a
-- --help or a failure is raised as an exit object that run() turns into the
-- message and the status (2 for usage errors, 0 for a help request, 1 for failures);
-- only the entry points (bin/lnn, scripts/*.lua, train.lua) call os.exit.
-- @internal lnn.cli

-- lnn.core on first use, not at load: an entry point loads lnn.cli first, so
-- that a failure to load lnn.core (no memory left to map it) is still a message
local core = setmetatable({}, {__index = function(_, k) return require("lnn.core")[k] end})

local args_ = require "lnn.args"

local cli = {}

-- An exit raised by parse, fail or die; run() prints it and returns status.
local Exit = {}
Exit.__index = Exit
Exit.__tostring = function(e) return e.message or e.help or ("exit " .. e.status) end

local function raise(t) error(setmetatable(t, Exit), 0) end

--- invocation(prog): how a user types prog: "lnn train" stays, a script path
--- "scripts/train.lua" is run as "lua scripts/train.lua".
-- @tparam string prog the program's name as messages show it
-- @treturn string the command line that starts it
function cli.invocation(prog)
  if prog:match("%.lua$") then return "lua " .. prog end
  return prog
end

-- the folder part of a file's path, or nil for a file in the working folder
local function folder_of(path)
  local dir = path:match("^(.*)/[^/]*$")
  if dir == "" then return "/" end
  return dir
end

local function parse_value(kind, s)
  if kind == "int" then
    local v = math.tointeger(tonumber(s))
    return v, "an integer"
  elseif kind == "number" then
    local v = tonumber(s)
    if v and (v ~= v or v == math.huge or v == -math.huge) then v = nil end
    return v, "a number"
  elseif kind == "sizes" then
    local t = {}
    for part in (s .. ","):gmatch("([^,]*),") do
      local v = math.tointeger(tonumber(part))
      if not v or v < 1 then return nil, "a list of positive integers like 784,30,10" end
      t[#t + 1] = v
    end
    if #t < 2 then return nil, "at least two sizes like 784,30,10" end
    return t, ""
  else
    return s, "a value"
  end
end

--- usage(prog, flags, about [, synopsis]): the help text of a command.
-- @tparam string prog the program's name ("lnn train", "scripts/train.lua")
-- @tparam table flags the flag declarations (see parse)
-- @tparam[opt] string about what the command does
-- @tparam[opt] string synopsis what follows the name (default "[options]")
-- @treturn string the text, without a final newline
function cli.usage(prog, flags, about, synopsis)
  local lines = {("usage: %s %s"):format(cli.invocation(prog), synopsis or "[options]"), about or "", "",
                 "options:"}
  for _, f in ipairs(flags) do
    local head = "  --" .. f.name .. (f.kind ~= "flag" and (" " .. (f.arg or f.kind:upper())) or "")
    local def = f.default ~= nil and f.kind ~= "flag" and
      (" (default " .. (type(f.default) == "table" and table.concat(f.default, ",") or tostring(f.default)) .. ")") or ""
    lines[#lines + 1] = ("%-26s %s%s"):format(head, f.help, def)
  end
  lines[#lines + 1] = ("%-26s %s"):format("  --help", "show this help and exit")
  return table.concat(lines, "\n")
end

--- words(prog): the words that start prog as a user types it ({"lnn", "train"},
-- {"lua", "scripts/train.lua"}), for a command line a result file records.
-- @tparam string prog the program's name
-- @treturn {string,...} the words
function cli.words(prog)
  local t = {}
  for w in cli.invocation(prog):gmatch("%S+") do t[#t + 1] = w end
  return t
end

--- fail(prog, msg): raises a usage error: run() prints "prog: msg" and a hint
-- to the help flag, and returns status 2.
-- @tparam string prog the program's name
-- @tparam string msg what is wrong with the command line
function cli.fail(prog, msg)
  raise {status = 2, message = ("%s: %s\n(try %s --help)"):format(prog, msg, cli.invocation(prog))}
end

--- refuse(prog, msg [, said]): raises a refusal that is not a flag's fault (no
--- help hint): run() prints "prog: msg" (unless said: the caller wrote it
--- already) and returns 2.
-- @tparam string prog the program's name
-- @tparam string msg what was refused and why
-- @tparam[opt] boolean said whether the message was written already
function cli.refuse(prog, msg, said)
  raise {status = 2, message = not said and ("%s: %s"):format(prog, msg) or nil}
end

--- die(prog, msg): raises a failure: run() prints "prog: msg" and returns 1.
-- @tparam string prog the program's name
-- @param msg what went wrong (a string, or an error value)
function cli.die(prog, msg)
  raise {status = 1, message = ("%s: %s"):format(prog, cli.clean(msg))}
end

--- clean(err): an error value as a message for a user of a command: lnn raises
-- the errors a user meets with their final text (no "file.lua:N: " position);
-- require's failure to load a module is said in one line.
-- @param err an error value
-- @treturn string the message
function cli.clean(err)
  local s = tostring(err)
  -- require's "error loading module 'm' from file 'f':\n\twhy" (under a memory limit:
  -- why is "not enough memory", or the dynamic loader's failure to map the library)
  local mod, why = s:match("^error loading module '([^']*)' from file '[^']*':%s*(.-)%s*$")
  if mod then
    why = why:match("^[^\n]*")
    if why:find("failed to map segment", 1, true) then why = "not enough memory to map it (" .. why .. ")" end
    s = ("loading %s: %s"):format(mod, why)
  end
  return s
end

--- parse(args, flags, prog [, about [, synopsis]]): checks a command line.
-- flags is a list of {name =, kind = "int"|"number"|"string"|"sizes"|"flag",
-- default =, help =, arg = "NAME", check = function(v) -> err or nil}.
-- A help flag (-h) raises the usage text (run() prints it and returns 0); a bad flag or
-- value raises a usage error (status 2).
-- @tparam {string,...} args the arguments (arg of a script, without arg[0])
-- @tparam table flags the flag declarations
-- @tparam string prog the program's name, for messages
-- @tparam[opt] string about the help text's description
-- @tparam[opt] string synopsis the help text's usage line after the name
-- @treturn table the options keyed by name ('-' turned into '_'), defaults
-- filled in, plus the positional arguments in [1..n]
function cli.parse(args, flags, prog, about, synopsis)
  local byname, opts = {}, {}
  for _, f in ipairs(flags) do
    byname[f.name] = f
    opts[f.name:gsub("-", "_")] = f.default
  end
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--help" or a == "-h" then
      raise {status = 0, help = cli.usage(prog, flags, about, synopsis)}
    end
    local name, inline = a:match("^%-%-([%w%-]+)=(.*)$")
    name = name or a:match("^%-%-([%w%-]+)$")
    if name then
      local f = byname[name]
      if not f then cli.fail(prog, ("unknown option '--%s'%s"):format(name, args_.suggest(name, byname, "--"))) end
      local key = name:gsub("-", "_")
      if f.kind == "flag" then
        if inline then cli.fail(prog, ("option '--%s' takes no value"):format(name)) end
        opts[key] = true
      else
        local s = inline
        if s == nil then
          i = i + 1
          s = args[i]
          if s == nil then cli.fail(prog, ("option '--%s' needs a value"):format(name)) end
          -- `--save --metrics m.json` forgot the value: never a file named --metrics.
          -- A word that looks like an option (a dash, then not a number) is not a
          -- value; such a value is given as --save=-x
          if s:match("^%-.") and not tonumber(s) then
            cli.fail(prog, ("option '--%s' needs a value, got the option '%s' (write --%s=%s if that is the value)")
              :format(name, s, name, s))
          end
        end
        local v, what = parse_value(f.kind, s)
        if v == nil then cli.fail(prog, ("option '--%s' expects %s, got '%s'"):format(name, what, s)) end
        if f.check then
          local err = f.check(v)
          if err then cli.fail(prog, ("option '--%s': %s, got '%s'"):format(name, err, s)) end
        end
        opts[key] = v
      end
    elseif a:sub(1, 1) == "-" and #a > 1 then
      cli.fail(prog, ("unknown option '%s'"):format(a))
    else
      opts[#opts + 1] = a
    end
    i = i + 1
  end
  -- a file flag's missing folders are made, as the user named them (`--metrics
  -- results/train/mine.json`); the check above said they can be
  for _, f in ipairs(flags) do
    local v = opts[f.name:gsub("-", "_")]
    if f.check == cli.writable_file and type(v) == "string" and folder_of(v) then
      local ok, err = pcall(core.tools.mkdir, folder_of(v))
      if not ok then cli.fail(prog, ("option '--%s': %s, got '%s'"):format(f.name, cli.clean(err), v)) end
    end
  end
  return opts
end

--- no_arguments(opts, prog): a usage error if the command line held positional
-- arguments (for commands that take none).
-- @tparam table opts what parse returned
-- @tparam string prog the program's name
function cli.no_arguments(opts, prog)
  if #opts > 0 then cli.fail(prog, ("unexpected argument '%s'"):format(opts[1])) end
end

--- layer_sizes(t): a flag check (check = cli.layer_sizes): nil if a network of
-- these layer sizes is within lnn's limits (core.limits: the largest layer, the
-- layer count, the parameter count), else the complaint naming the limit.
-- Flag checks run in parse(), so a bad value is a usage error before any work.
-- @tparam {integer,...} t the layer sizes
-- @treturn ?string the complaint
function cli.layer_sizes(t)
  local L = core.limits
  if #t - 1 > L.layers then return ("at most %d layers (%d sizes)"):format(L.layers, L.layers + 1) end
  for i, n in ipairs(t) do
    if n > L.layer then
      return ("size %d is %d units; the largest layer lnn takes has %d (2^24)"):format(i, n, L.layer)
    end
  end
  -- the sizes are checked above, so the count fits an integer with room to spare
  local n = 0
  for i = 1, #t - 1 do n = n + t[i] * t[i + 1] + t[i + 1] end
  if n > L.params then
    return ("%d parameters; the largest network lnn saves and loads has %d (2^30)"):format(n, L.params)
  end
end

--- batch(n): a flag check: nil if n is a mini-batch size within lnn's limit.
-- @tparam integer n the mini-batch size
-- @treturn ?string the complaint
function cli.batch(n)
  if n < 1 then return "must be positive" end
  if n > core.limits.batch then
    return ("the largest mini-batch lnn takes is %d (2^20)"):format(core.limits.batch)
  end
end

--- threads(n): a flag check: nil if core.threads takes n.
-- @tparam integer n the thread count
-- @treturn ?string the complaint
function cli.threads(n)
  if n < 1 or n > core.limits.threads then return ("must be 1 to %d"):format(core.limits.threads) end
end

--- The threads flag, for a command's cli.parse flag list (the value goes to
--- lnn.distributed.start, which sets core.threads).
cli.threads_flag = {name = "threads", kind = "int", check = cli.threads,
  help = "threads for training and evaluation (default: the processors; same results on any count)"}

--- The progress flags, for a training command's cli.parse flag list, and
--- progress(opts): what the command gives SGD's progress option.
cli.progress_flag = {name = "progress", kind = "flag",
  help = "draw the progress bar even when stdout is no terminal, or under mpirun (rank 0)"}
cli.no_progress_flag = {name = "no-progress", kind = "flag", help = "never draw the progress bar"}

--- progress(opts): the SGD progress option a training command passes on:
--- {out = io.stdout} to draw a bar, false for none.  A bar is drawn only where
--- a person watches (lnn.progress.wanted: rank 0's stdout a terminal, not
--- under mpirun), unless the progress or no-progress flag says otherwise; the
--- quiet flag draws none.
-- @tparam table opts what parse returned
-- @tparam string prog the program's name
-- @return the option's value
function cli.progress(opts, prog)
  if opts.progress and opts.no_progress then cli.fail(prog, "--progress and --no-progress contradict each other") end
  local choice
  if opts.progress then choice = true elseif opts.no_progress or opts.quiet then choice = false end
  -- (a bar needs a real file: stdout replaced by a table, as a spec's sink, gets none)
  return require("lnn.progress").wanted(choice) and io.type(io.stdout) == "file" and {out = io.stdout} or false
end

-- why a path cannot be written, without the path in front (parse's message
-- ends with "got 'path'" already)
local function unwritable(path, kind)
  local ok, why = core.check_writable(path, kind)
  if not ok then
    if why:sub(1, #path + 2) == path .. ": " then why = why:sub(#path + 3) end
    return why
  end
end

--- writable_file(path): a flag check: nil if a save could write path (absent,
-- or a regular file or a symlink to one, in a writable folder that exists or
-- could be made with its missing parents).  Creates nothing: parse() makes
-- the missing folders once every flag is checked.
-- @tparam string path the file a command will save
-- @treturn ?string the complaint
function cli.writable_file(path)
  local why = unwritable(path, "file")
  local dir = folder_of(path)
  if why and dir and why:match("^folder .* does not exist$") then return unwritable(dir, "folder") end
  return why
end

--- writable_folder(path): a flag check: nil if path is a writable folder or
-- could be made one (with its missing parents).  Creates nothing.
-- @tparam string path the folder a command will write into
-- @treturn ?string the complaint
function cli.writable_folder(path)
  return unwritable(path, "folder")
end

--- load_network(prog, flag, path, load, accepts, takes): the network that
--- load(path) returns; a file that is not one of the kinds accepts names (a set
--- of the loader names model.which_loader gives) is the command's failure
--- saying what the file is in plain words and what flag takes; any other
--- failure of load is the command's failure too, without internal positions.
-- @tparam string prog the program's name
-- @tparam ?string flag the flag naming the file (train's load flag), or nil for an argument
-- @tparam string path the file
-- @tparam function load the loader (network.load, model.load_any)
-- @tparam table accepts the set of loader names whose files load reads
-- @tparam string takes what the flag takes, for the message
-- @return the network
function cli.load_network(prog, flag, path, load, accepts, takes)
  local loader, what = require("lnn.model").which_loader(path)
  local name = flag and (flag .. " " .. path) or path
  if what and not accepts[loader] then
    cli.die(prog, ("%s is %s; %s takes %s"):format(name, what, flag or prog, takes))
  end
  local ok, net = pcall(load, path)
  if not ok then
    local msg = cli.clean(net):gsub("^load: ", "")
    if msg:sub(1, #path + 2) == path .. ": " then msg = msg:sub(#path + 3) end
    cli.die(prog, ("%s: %s"):format(name, msg))
  end
  return net
end

--- core_missing(): nil when lnn.core (the C core, core.so) is on
--- package.cpath, else one line saying it is missing and the command that
--- builds it: scripts/setup.sh in a checkout, luarocks make for a tree.
--- The entry points (scripts/bootstrap.lua) and require "lnn" say it instead
--- of require's list of every path searched.
-- @treturn ?string the line
function cli.core_missing()
  if package.loaded["lnn.core"] or package.searchpath("lnn.core", package.cpath) then return nil end
  -- this file is ROOT/lua/lnn/cli.lua in a checkout
  local src = debug.getinfo(1, "S").source
  local root = src:match("^@(.*)/lua/lnn/[^/]*$") or (src:match("^@lua/lnn/[^/]*$") and ".")
  local setup = root and io.open(root .. "/scripts/setup.sh")
  if setup then
    setup:close()
    return ("lnn's C core (lnn.core, build/lnn/core.so) is not built yet: run %s/scripts/setup.sh")
      :format(root == "." and "." or root)
  end
  return "lnn's C core (lnn.core, lnn/core.so) is not on package.cpath: install lnn with"
    .. " luarocks --lua-version=5.4 make lnn-scm-1.rockspec, then eval \"$(luarocks --lua-version=5.4 path)\""
end

--- run(command, args, prog): runs command(args, prog) and returns its exit
-- status: what it returns (0 if nothing), 0 after a help request, 2 after a usage
-- error, 1 after any other error, whose message is printed as "prog: msg"
-- without internal file positions (LNN_DEBUG=1 prints the traceback too).
-- @tparam function command a function(args, prog) -> status
-- @tparam {string,...} args its arguments
-- @tparam string prog its name in messages
-- @treturn integer the exit status
function cli.run(command, args, prog)
  local trace
  -- SIGINT and SIGTERM stop a command at once, inside a long C call too (Lua's
  -- own SIGINT handler waits for the call to return); a training loop asks for
  -- the stop after its epoch instead (distributed's catch_signals) and puts
  -- this back when it ends.  No lnn.core (out of memory): Lua's handlers stay.
  local okc, core = pcall(require, "lnn.core")
  local before = okc and core.catch_signals("now")
  local ok, res = xpcall(command, function(e)
    if getmetatable(e) ~= Exit and os.getenv("LNN_DEBUG") == "1" then trace = debug.traceback(tostring(e), 2) end
    return e
  end, args or {}, prog)
  if okc then core.catch_signals(before) end
  io.stdout:flush()
  if ok then return math.tointeger(res) or 0 end
  if getmetatable(res) == Exit then
    if res.help then io.stdout:write(res.help, "\n") end
    if res.message then io.stderr:write(res.message, "\n") end
    return res.status
  end
  local msg = cli.clean(res)
  if msg:sub(1, #prog + 2) == prog .. ": " then msg = msg:sub(#prog + 3) end -- already names prog
  io.stderr:write(prog, ": ", msg, "\n")
  if trace then io.stderr:write(trace, "\n") end
  return 1
end

--- positive(v): a flag check: nil if v > 0, else the complaint.
-- @tparam number v the value
-- @treturn ?string the complaint
function cli.positive(v) if v <= 0 then return "must be positive" end end

--- rate(v): a flag check for a learning rate or another number the engine
--- keeps as a float32: nil if v is positive and stays positive and finite as
--- a float32, else the complaint (1e-50 would become 0, 1e50 infinity).
-- @tparam number v the value
-- @treturn ?string the complaint
function cli.rate(v)
  if not (v > 0) then return "must be positive" end
  local f = v < math.huge and string.unpack("<f", string.pack("<f", v)) or math.huge
  if not (f > 0 and f < math.huge) then return "must be a positive number a float32 holds (1.4e-45 to 3.4e38)" end
end

--- nonnegative(v): a flag check: nil if v >= 0, else the complaint.
-- @tparam number v the value
-- @treturn ?string the complaint
function cli.nonnegative(v) if v < 0 then return "must be >= 0" end end

--- self_command(args): a shell command line that runs lnn's command with the
-- given arguments in a new process of the same Lua interpreter and the same
-- module paths (for a command that measures a child, such as bench).
-- @tparam {string,...} args the arguments of lnn, e.g. {"darkness", "-h"}
-- @treturn string the command line, arguments quoted for sh
function cli.self_command(args)
  local q = require("lnn.runinfo").shell_quote
  local interp = "lua5.4"
  if arg then
    local i = -1
    while arg[i - 1] do i = i - 1 end
    if arg[i] and arg[-1] then interp = arg[i] end
  end
  -- the -e chunk runs before the (empty) script /dev/null, with arg already set
  local parts = {"LUA_PATH=" .. q(package.path), "LUA_CPATH=" .. q(package.cpath), q(interp), "-e",
                 q('os.exit(require("lnn.commands").main(arg, "lnn"), true)'), "/dev/null"}
  for _, a in ipairs(args) do parts[#parts + 1] = q(a) end
  return table.concat(parts, " ")
end

return cli
