--- lnn.commands: the `lnn` command's subcommands.  Each is a module
-- lnn.commands.<name> with summary, run(argv, prog) -> exit status (and its
-- flag table); main() picks one.  Commands print and return statuses; only
-- the entry points (bin/lnn, scripts/*.lua, the root train.lua) exit.
-- @internal lnn.commands
local cli = require "lnn.cli"

local commands = {}

-- name on the command line -> module; in the order `lnn --help` lists them
commands.list = {
  {"train", "lnn.commands.train"},
  {"data", "lnn.commands.data"},
  {"expand", "lnn.commands.expand"},
  {"darkness", "lnn.commands.darkness"},
  {"svm", "lnn.commands.svm"},
  {"visualize", "lnn.commands.visualize"},
  {"experiment", "lnn.commands.experiment"},
  {"sweep", "lnn.commands.sweep"},
  {"bench", "lnn.commands.bench"},
  {"bootstrap-training", "lnn.commands.bootstrap_training"},
  {"report", "lnn.commands.report"},
  {"demo", "lnn.commands.demo"},
}

--- available(): the subcommands this installation has, as a list of
--- {name =, module =}; a module that is not installed (report, before it
--- exists) is left out.
-- @return the subcommands this installation has, as a list of {name =, module =}; a module that is
--  not installed (report, before it exists) is left out
function commands.available()
  local t = {}
  for _, c in ipairs(commands.list) do
    if package.loaded[c[2]] or package.searchpath(c[2], package.path) then
      t[#t + 1] = {name = c[1], module = c[2]}
    end
  end
  return t
end

local function overview(prog)
  local lines = {("usage: %s COMMAND [options]   (%s COMMAND --help for its flags)"):format(prog, prog), "",
                 "Neural networks for Lua 5.4 with a C core: the code of Nielsen's book.", "", "commands:"}
  for _, c in ipairs(commands.available()) do
    lines[#lines + 1] = ("  %-20s %s"):format(c.name, require(c.module).summary or "")
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = ("MNIST: `%s data` shows where it is looked for; `%s data fetch` downloads it."):format(prog, prog)
  return table.concat(lines, "\n")
end

--- main(argv, prog): runs `prog COMMAND args...`; returns the exit status.
-- @tparam {string,...} argv the arguments (arg of the entry point)
-- @tparam[opt="lnn"] string prog the program's name in messages
-- @treturn integer the exit status
function commands.main(argv, prog)
  prog = prog or "lnn"
  local name = argv[1]
  -- `lnn help CMD` is `lnn CMD --help`, as git's and luarocks's help
  if name == "help" and argv[2] ~= nil then
    argv = {argv[2], "--help"}
    name = argv[1]
  end
  if name == "--help" or name == "-h" or name == "help" then
    print(overview(prog))
    return 0
  elseif name == "--version" then
    print(("lnn %s (%s, kernels %s)"):format(require("lnn.core").version, _VERSION, require("lnn.core").simd()))
    return 0
  elseif name == nil then
    io.stderr:write(overview(prog), "\n")
    return 2
  end
  for _, c in ipairs(commands.available()) do
    if c.name == name then
      -- the module loads inside run(): a failure to load it (out of memory) is a message too
      return cli.run(function(args, p) return require(c.module).run(args, p) end, {table.unpack(argv, 2)},
        prog .. " " .. name)
    end
  end
  local names = {}
  for _, c in ipairs(commands.available()) do names[#names + 1] = c.name end
  local hint = require("lnn.args").suggest(name, names)
  io.stderr:write(("%s: unknown command '%s'%s (try %s --help)\n"):format(prog, name, hint, prog))
  return 2
end

return commands
