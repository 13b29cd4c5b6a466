-- spec/usage_spec.lua: every @usage example of the reference runs.  The
-- public modules (lua/lnn/*.lua declared with @module) and the C types'
-- pages (docs/api/*.lua) give each public function a short example; each is
-- run here as a chunk of its own, with `lnn` (require "lnn") in scope, so an
-- example cannot drift from the code (those that read MNIST are #slow #mnist).
-- The Lua blocks of the guides in docs/ run too.  A public function without
-- an example is a failure.
local H = require "helpers"

-- the doc blocks of a file: {line = first line, text = the lines without
-- their comment dashes, follows = the code line after the block}
local function blocks(path)
  local lines, out = {}, {}
  for l in io.lines(path) do lines[#lines + 1] = l end
  local i = 1
  while i <= #lines do
    if lines[i]:match("^%-%-%-") then
      local b = {line = i, text = {}}
      while i <= #lines and lines[i]:match("^%-%-") do
        b.text[#b.text + 1] = lines[i]:gsub("^%-%-%-? ?", "")
        i = i + 1
      end
      b.follows = lines[i] or ""
      out[#out + 1] = b
    else
      i = i + 1
    end
  end
  return out
end

-- the example of a block: the @usage line's rest and the lines up to the next tag
local function usage(b)
  local code, inside = {}, false
  for _, l in ipairs(b.text) do
    if l:match("^@usage") then
      inside = true
      code[#code + 1] = l:gsub("^@usage%s?", "")
    elseif inside and l:match("^@%a") then
      break
    elseif inside then
      code[#code + 1] = l
    end
  end
  return inside and table.concat(code, "\n") or nil
end

local function listing(cmd)
  local t = {}
  for f in H.stdout(cmd):gmatch("[^\n]+") do t[#t + 1] = f end
  return t
end

-- public files: docs/api/*.lua and the lua/lnn modules declared with @module
local files = listing("ls docs/api/*.lua")
for _, f in ipairs(listing("ls lua/lnn/*.lua lua/lnn/commands/*.lua")) do
  if H.read_file(f):find("\n%-%- @module ") then files[#files + 1] = f end
end

describe("the reference's @usage examples", function()
  local examples, missing = {}, {}
  for _, f in ipairs(files) do
    for _, b in ipairs(blocks(f)) do
      local code = usage(b)
      -- a public item: a member function after the block, or an @function/@field/@table of docs/api
      local name = b.follows:match("^function ([%w_]+[.:][%w_]+)%(")
      for _, l in ipairs(b.text) do
        name = name or l:match("^@function ([%w_:.]+)") or l:match("^@field ([%w_]+)") or l:match("^@table ([%w_]+)")
      end
      if name and name:match("[.:]_") then name = nil end
      if code then
        examples[#examples + 1] = {where = ("%s:%d %s"):format(f, b.line, name or "(module)"), code = code}
      elseif name then
        missing[#missing + 1] = ("%s:%d %s"):format(f, b.line, name)
      end
    end
  end

  -- the guides' Lua blocks (docs/data.md, files.md, report.md), each guide in
  -- one chunk, its blocks in order: they read MNIST, so they are #slow #mnist
  for _, guide in ipairs {"docs/data.md", "docs/files.md", "docs/report.md"} do
    local blocks_ = {}
    for code in H.read_file(guide):gmatch("```lua\n(.-)```") do blocks_[#blocks_ + 1] = "do\n" .. code .. "end" end
    if #blocks_ > 0 then
      examples[#examples + 1] = {where = guide, code = table.concat(blocks_, "\n"), guide = true}
    end
  end

  it(("cover every public function (%d examples)"):format(#examples), function()
    assert(#missing == 0, #missing .. " public functions without @usage:\n" .. table.concat(missing, "\n"))
    assert.is_true(#examples > 100)
  end)

  for _, e in ipairs(examples) do
    -- an example that reads MNIST belongs to the slow specs (README's "Testing")
    local tags = (e.guide or e.code:find("load_data") or e.code:find("mnist_loader.find()", 1, true)) and " #slow #mnist" or ""
    it("run: " .. e.where .. tags, function()
      if tags ~= "" then
        -- in a child lua, where the loader's search finds the suite's MNIST
        -- (H.mnist_dir: LNN_DATA, else the checkout's data/)
        local dir, cleanup = H.tmpdir()
        H.write_file(dir .. "/example.lua", ('package.path = "lua/?.lua;lua/?/init.lua;" .. package.path\n'
          .. 'package.cpath = %q .. package.cpath\nlnn = require "lnn"\n'):format((os.getenv("LNN_BUILD_DIR") or "build") .. "/?.so;")
          .. e.code)
        local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
        if not data:match("^/") then data = H.ROOT .. "/" .. data end
        local out, status = H.sh(("LNN_DATA=%s lua5.4 %s/example.lua"):format(H.q(data), dir))
        cleanup()
        assert(status == 0, out .. "\n" .. e.code)
        return
      end
      local env = setmetatable({lnn = require "lnn"}, {__index = _G})
      local chunk, err = load(e.code, "=" .. e.where, "t", env)
      assert(chunk, err)
      -- an example prints for a reader; here it prints into nothing
      local print_ = _G.print
      _G.print = function() end
      local ok, msg = pcall(chunk)
      _G.print = print_
      assert(ok, tostring(msg) .. "\n" .. e.code)
    end)
  end
end)
