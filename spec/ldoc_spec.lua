-- The API reference: every module under lua/lnn declares itself to LDoc
-- (@module for the public ones, @internal for the machinery behind the faces
-- and the commands), every public function has a doc comment naming each of
-- its parameters and, when it returns something, what it returns; `ldoc .`
-- (config.ld) runs without a single warning, with README.md as the index
-- page.  Private helpers (local functions, names starting with _) are not part
-- of the reference.  The examples (@usage) run in spec/usage_spec.lua.
local H = require "helpers"

-- the modules of the main list: what require "lnn" gives, the baselines, and
-- the C types (docs/api); everything else under lua/lnn is @internal
local PUBLIC = {"lnn", "lnn.baselines", "lnn.json", "lnn.mnist_loader", "lnn.model", "lnn.mynet", "lnn.network",
                "lnn.network2", "lnn.network3", "lnn.plot", "lnn.progress", "lnn.reference",
                "lnn.core", "lnn.Matrix", "lnn.Data", "lnn.Rng"}

-- @param words that say nothing about the parameter
local FILLER = {"see above", "a count", "a name", "a value", "a string", "any value", "a number"}

local function files()
  local p = io.popen("ls lua/lnn/*.lua lua/lnn/commands/*.lua")
  local t = {}
  for f in p:read("a"):gmatch("[^\n]+") do t[#t + 1] = f end
  p:close()
  return t
end

-- the public functions of a file: {name, args, doc (the comment block above), returns}
local function functions(text)
  local lines = {}
  for l in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
  local out = {}
  for i, l in ipairs(lines) do
    local name, args = l:match("^function ([%w_%.:]+)%((.-)%)")
    -- public: a module's or a class's member (a bare name is a forward-declared local)
    if name and name:match("[%.:]") and not name:match("[%.:]_") then
      local doc, k = {}, i - 1
      while k >= 1 and lines[k]:match("^%-%-") do table.insert(doc, 1, lines[k]) k = k - 1 end
      local returns = l:match("%) return %S") ~= nil
      for j = i + 1, #lines do
        if lines[j]:match("^end") then break end
        if lines[j]:match("^  return %S") then returns = true end
      end
      out[#out + 1] = {name = name, args = args, doc = table.concat(doc, "\n"), returns = returns, line = i}
    end
  end
  return out
end

describe("the API reference #process", function()
  it("documents every public function of every module, with its parameters and returns", function()
    local problems, count = {}, 0
    for _, file in ipairs(files()) do
      local text = H.read_file(file)
      if not (text:find("\n%-%- @module [%w_.]+") or text:find("\n%-%- @internal [%w_.]+")) then
        problems[#problems + 1] = file .. ": no @module or @internal"
      end
      -- LDoc drops a doc block whose first line holds "--" after its dashes
      local n, prev = 0, ""
      for l in (text .. "\n"):gmatch("(.-)\n") do
        n = n + 1
        local first = not prev:match("^%-%-")
        prev = l
        if first and l:match("^%-%-%-[^-]") and l:sub(4):find("--", 1, true) then
          problems[#problems + 1] = ("%s:%d: '--' in the first line of a doc comment"):format(file, n)
        end
        for _, f in ipairs(FILLER) do
          if l:match("^%-%- @param [%w_]+ " .. f .. "$") then
            problems[#problems + 1] = ("%s:%d: @param says only '%s'"):format(file, n, f)
          end
        end
      end
      for _, f in ipairs(functions(text)) do
        local where = ("%s:%d %s"):format(file, f.line, f.name)
        if not f.doc:match("^%-%-%-") then
          problems[#problems + 1] = where .. ": no doc comment"
        else
          count = count + 1
          for a in f.args:gmatch("[%w_]+") do
            if not (f.doc:find("@param " .. a .. "%f[^%w_]") or f.doc:find("@tparam[^\n]- " .. a .. "%f[^%w_]")) then
              problems[#problems + 1] = where .. ": parameter " .. a .. " not documented"
            end
          end
          if f.returns and not (f.doc:find("@return") or f.doc:find("@treturn")) then
            problems[#problems + 1] = where .. ": returns a value, no @return"
          end
          if f.doc:find("[^-]%-%-%a") then
            problems[#problems + 1] = where .. ": '--' inside a doc comment (LDoc drops the item)"
          end
        end
      end
    end
    assert(#problems == 0, #problems .. " problems:\n" .. table.concat(problems, "\n"))
    print(("\n  %d documented public functions"):format(count))
  end)

  it("ldoc . runs without a warning", function()
    local tmp, cleanup = H.tmpdir()
    -- ldoc is not lnn: under scripts/test-sanitized.sh it runs without the ASan preload
    local p = io.popen(("env -u LD_PRELOAD ldoc -d %s . 2>&1; echo status=$?"):format(tmp))
    local out = p:read("a")
    p:close()
    local index = io.open(tmp .. "/index.html") and H.read_file(tmp .. "/index.html") or ""
    local pages = H.stdout(("cat %s/modules/*.html %s/internals/*.html %s/topics/*.html 2>/dev/null"):format(tmp, tmp, tmp))
    local listed = {}
    for kind, body in index:gmatch("<h2>(%a+)</h2>%s*<table class=\"module_list\">(.-)</table>") do
      if kind == "Modules" then
        for name in body:gmatch('<a href="modules/[^"]+">([^<]+)</a>') do listed[#listed + 1] = name end
      end
    end
    cleanup()
    table.sort(listed)
    local want = {table.unpack(PUBLIC)}
    table.sort(want)
    assert.are.same(want, listed)
    -- README.md is the index page; Markdown made every code span
    assert.truthy(index:find("<h1>lnn", 1, true), "README's title is not on the index page")
    assert.falsy(pages:find("&lt;code&gt;", 1, true), "a code span came out as text")
    -- a summary ends at the first '. ': none may end at 'e.g.'
    assert.falsy(pages:find("e%.g%.</td>"), "a summary cut at 'e.g.'")
    assert.truthy(out:find("status=0", 1, true), out)
    local warnings = {}
    for l in out:gmatch("[^\n]+") do
      if not (l:match("^reading configuration") or l:match("^output written")
              or l:match("^status=")) then
        warnings[#warnings + 1] = l
      end
    end
    assert(#warnings == 0, table.concat(warnings, "\n"))
  end)
end)
