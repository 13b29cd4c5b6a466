-- lnn.cli: command-line flags for lnn's scripts.  A script declares its flags
-- once; parse() checks names and values and returns a table, or prints a clear
-- message and exits with status 2 (usage errors), as a Unix tool does.
local core = require "lnn.core"

local cli = {}

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

local function usage(prog, flags, about)
  local lines = {("usage: lua %s [options]"):format(prog), about or "", "", "options:"}
  for _, f in ipairs(flags) do
    local head = "  --" .. f.name .. (f.kind ~= "flag" and (" " .. (f.arg or f.kind:upper())) or "")
    local def = f.default ~= nil and f.kind ~= "flag" and
      (" (default " .. (type(f.default) == "table" and table.concat(f.default, ",") or tostring(f.default)) .. ")") or ""
    lines[#lines + 1] = ("%-26s %s%s"):format(head, f.help, def)
  end
  lines[#lines + 1] = ("%-26s %s"):format("  --help", "show this help and exit")
  return table.concat(lines, "\n")
end
cli.usage = usage

local function fail(prog, msg)
  io.stderr:write(("%s: %s\n(try lua %s --help)\n"):format(prog, msg, prog))
  os.exit(2)
end

--- parse(args, flags, prog, about): flags = list of {name=, kind="int"|"number"|
--- "string"|"sizes"|"flag", default=, help=, check=function(v) -> err or nil}.
--- Returns options keyed by name with '-' turned into '_', plus positional args in [1..n].
function cli.parse(args, flags, prog, about)
  local byname, opts = {}, {}
  for _, f in ipairs(flags) do
    byname[f.name] = f
    opts[f.name:gsub("-", "_")] = f.default
  end
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--help" or a == "-h" then
      print(usage(prog, flags, about))
      os.exit(0)
    end
    local name, inline = a:match("^%-%-([%w%-]+)=(.*)$")
    name = name or a:match("^%-%-([%w%-]+)$")
    if name then
      local f = byname[name]
      if not f then fail(prog, ("unknown option '--%s'"):format(name)) end
      local key = name:gsub("-", "_")
      if f.kind == "flag" then
        if inline then fail(prog, ("option '--%s' takes no value"):format(name)) end
        opts[key] = true
      else
        local s = inline
        if s == nil then
          i = i + 1
          s = args[i]
          if s == nil then fail(prog, ("option '--%s' needs a value"):format(name)) end
        end
        local v, what = parse_value(f.kind, s)
        if v == nil then fail(prog, ("option '--%s' expects %s, got '%s'"):format(name, what, s)) end
        if f.check then
          local err = f.check(v)
          if err then fail(prog, ("option '--%s': %s, got '%s'"):format(name, err, s)) end
        end
        opts[key] = v
      end
    elseif a:sub(1, 1) == "-" and #a > 1 then
      fail(prog, ("unknown option '%s'"):format(a))
    else
      opts[#opts + 1] = a
    end
    i = i + 1
  end
  return opts
end

cli.fail = fail

--- Checks for flag declarations (check = cli.X): each returns nil when the
--- value is good, else what is wrong, which parse() reports as a usage error
--- (status 2) naming the flag -- before any data is loaded or trained on.

--- layer_sizes(t): a network of these layer sizes is within lnn's limits
--- (core.limits: the largest layer, layer count and parameter count).
function cli.layer_sizes(t)
  local L = core.limits
  if #t - 1 > L.layers then return ("at most %d layers (%d sizes)"):format(L.layers, L.layers + 1) end
  for i, n in ipairs(t) do
    if n > L.layer then
      return ("size %d is %d units; the largest layer lnn takes has %d (2^24)"):format(i, n, L.layer)
    end
  end
  local ok, n = pcall(core.net_nparams, {sizes = t})
  if not ok then return (tostring(n):gsub("^.-%(", ""):gsub("%)$", "")) end
  if n > L.params then
    return ("%d parameters; the largest network lnn saves and loads has %d (2^30)"):format(n, L.params)
  end
end

--- batch(n): a mini-batch size within lnn's limit.
function cli.batch(n)
  if n < 1 then return "must be positive" end
  if n > core.limits.batch then
    return ("the largest mini-batch lnn takes is %d (2^20)"):format(core.limits.batch)
  end
end

--- threads(n): a thread count core.threads takes.
function cli.threads(n)
  if n < 1 or n > core.limits.threads then return ("must be 1 to %d"):format(core.limits.threads) end
end

--- writable_file(path): a save could write path (absent, or a regular file or a
--- symlink to one, in an existing writable folder); creates nothing.
function cli.writable_file(path)
  local ok, why = core.check_writable(path, "file")
  if not ok then return why end
end

--- writable_folder(path): path is a writable folder or could be made one.
function cli.writable_folder(path)
  local ok, why = core.check_writable(path, "folder")
  if not ok then return why end
end

--- positive(v) / nonnegative(v): checks for use in flag declarations.
function cli.positive(v) if v <= 0 then return "must be positive" end end
function cli.nonnegative(v) if v < 0 then return "must be >= 0" end end

return cli
