-- Loads while other processes save the same path.  Saves are atomic (a new
-- file renamed over the old), so a load that reads through ONE open
-- descriptor sees one whole save: every load here must succeed and hold
-- exactly what some writer saved.  Each save's content is a function of one
-- number v (writer and iteration), and its length varies from save to save,
-- so a load that mixes two saves (a header of one, the data of the next) or
-- reads one shifted is caught, not only one that fails.
local core = require "lnn.core"
local model = require "lnn.model"
local network2 = require "lnn.network2"
local json = require "lnn.json"
local H = require "helpers"

local SECONDS = tonumber(os.getenv("LNN_CONCURRENT_SECONDS") or "") or 1.5

-- the writer: lua5.4 writer.lua FORMAT PATH W; saves forever (until killed)
local WRITER = [[
package.path, package.cpath = %q, %q
local core = require "lnn.core"
local model = require "lnn.model"
local network2 = require "lnn.network2"
local json = require "lnn.json"
local format, path, w = arg[1], arg[2], tonumber(arg[3])
local net = core.Net {layers = {{kind = "dense", n_in = 20, n_out = 30, activation = "sigmoid"},
                                {kind = "dense", n_in = 30, n_out = 10, activation = "sigmoid"}}}
local net2 = network2.Network({20, 30, 10}, nil, {seed = w})
local params = net:params()
local k = 0
while true do
  k = k + 1
  local v = w * 100000 + k
  if format == "model" then
    params:fill(v)
    -- the header's length changes with every save
    model.save(path, net, {tag = v, pad = string.rep("x", (k * 37 + w) %% 200)})
  elseif format == "network2" then
    net2._net:params():fill(v + 0.5)
    net2:save(path)
  elseif format == "idx" then
    core.write_idx(path, 0x803, {100, 28, 28}, string.rep(string.char(v %% 256), 78400), k %% 10)
  elseif format == "png" then
    local width, height = 1 + (k * 7 + w) %% 40, 1 + (k * 3) %% 25
    core.write_png(path, string.rep(string.char((width * height) %% 256), width * height), width, height)
  elseif format == "metrics" then
    local m = {epochs = {}}
    for e = 1, 1 + k %% 30 do m.epochs[e] = {epoch = e, tag = v} end
    core.write_file(path, json.encode(m) .. "\n")
  end
end
]]

-- what a load of each format must find: nil when it is one writer's save, else why not
local check = {}
function check.model(path)
  local net, md = model.load(path)
  local v = tonumber(md.tag)
  if not v then return "no tag" end
  local p = net:params()
  for i = 1, p:numel() do
    if p:get(i, 1) ~= v then return ("parameter %d is %s, the header says %s"):format(i, p:get(i, 1), v) end
  end
end
function check.network2(path)
  local net = network2.load(path)
  local p = net._net:params()
  local v = p:get(1, 1)
  if v % 1 ~= 0.5 then return "not a saved value: " .. v end
  for i = 1, p:numel() do
    if p:get(i, 1) ~= v then return ("parameter %d is %s, parameter 1 is %s"):format(i, p:get(i, 1), v) end
  end
