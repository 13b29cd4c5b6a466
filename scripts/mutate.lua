#!/usr/bin/env lua5.4
-- mutate.lua: mutation testing of lnn's guards.  Applies each mutation of
-- scripts/mutations.lua (a file, a text found exactly once, its replacement,
-- and why it matters) one at a time to a scratch copy of this checkout with its
-- own build, runs the specs the mutation names, and reports killed / survived.
-- Not part of CI (minutes, not seconds); it never touches this checkout.
--
-- Usage: lua5.4 scripts/mutate.lua [--only ID,ID...] [--scratch DIR] [--timeout S]
--                                  [--out FILE] [--check] [--list]
--   --only      run only these mutations (ids from the list)
--   --scratch   the scratch copy (default $TMPDIR/lnn-mutate-<checkout name>);
--               kept between runs, so a C mutation rebuilds one file, not all
--   --timeout   seconds a mutation's specs may take (default: three times
--               what they take unmutated, plus 20): a mutation that makes
--               them hang counts as killed by the timeout
--   --out       also write the table (markdown) to FILE
--   --check     only check that every pattern matches exactly once, then exit
--   --list      print the mutations (id, file, why) and exit
-- Exit status: 0 when every mutation is killed or explained as equivalent,
-- 1 when one survives unexplained (or an explained one is killed, or a mutant
-- does not build, or the unmutated specs fail), 2 for a bad list or usage.
local root = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
root = io.popen("cd '" .. root:gsub("'", "'\\''") .. "/..' && pwd"):read("l")

local function die(msg, status)
  io.stderr:write("scripts/mutate.lua: ", msg, "\n")
  os.exit(status or 2)
end

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function sh(cmd)
  local ok, _, code = os.execute(cmd)
  return ok == true, code
end

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

local function count_plain(s, find)
  local n, at = 0, 1
  while true do
    local i, j = s:find(find, at, true)
    if not i then return n end
    n, at = n + 1, j + 1
  end
end

local function now()
  local p = io.popen("date +%s.%N")
  local t = tonumber(p:read("l"))
  p:close()
  return t
end

-- arguments
local opts = {}
do
  local i = 1
  while i <= #arg do
    local a = arg[i]
    local function value()
      i = i + 1
      if arg[i] == nil then die(a .. " needs a value") end
      return arg[i]
    end
    if a == "--only" then opts.only = value()
    elseif a == "--scratch" then opts.scratch = value()
    elseif a == "--timeout" then
      opts.timeout = tonumber(value())
      if not opts.timeout or opts.timeout <= 0 then die("--timeout: seconds expected, got " .. arg[i]) end
    elseif a == "--out" then opts.out = value()
    elseif a == "--check" then opts.check = true
    elseif a == "--list" then opts.list = true
    elseif a == "--help" or a == "-h" then
      local usage = read(root .. "/scripts/mutate.lua"):match("^.-\n(%-%- Usage.-)\nlocal")
      io.write((("\n" .. usage):gsub("\n%-%- ?", "\n"):sub(2)), "\n")
      os.exit(0)
    else die(("unknown argument '%s' (--help for the usage)"):format(a)) end
    i = i + 1
  end
end

