-- bootstrap.lua: what lnn's scripts do first: refuse a Lua other than 5.4
-- and, run from a source tree, find lnn and lnn.core there (no environment
-- variables needed).  A script loads it from its own folder if it is there:
-- installed by LuaRocks, a script finds lnn on the usual paths instead.
local script = arg and arg[0] or "lnn"
if _VERSION ~= "Lua 5.4" then
  io.stderr:write(("%s: lnn needs Lua 5.4 but this is %s; run it with lua5.4"
    .. " (scripts/setup.sh makes 'lua' Lua 5.4)\n"):format(script, _VERSION))
  os.exit(1)
end
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
-- here/.. without "x/.." steps, so messages show /src/lnn/data, not /src/lnn/bin/../scripts/../data
local function normalize(path)
  local abs, parts = path:sub(1, 1) == "/", {}
  for part in path:gmatch("[^/]+") do
    if part == ".." and #parts > 0 and parts[#parts] ~= ".." then
      parts[#parts] = nil
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  local s = table.concat(parts, "/")
  if abs then return "/" .. s end
  return s == "" and "." or s
end
local root = normalize(here .. "/..")
local f = io.open(root .. "/lua/lnn/init.lua")
if f then
  f:close()
  package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
  -- LNN_BUILD_DIR picks another build of lnn.core (the sanitized one, in tests)
  package.cpath = root .. "/" .. (os.getenv("LNN_BUILD_DIR") or "build") .. "/?.so;" .. package.cpath
end
-- before scripts/setup.sh: one line saying what is missing and what builds it
do
  local okc, cli = pcall(require, "lnn.cli")
  local missing = okc and cli.core_missing()
  if missing then
    io.stderr:write(("%s: %s\n"):format(script, missing))
    os.exit(1)
  end
end
-- lnn.core refuses to load when the environment asks what it cannot do (an
-- LNN_KERNELS table this processor lacks): a usage error, said once, no traceback
local ok, err = pcall(require, "lnn.core")
if not ok and tostring(err):match("^LNN_KERNELS:") then
  io.stderr:write(("%s: %s\n"):format(script, tostring(err)))
  os.exit(2)
end
return root
