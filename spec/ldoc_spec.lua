-- The API reference: every module under lua/lnn declares itself to LDoc, every
-- public function has a doc comment naming each of its parameters and, when it
-- returns something, what it returns; `ldoc .` (config.ld) runs without a
-- single warning.  Private helpers (local functions, names starting with _)
-- are not part of the reference.
local H = require "helpers"

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
      if not text:find("\n%-%- @module [%w_.]+") then problems[#problems + 1] = file .. ": no @module" end
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
    cleanup()
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