-- the list, checked before anything runs: a mutation whose text is not found
-- exactly once is an error, never a silent skip
local list_path = root .. "/scripts/mutations.lua"
local ok, mutations = pcall(dofile, list_path)
if not ok or type(mutations) ~= "table" then die("cannot read " .. list_path .. ": " .. tostring(mutations)) end
do
  local problems, seen = {}, {}
  for k, m in ipairs(mutations) do
    local where = ("mutation %d (%s)"):format(k, tostring(m.id))
    local function bad(msg) problems[#problems + 1] = where .. ": " .. msg end
    for _, field in ipairs {"id", "file", "find", "why"} do
      if type(m[field]) ~= "string" or m[field] == "" then bad(field .. " must be a non-empty string") end
    end
    if type(m.replace) ~= "string" then bad("replace must be a string") end
    if m.id and seen[m.id] then bad("id used twice") end
    if m.id then seen[m.id] = true end
    if type(m.specs) ~= "table" or #m.specs == 0 then bad("specs must list spec files") end
    for _, s in ipairs(type(m.specs) == "table" and m.specs or {}) do
      if not read(root .. "/" .. s) then bad("no spec file " .. s) end
    end
    if m.file and m.find then
      local src = read(root .. "/" .. m.file)
      if not src then bad("no file " .. m.file)
      else
        local n = count_plain(src, m.find)
        if n ~= 1 then bad(("the text is found %d times in %s, expected exactly once:\n    %s"):format(n, m.file, m.find)) end
      end
    end
    if m.find == m.replace then bad("the replacement is the text itself") end
  end
  if #problems > 0 then die("scripts/mutations.lua is out of date:\n  " .. table.concat(problems, "\n  ")) end
end

if opts.only then
  local want, chosen = {}, {}
  for id in opts.only:gmatch("[^,]+") do want[id] = true end
  for _, m in ipairs(mutations) do
    if want[m.id] then chosen[#chosen + 1] = m; want[m.id] = nil end
  end
  local unknown = next(want)
  if unknown then die(("--only: no mutation '%s' (--list shows them)"):format(unknown)) end
  mutations = chosen
end

if opts.list then
  for _, m in ipairs(mutations) do
    io.write(("%-28s %-28s %s\n"):format(m.id, m.file, m.why))
  end
  os.exit(0)
end
if opts.check then
  print(("scripts/mutations.lua: %d mutations, each text found exactly once"):format(#mutations))
  os.exit(0)
end

-- the scratch copy: the checkout's tracked and new files (as they are in the
-- working tree, modification times kept, so an unchanged C file is not
-- rebuilt), MNIST linked in, and its own build/
local scratch = opts.scratch or ((os.getenv("TMPDIR") or "/tmp") .. "/lnn-mutate-" .. root:match("([^/]+)/*$"))
local log = scratch .. "/mutate.log"
-- the files a run has mutated (one per line): restored as text when their
-- mutation ends, but a C file's objects may still be a mutant's (the last one
-- a run rebuilt, or one a stopped run left), and the next copy brings back
-- the checkout's older modification time, so make would keep them: the next
-- run touches every file listed here after the copy, and clears the list
local dirty = scratch .. "/.mutant"
assert(sh("mkdir -p " .. q(scratch)))
if not sh(("cd %s && git ls-files -z -c -o --exclude-standard | tar --null -T - -cf - | (cd %s && tar -xf -)")
    :format(q(root), q(scratch))) then
  die("copying the checkout to " .. scratch .. " failed")
end
local mutated = {} -- file -> true: already in the list
for file in (read(dirty) or ""):gmatch("[^\n]+") do
  sh("touch " .. q(scratch .. "/" .. file)) -- restored by the copy, but its objects may be a mutant's
end
os.remove(dirty)
sh(("cd %s && for f in %s/data/*-ubyte*; do [ -e data/$(basename $f) ] || ln -s $f data/; done")
  :format(q(scratch), q(root)))

local function build()
  if not read(scratch .. "/build/CMakeCache.txt") then
    if not sh(("cmake -S %s -B %s/build -DCMAKE_BUILD_TYPE=Release >>%s 2>&1"):format(q(scratch), q(scratch), q(log))) then
      return false
    end
  end
  return sh(("cmake --build %s/build -j 2 >>%s 2>&1"):format(q(scratch), q(log)))
end

-- the ASan build scripts/test-sanitized.sh uses, built here so that its time
-- is not counted against the specs' timeout
local function build_asan()
  if not read(scratch .. "/build-asan/CMakeCache.txt") then
    if not sh(("cd %s && CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLNN_SANITIZE=ON -DLNN_WERROR=ON >>%s 2>&1")
        :format(q(scratch), q(log))) then
      return false
    end
  end
  return sh(("cmake --build %s/build-asan -j 2 >>%s 2>&1"):format(q(scratch), q(log)))
end

-- runs specs in the scratch copy: "pass", "fail", "timeout" or "crash"
-- (no summary line), and the seconds taken
local function run_specs(m, out, limit)
  local files = {}
  for _, s in ipairs(m.specs) do files[#files + 1] = q(s) end
  local filter = m.filter and (" --filter " .. q(m.filter)) or ""
  -- sanitized: an out-of-bounds access that changes no result is still caught
  -- (ASan + UBSan build of the scratch copy, build-asan/, as CI's own run)
  local runner = m.sanitized and "scripts/test-sanitized.sh" or "lua5.4 /usr/bin/busted"
  local t0 = now()
  local _, code = sh(("cd %s && timeout -k 10 %d %s%s %s >%s 2>&1 </dev/null")
    :format(q(scratch), math.ceil(limit), runner, filter, table.concat(files, " "), q(out)))
  local seconds = now() - t0
  if code == 124 or code == 137 then return "timeout", seconds end
  local text = read(out) or ""
  local passed, failed
  for p, f in text:gmatch("\n(%d+) passed, (%d+) failed") do passed, failed = tonumber(p), tonumber(f) end
  if not passed then return "crash", seconds end
  if failed > 0 or code ~= 0 then return "fail", seconds end
  if passed == 0 then return "crash", seconds end
  return "pass", seconds
end

io.write(("scratch copy %s (log %s)\n"):format(scratch, log))
io.write("building the unmutated copy ... ")
io.flush()
local any_sanitized = false
for _, m in ipairs(mutations) do any_sanitized = any_sanitized or m.sanitized end
if not build() or (any_sanitized and not build_asan()) then
  die("the unmutated scratch copy does not build; see " .. log, 1)
end
io.write("done\n")

-- every spec set must pass unmutated first, or a failure proves nothing
local baseline, failed_baseline = {}, {}
local function key_of(m)
  return (m.sanitized and "(sanitized) " or "") .. table.concat(m.specs, " ") .. (m.filter and (" --filter " .. m.filter) or "")
end
for _, m in ipairs(mutations) do
  local key = key_of(m)
  if baseline[key] == nil then
    io.write(("unmutated: %s ... "):format(key))
    io.flush()
    local verdict, seconds = run_specs(m, scratch .. "/baseline.out", opts.timeout or 600)
    baseline[key] = seconds
    io.write(("%s (%.1f s)\n"):format(verdict, seconds))
    if verdict ~= "pass" then
      failed_baseline[#failed_baseline + 1] = key
      sh(("cp %s %s"):format(q(scratch .. "/baseline.out"), q(scratch .. "/baseline-failed.out")))
    end
  end
end
if #failed_baseline > 0 then
  die("these specs fail without any mutation (see " .. scratch .. "/baseline-failed.out):\n  "
    .. table.concat(failed_baseline, "\n  "), 1)
end

local rows, counts, t_start = {}, {killed = 0, survived = 0, equivalent = 0, problem = 0}, now()
for k, m in ipairs(mutations) do
  local path = scratch .. "/" .. m.file
  local original = assert(read(path))
  local i, j = original:find(m.find, 1, true)
  local mutant = original:sub(1, i - 1) .. m.replace .. original:sub(j + 1)
  if not mutated[m.file] then
    mutated[m.file] = true
    local list = assert(io.open(dirty, "a"))
    list:write(m.file, "\n")
    list:close()
  end
  write(path, mutant)
  io.write(("[%d/%d] %s ... "):format(k, #mutations, m.id))
  io.flush()
  local verdict, seconds
  if m.file:match("%.[ch]$") and not (build() and (not m.sanitized or build_asan())) then
    verdict, seconds = "build", 0
  else
    verdict, seconds = run_specs(m, ("%s/%s.out"):format(scratch, m.id),
      m.timeout or opts.timeout or 3 * baseline[key_of(m)] + 20)
  end
  write(path, original)
  local result
  if verdict == "build" then
    result, counts.problem = "PROBLEM: the mutant does not build (see " .. log .. ")", counts.problem + 1
  elseif verdict == "pass" then
    if m.equivalent then
      result, counts.equivalent = "survived: equivalent (" .. m.equivalent .. ")", counts.equivalent + 1
    else
      result, counts.survived = "SURVIVED", counts.survived + 1
    end
  else
    local how = ({fail = "killed", timeout = "killed (timeout)", crash = "killed (crash: no summary)"})[verdict]
    if m.equivalent then
      result, counts.problem = "PROBLEM: " .. how .. ", but the list calls it equivalent", counts.problem + 1
    else
      result, counts.killed = how, counts.killed + 1
    end
  end
  io.write(("%s (%.1f s)\n"):format(result, seconds))
  rows[#rows + 1] = {m = m, result = result, seconds = seconds}
end
-- leave the scratch build unmutated
if not build() then io.stderr:write("scripts/mutate.lua: rebuilding the restored copy failed; see ", log, "\n") end

local out = {}
out[#out + 1] = "| mutation | file | guards | result | s |"
out[#out + 1] = "|---|---|---|---|---|"
for _, r in ipairs(rows) do
  out[#out + 1] = ("| %s | %s | %s | %s | %.0f |"):format(r.m.id, r.m.file, r.m.why:gsub("|", "\\|"),
    r.result:gsub("|", "\\|"), r.seconds)
end
out[#out + 1] = ""
out[#out + 1] = ("%d mutations: %d killed, %d survived (%d of them equivalent, explained in the list), %d problems; %.0f s")
  :format(#rows, counts.killed, counts.survived + counts.equivalent, counts.equivalent, counts.problem, now() - t_start)
local text = table.concat(out, "\n") .. "\n"
io.write("\n", text)
if opts.out then write(opts.out, text) end
os.exit((counts.survived > 0 or counts.problem > 0) and 1 or 0)
