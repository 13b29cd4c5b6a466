-- lnn.cli: command-line flags for lnn's scripts.  A script declares its flags
-- once; parse() checks names and values and returns a table, or prints a clear
-- message and exits with status 2 (usage errors), as a Unix tool does.
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

--- positive(v) / nonnegative(v): checks for use in flag declarations.
function cli.positive(v) if v <= 0 then return "must be positive" end end
function cli.nonnegative(v) if v < 0 then return "must be >= 0" end end

return cli