end
function check.idx(path, labels)
  local data = core.load_idx(path, labels)
  if #data ~= 100 then return #data .. " images" end
  local first = data:pixels(1):sub(1, 1)
  for i = 1, #data do
    local px = data:pixels(i)
    if px ~= string.rep(first, #px) then return "image " .. i .. " mixes two saves" end
  end
end
function check.png(path)
  local w, h, c, pix = core.read_png(path)
  if #pix ~= w * h * c then return ("%dx%dx%d image with %d bytes"):format(w, h, c, #pix) end
  if pix ~= string.rep(string.char((w * h) % 256), w * h) then return "pixels of another save" end
end
function check.metrics(path)
  local m = json.decode(core.read_file(path), path)
  local n = #m.epochs
  local tag = m.epochs[1].tag
  if n ~= 1 + (tag % 100000) % 30 then return "epochs list cut" end
  for e = 1, n do
    if m.epochs[e].epoch ~= e or m.epochs[e].tag ~= tag then return "entry " .. e .. " of another save" end
  end
end

describe("loads while other processes save the same file #slow #process", function()
  local dir, cleanup, pids
  before_each(function()
    dir, cleanup = H.tmpdir()
    pids = {}
    H.write_file(dir .. "/writer.lua", WRITER:format(package.path, package.cpath))
  end)
  after_each(function()
    for _, pid in ipairs(pids) do os.execute("kill " .. pid .. " 2>/dev/null; wait") end
    cleanup()
  end)

  local function start_writers(format, path)
    for w = 1, 2 do
      local p = io.popen(("lua5.4 %s/writer.lua %s %s %d >%s/w%d.log 2>&1 & echo $!")
        :format(dir, format, path, w, dir, w))
      pids[#pids + 1] = assert(tonumber(p:read("l")))
      p:close()
    end
    -- wait for the first save (H.HANG_LIMIT: a limit against hangs)
    local t0 = core.clock()
    while not io.open(path) do
      if core.clock() - t0 > H.HANG_LIMIT then error("no writer saved: " .. H.read_file(dir .. "/w1.log")) end
      os.execute("sleep 0.01")
    end
  end

  it("a fifo, folder or device is refused by every load at once (no read that waits for a writer)", function()
    os.execute(("mkfifo '%s/fifo' && mkdir '%s/folder'"):format(dir, dir))
    local targets = {"fifo", "folder"}
    if os.execute(("mknod '%s/dev' c 1 3 2>/dev/null"):format(dir)) then targets[3] = "dev" end
    H.write_file(dir .. "/load.lua", ([[
      package.path, package.cpath = %q, %q
      local core = require "lnn.core"
      local loads = {
        model = function(p) return require("lnn.model").load(p) end,
        network = function(p) return require("lnn.network").load(p) end,
        network2 = function(p) return require("lnn.network2").load(p) end,
        idx = function(p) return core.load_idx(p, p) end,
        png = function(p) return core.read_png(p) end,
        read_file = function(p) return core.read_file(p) end,
      }
      for _, name in ipairs {"model", "network", "network2", "idx", "png", "read_file"} do
        local ok, err = pcall(loads[name], arg[1])
        print(name, ok, err)
      end
    ]]):format(package.path, package.cpath))
    for _, t in ipairs(targets) do
      local p = io.popen(("timeout 10 lua5.4 '%s/load.lua' '%s/%s' 2>&1; echo status=$?"):format(dir, dir, t))
      local out = p:read("a")
      p:close()
      assert.truthy(out:find("status=0", 1, true), t .. ": a load blocked or crashed:\n" .. out)
      local n = 0
      for line in out:gmatch("[^\n]+") do
        if not line:find("^status") then
          n = n + 1
          assert.truthy(line:find("\tfalse\t", 1, true), t .. ": " .. line)
          assert.truthy(line:find("not a regular file", 1, true), t .. ": " .. line)
        end
      end
      assert.are.equal(6, n, out)
    end
  end)

  for _, format in ipairs {"model", "network2", "idx", "png", "metrics"} do
    it(format .. ": every load holds one writer's whole save", function()
      local path = dir .. "/target"
      local labels
      if format == "idx" then
        labels = dir .. "/labels"
        core.write_idx(labels, 0x801, {100}, string.rep("\3", 100))
      end
      start_writers(format, path)
      local t0, loads, bad = core.clock(), 0, {}
      while core.clock() - t0 < SECONDS or loads < 20 do
        loads = loads + 1
        local ok, why = pcall(check[format], path, labels)
        if not ok then why = "load failed: " .. tostring(why) end
        if why then bad[#bad + 1] = why end
        if #bad >= 5 then break end
      end
      print(("concurrent %s: %d loads in %.1f s, %d wrong"):format(format, loads, core.clock() - t0, #bad))
      assert.are.equal(0, #bad, table.concat(bad, "\n"))
      -- the writers were still writing (a dead writer would make this test vacuous)
      for w = 1, 2 do
        local log = H.read_file(("%s/w%d.log"):format(dir, w))
        assert.are.equal("", log)
      end
      assert.truthy(os.execute("kill -0 " .. pids[1]))
    end)
  end
end)
