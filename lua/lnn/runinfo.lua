--- lnn.runinfo: where and how a result was made: lnn's version, the kernels,
-- the thread count, the machine (CPU model, cores, system), the date and the
-- command -- so a results file says what produced it and the report can show
-- it.  Reads /proc and /etc only; never runs a program, never fails: what it
-- cannot read it leaves out.
-- @internal lnn.runinfo
local core = require "lnn.core"

local R = {}

local function first_line(path, pattern)
  local f = io.open(path)
  if not f then return nil end
  for line in f:lines() do
    local v = line:match(pattern)
    if v then f:close() return v end
  end
  f:close()
  return nil
end

local machine
--- machine(): one line describing this computer (cached), such as "AMD EPYC,
--- 2 cores, Debian GNU/Linux 12 (bookworm)".
-- @return the line
function R.machine()
  if machine then return machine end
  local cpu = first_line("/proc/cpuinfo", "^model name%s*:%s*(.-)%s*$")
  local cores = 0
  local f = io.open("/proc/cpuinfo")
  if f then
    for line in f:lines() do if line:match("^processor%s*:") then cores = cores + 1 end end
    f:close()
  end
  local os_name = first_line("/etc/os-release", '^PRETTY_NAME="?(.-)"?$')
  local parts = {}
  parts[#parts + 1] = cpu or "unknown CPU"
  if cores > 0 then parts[#parts + 1] = ("%d core%s"):format(cores, cores == 1 and "" or "s") end
  if os_name then parts[#parts + 1] = os_name end
  machine = table.concat(parts, ", ")
  return machine
end

--- describe([command]): a table for a results file: lnn (version), kernels,
--- threads (training and evaluation), machine, date (UTC, ISO 8601) and command (when given:
--- the command line that reproduces the result).
-- @param command the words of the command line that made the result (optional)
-- @return a table for a results file: lnn (version), kernels, threads, machine, date
--  (UTC, ISO 8601) and command (when given: the command line that reproduces the result)
function R.describe(command)
  return {lnn = core.version, kernels = core.simd(), threads = core.threads(), machine = R.machine(),
          date = os.date("!%Y-%m-%dT%H:%M:%SZ"), command = command}
end

--- shell_quote(s): s as one word for sh (left bare when it needs no quotes).
-- @param s the word to quote
-- @return s as one word for sh (left bare when it needs no quotes)
function R.shell_quote(s)
  s = tostring(s)
  if s:match("^[%w%-%./_=,:+@]+$") then return s end
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

--- command(words): the words joined into a command line, quoted for sh.
-- @param words the command's words, a list of strings
-- @return the words joined into a command line, quoted for sh
function R.command(words)
  local t = {}
  for i, w in ipairs(words) do t[i] = R.shell_quote(w) end
  return table.concat(t, " ")
end

--- save(dir, name, result): writes result (a table) as dir/name.json,
--- making dir if needed; returns the file's path.
-- @param dir the results folder
-- @param name the file's name without .json
-- @param result the table to write
-- @return the file's path
function R.save(dir, name, result)
  local json = require "lnn.json"
  core.tools.mkdir(dir)
  local path = ("%s/%s.json"):format(dir, name)
  core.write_file(path, json.encode(result) .. "\n")
  return path
end

return R
