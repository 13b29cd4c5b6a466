-- scripts/prelude.lua: what every lnn script does first -- refuse a Lua other
-- than 5.4 with a clear message, and find lnn and lnn.core in this source tree
-- (root/lua, root/build) so no environment is needed.  Usage, at the top:
--   assert(loadfile(((arg and arg[0] or ""):match("^(.*)/scripts/[^/]*$") or ".")
--     .. "/scripts/prelude.lua"))("name.lua")
local name = ...
if _VERSION ~= "Lua 5.4" then
  io.stderr:write(("%s: lnn needs Lua 5.4 but this is %s; run it with lua5.4"
    .. " (scripts/setup.sh makes 'lua' Lua 5.4)\n"):format(name or "lnn", _VERSION))
  os.exit(1)
end
local root = (arg and arg[0] or ""):match("^(.*)/scripts/[^/]*$") or "."
local f = io.open(root .. "/lua/lnn/init.lua")
if f then
  f:close()
  package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
  package.cpath = root .. "/build/?.so;" .. package.cpath
end
return root
