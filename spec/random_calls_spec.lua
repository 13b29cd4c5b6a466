-- Random calls of lnn's public Lua API: a seeded generator composes calls of
-- every public function (lnn.core, its tools, the methods of Matrix, Rng,
-- Data and Net, and the faces network, network2, network3, mynet, the base
-- lnn.face, model, json, mnist_loader) with arguments drawn from valid and invalid values: other lnn
-- objects, views (also of collected owners), huge, tiny and non-finite
-- numbers, odd tables and strings, callbacks that raise.  Results feed later
-- calls.  Every call must return or raise a Lua error whose value is a
-- string; a crash or a sanitizer report ends the run (CI runs this under
-- ASan + UBSan: scripts/test-sanitized.sh).
--
-- A second part runs every command module (lnn.commands.*) on random
-- command lines (see below).
--
-- LNN_RANDOM_SECONDS (default 3) bounds each part; LNN_RANDOM_SEED replays one
-- (the seed is printed, with calls per second and the total).
local core = require "lnn.core"
local H = require "helpers"

local SECONDS = tonumber(os.getenv("LNN_RANDOM_SECONDS") or "") or 3
local SEED = tonumber(os.getenv("LNN_RANDOM_SEED") or "") or (os.time() % 1000000)

local modules = {
  network = require "lnn.network", network2 = require "lnn.network2",
  network3 = require "lnn.network3", model = require "lnn.model", json = require "lnn.json",
  mnist_loader = require "lnn.mnist_loader", mynet = require "lnn.mynet", face = require "lnn.face",
}
-- would load the real MNIST (seconds and hundreds of MB a call) or end the
-- process; face.sigmoid_net builds the network it is given, as the faces do
-- after checking the sizes: the numbers here include 2^20 and 2^24, so one
-- call may fill up to 2^30 parameters (91 s and the machine's memory under
-- AddressSanitizer, whose quarantine keeps what is freed: CI's sanitized run
-- was killed)
local SKIP = {["mnist_loader.load_data"] = true, ["mnist_loader.load_data_wrapper"] = true,
              ["mnist_loader.load_expanded"] = true, ["mnist_loader.default_dir"] = true,
              ["face.sigmoid_net"] = true}
-- functions that write the file named by an argument (true: the first, after a
-- method's self; a number: that argument): it always gets a scratch path
local WRITES = {write_file = true, write_png = true, write_idx = true, write_model = true,
                ["tools.mkdir"] = true, ["tools.write_idx_pair"] = true, ["model.save"] = true, save = true, write = true,
                write_sheet = true, write_confusion_png = true, backups_folder = true,
                vectorToImage = 2, ["model.export"] = 2}

-- the names in the working folder (the checkout), which must gain no file
local function listing()
  local t = {}
  for name in io.popen("ls -A"):lines() do t[name] = true end
  return t
end

describe("random calls of the public API #slow #process", function()
  it(("never crash nor raise a non-string error (%g s)"):format(SECONDS), function()
    local dir, cleanup = H.tmpdir()
    -- the working folder (the checkout) must gain no file: writers get scratch paths
    local before = listing()
    local threads0 = core.threads()
    -- mynet's networks keep backups in ./backups unless told otherwise
    local backups0 = modules.mynet.default_backupDir
    modules.mynet.default_backupDir = dir .. "/backups"
    local rng = core.Rng(SEED)
    local function pick(t) return t[rng:random(#t)] end
    local nan, inf = 0 / 0, math.huge

    -- the functions: {name, function, is_method}
    local funcs = {}
    for k, v in pairs(core) do if type(v) == "function" then funcs[#funcs + 1] = {k, v} end end
    for k, v in pairs(core.tools) do funcs[#funcs + 1] = {"tools." .. k, v} end
    local samples = {Matrix = core.Matrix(2, 2), Rng = core.Rng(1), Data = core.Data({{1, 2}}, {0}),
                     Net = core.Net {sizes = {2, 3, 2}}}
    for tname, obj in pairs(samples) do
      local mt = getmetatable(obj)
      local idx = type(mt.__index) == "table" and mt.__index or mt
      for k, v in pairs(idx) do
        if type(v) == "function" and k ~= "__gc" and k ~= "__close" then funcs[#funcs + 1] = {tname .. ":" .. k, v, true} end
      end
    end
    for mname, m in pairs(modules) do
      for k, v in pairs(m) do
        local name = mname .. "." .. k
        if type(v) == "function" and not SKIP[name] then funcs[#funcs + 1] = {name, v} end
      end
      for _, methods in ipairs {m.Network_methods or {}, m.Ensemble_methods or {}, mname == "face" and m.methods or {}} do
        for k, v in pairs(methods) do
          if type(v) == "function" and not k:match("^__") then funcs[#funcs + 1] = {mname .. ":" .. k, v, true} end
        end
      end
    end
    table.sort(funcs, function(a, b) return a[1] < b[1] end) -- pairs order must not decide the run

    -- the values: a growing pool, seeded with every kind
    local numbers = {0, 1, 2, 3, -1, 10, 0.5, -0.5, 1e-40, 784, 2^31, 2^53, 1e300, -1e300,
                     math.maxinteger, math.mininteger, nan, inf, -inf, 255, 256, 1 << 24, 1 << 20}
    local strings = {"", "x", "sigmoid", "relu", "rows", "column", "dense", "quadratic",
                     dir .. "/f", dir .. "/none", dir, "/dev/null", ("a"):rep(1000), "\0", "1,2"}
    local pool = {}
    local function add(v) if v ~= nil then pool[#pool + 1] = v; if #pool > 400 then table.remove(pool, rng:random(400)) end end end
    local function fresh()
      local m = core.Matrix(rng:random(4), rng:random(4), rng:uniform())
      add(m)
      add(m:view(1, 1, 1))
      do -- a view whose owner is gone (the view keeps it alive, or refuses)
        local owner = core.Matrix(3, 3, 1)
        add(owner:view(2, 2, 1))
      end
      add(core.Rng(rng:random(100)))
      add(core.Data({{0.5, 0.25}, {1, 0}}, {0, 1}))
      add(core.Data({{0.5, 0.25}, {1, 0}}, {{1, 0}, {0, 1}}))
      local n = core.Net {sizes = {2, 3, 2}}
      add(n)
      add(n:params())
      add(modules.network.Network({2, 3, 2}, {seed = 1}))
      add(modules.network2.Network({2, 3, 2}, nil, {seed = 1}))
      local N3 = modules.network3
      add(N3.Network({N3.FullyConnectedLayer {n_in = 2, n_out = 3}, N3.SoftmaxLayer {n_in = 3, n_out = 2}}, 1))
      add(modules.mynet.Network({2, 3, 2}, {seed = 1}))
      add({fname = "f", data = core.Data({{0.5, 0.25}}, {0}), sgd = {eta = 1}, count = 1, first = 0, base = 0})
      add({2, 3, 2})
      add({{0.5, 0.5}, {1, 0}})
      add({sizes = {2, 2}})
      add({})
      add(setmetatable({}, {__index = function() error("metamethod raised") end}))
      add(function() error("callback raised") end)
      add(function(...) return ... end)
      add(true)
      add(false)
      add(io.stderr)
      add(coroutine.create(function() end))
      collectgarbage()
    end
    local function value()
      local r = rng:random(10)
      if r <= 3 then return pick(numbers) elseif r <= 5 then return pick(strings)
      elseif r == 6 then return nil
      elseif r == 7 then -- a table of numbers (sizes, rows, options ...)
        local t = {}
        for i = 1, rng:random(4) - 1 do t[i] = pick(numbers) end
        return t
      else return #pool > 0 and pool[rng:random(#pool)] or 1 end
    end

    local real_print = _G.print
    _G.print = function() end -- faces print epochs; the calls are what is tested
    local calls, succeeded, bad = 0, 0, {}
    local slowest = {0, ""}
    local t0 = core.clock()
    local ok_run, run_err = pcall(function()
      while core.clock() - t0 < SECONDS and #bad < 10 do
        if calls % 200 == 0 then fresh() end
        local f = pick(funcs)
        local args, n = {}, rng:random(6) - 1
        for i = 1, n do args[i] = value() end
        if f[3] and rng:random(4) > 1 then -- usually a method on an object of its own kind
          for _, v in ipairs(pool) do
            local has = type(v) == "table" and select(2, pcall(function() return v[f[1]:match(":(.*)$")] end))
            if (type(v) == "userdata" and tostring(v):find("^lnn%." .. f[1]:match("^[^:]+"))) or has == f[2] then
              args[1] = v
              if rng:random(3) == 1 then break end
            end
          end
        end
        local writes = WRITES[f[1]] or WRITES[f[1]:match("[:.]([%w_]+)$")]
        if writes then
          -- never outside the scratch folder (a number is a file name to
          -- luaL_checkstring): the path is argument 1, or 2 after a method's self
          local at = math.type(writes) == "integer" and writes or f[3] and 2 or 1
          args[at] = dir .. "/w"
          n = math.max(n, at)
        end
        -- a budget of instructions for Lua code, so a huge epoch count ends
        debug.sethook(function() error("random_calls: budget spent") end, "", 1e7)
        local t1 = core.clock()
        local res = table.pack(pcall(f[2], table.unpack(args, 1, math.max(n, 1))))
        debug.sethook()
        if core.clock() - t1 > slowest[1] then
          local shown = {}
          for i = 1, math.max(n, 1) do shown[i] = type(args[i]) == "string" and ("%q"):format(args[i]:sub(1, 40))
                                                 or tostring(args[i]) end
          slowest = {core.clock() - t1, ("%s(%s)"):format(f[1], table.concat(shown, ", "))}
        end
        calls = calls + 1
        if not res[1] then
          if type(res[2]) ~= "string" then
            bad[#bad + 1] = ("%s: error value of type %s"):format(f[1], type(res[2]))
          end
        else
          succeeded = succeeded + 1
          for i = 2, math.min(res.n, 4) do if rng:random(2) == 1 then add(res[i]) end end
        end
      end
    end)
    debug.sethook()
    _G.print = real_print
    modules.mynet.default_backupDir = backups0
    core.catch_signals(false)
    core.threads(threads0)
    cleanup()
    local took = core.clock() - t0
    real_print(("\n  random calls: seed %d, %d calls (%d returned, the rest raised) in %.1f s (%.0f calls/s), %d functions; slowest %.2f s: %s")
      :format(SEED, calls, succeeded, took, calls / took, #funcs, slowest[1], slowest[2]))
    local strays = {}
    for name in pairs(listing()) do
      if not before[name] then strays[#strays + 1] = name; os.remove(name) end
    end
    assert(#strays == 0, ("seed %d: calls wrote files into the working folder: %s"):format(SEED,
      table.concat(strays, ", ")))
    assert(ok_run, ("seed %d: %s"):format(SEED, tostring(run_err)))
    assert(#bad == 0, ("seed %d (LNN_RANDOM_SEED=%d replays it):\n%s"):format(SEED, SEED, table.concat(bad, "\n")))
    assert(calls > 0)
  end)
end)

-- Random command lines for every command module's run (lnn.commands.*): the
-- command's own flags (and unknown ones) with valid and invalid values, run
-- through cli.run as bin/lnn does.  Each must succeed (status 0), or end with
-- status 2 and a message naming the command and a flag or argument, or status
-- 1 with a message naming the command; never a traceback or an internal
-- file:line.  MNIST is a small subset (100 training images); paths point into
-- a scratch folder; the counts drawn stay small, so runs take milliseconds.
-- Left out: bench (it measures for seconds by design, in child processes),
-- `data fetch` (it downloads), report's --quick and --full (they run the
-- book's runs) and --mpi.
describe("random command lines of every command #slow #process", function()
  it(("end with status 0, 1 or 2 and a clean message (%g s)"):format(SECONDS), function()
    local cli = require "lnn.cli"
    local commands = require "lnn.commands"
    local dir, cleanup = H.tmpdir()
    local data = dir .. "/mnist"
    os.execute("mkdir -p " .. data)
    assert(os.execute(("lua5.4 scripts/mnist_subset.lua %s 10100 100 >/dev/null"):format(data)))
    local before = listing()
    local threads0 = core.threads()
    local rng = core.Rng(SEED + 1)
    local function pick(t) return t[rng:random(#t)] end

    local list = {}
    for _, c in ipairs(commands.available()) do
      if c.name ~= "bench" then list[#list + 1] = {name = c.name, mod = require(c.module)} end
    end
    -- values by kind: valid ones first, then invalid ones
    local PATH = {"out", "save", "metrics", "backups", "save-dir", "to", "results", "load", "previous",
                  "checkpoints", "members"}
    local is_path = {}
    for _, k in ipairs(PATH) do is_path[k] = true end
    local values = {
      int = {"0", "1", "2", "3", "-1", "x", "", "1.5", "99999999999999999999", "2147483648", "1e3", "0x10"},
      number = {"0.5", "3", "0", "-1", "nan", "inf", "1e309", "x", "", "1e-50"},
      string = {"x", "", "0.5,1", "784,10", "784,30,10", "784,5,10:784,6,10", "sigmoid", "test", "all",
                "ch1_30_hidden", "-1", "a,b"},
      sizes = {"784,10", "784,5,10", "784,0,10", "784,99999999,10", "1", "", "x", "784,,10", "10,784"},
      path = {dir .. "/p", dir .. "/none/p", dir, "/dev/null", dir .. "/p/", data .. "/t10k-labels-idx1-ubyte.gz"},
    }
    -- counts that would make a long run valid are kept small
    local SMALL = {epochs = true, ["per-round"] = true, ["max-rounds"] = true, nets = true, ["repeat"] = true,
                   level = true, ["train-size"] = true}
    local function argv_for(c)
      local flags = c.mod.flags or {}
      local argv = {}
      if c.name == "experiment" then
        -- a name (or --list), then one of its runs' flag tables
        local names = {"--list", "ch1_30_hidden", "ch3_init", "ch6_1", "ch6_8", "nope", ""}
        local name = pick(names)
        argv[1] = name
        if name:match("^ch6") then flags = c.mod.chapter6_flags(require("lnn.chapter6").by_name[name]) end
      elseif c.name == "data" then
        argv[1] = pick {"import", "check", "nope", "--to"}
      end
      local has = {}
      for _, f in ipairs(flags) do has[f.name] = f end
      for _ = 1, rng:random(5) - 1 do
        local f = pick(flags)
        -- report --quick and --full run the book's runs for minutes or hours; --mpi would
        -- start MPI in this process (mpi_spec and signals_commands_spec run it under mpirun)
        if f and (f.name == "quick" or f.name == "full" or f.name == "mpi") then f = nil end
        if f == nil or rng:random(8) == 1 then
          -- a stray word (a path in the scratch folder: after a flag whose value
          -- was left out it is that value, and `--out stray` rightly writes ./stray)
          argv[#argv + 1] = pick {"--nope", "-x", dir .. "/stray", "--", "--help"}
        else
          local name = "--" .. f.name
          if f.kind == "flag" then
            argv[#argv + 1] = rng:random(6) == 1 and (name .. "=1") or name
          else
            local v
            if is_path[f.name] then v = pick(values.path)
            elseif SMALL[f.name] then v = pick {"0", "1", "2", "-1", "x", "99999999999999999999"}
            else v = pick(values[f.kind] or values.string) end
            if SMALL[f.name] and tonumber(v) and tonumber(v) > 2 and tonumber(v) < 1e19 then v = "2" end
            if rng:random(4) == 1 then argv[#argv + 1] = name .. "=" .. v
            elseif rng:random(10) == 1 then argv[#argv + 1] = name -- the value missing
            else argv[#argv + 1] = name argv[#argv + 1] = v end
          end
        end
      end
      -- the small MNIST, few epochs, and files in the scratch folder unless drawn
      local given = {}
      for _, a in ipairs(argv) do local n = a:match("^%-%-([%w%-]+)") if n then given[n] = true end end
      for name, v in pairs {data = data, epochs = "1", ["per-round"] = "1", ["max-rounds"] = "2", nets = "2",
                            out = dir .. "/o", results = dir .. "/r", ["train-size"] = "50", ["eval-size"] = "50"} do
        if has[name] and not given[name] then argv[#argv + 1] = "--" .. name argv[#argv + 1] = v end
      end
      return argv
    end

    local real_print, real_stdout, real_stderr, real_write = _G.print, io.stdout, io.stderr, io.write
    local slowest = {0, ""}
    local said = {}
    local sink = {write = function(self, ...) for _, s in ipairs {...} do said[#said + 1] = tostring(s) end return self end,
                  flush = function(self) return self end, close = function() end, setvbuf = function() end}
    local calls, by_status, bad = 0, {[0] = 0, [1] = 0, [2] = 0}, {}
    local t0 = core.clock()
    local ok_run, run_err = pcall(function()
      while core.clock() - t0 < SECONDS and #bad < 10 do
        local c = pick(list)
        local argv = argv_for(c)
        local prog = "lnn " .. c.name
        said = {}
        _G.print = function(...) sink:write(...) end
        io.stdout, io.stderr, io.write = sink, sink, function(...) return sink:write(...) end
        local t1 = core.clock()
        -- a budget of Lua instructions: a command that loops for minutes is a defect
        -- (--rounds-done 2147483648 grew a mini-batch that many times)
        debug.sethook(function() error("random_calls: budget spent") end, "", 5e7)
        local st = cli.run(c.mod.run, argv, prog)
        debug.sethook()
        _G.print, io.stdout, io.stderr, io.write = real_print, real_stdout, real_stderr, real_write
        if core.clock() - t1 > slowest[1] then slowest = {core.clock() - t1, prog .. " " .. table.concat(argv, " ")} end
        core.catch_signals(false)
        calls = calls + 1
        local out = table.concat(said)
        local line = ("%s %s -> %s: %s"):format(prog, table.concat(argv, " "), tostring(st), out:sub(-300))
        by_status[st] = (by_status[st] or 0) + 1
        if out:find("random_calls: budget spent", 1, true) then
          bad[#bad + 1] = "ran past the budget of Lua instructions: " .. line
        elseif st ~= 0 and st ~= 1 and st ~= 2 then
          bad[#bad + 1] = "status " .. tostring(st) .. ": " .. line
        elseif out:find("traceback", 1, true) or out:find("[%w_]%.lua:%d+:") or out:find("%.c:%d+") then
          bad[#bad + 1] = "internal trace: " .. line
        elseif st == 2 and not (out:find(prog, 1, true) and out:find("(try " .. prog, 1, true)) then
          bad[#bad + 1] = "usage error without the command's name and help hint: " .. line
        elseif st == 1 and not out:find(prog, 1, true) then
          bad[#bad + 1] = "failure without the command's name: " .. line
        end
      end
    end)
    debug.sethook()
    _G.print, io.stdout, io.stderr, io.write = real_print, real_stdout, real_stderr, real_write
    core.catch_signals(false)
    core.threads(threads0)
    local took = core.clock() - t0
    print(("\n  random command lines: seed %d, %d runs (status 0: %d, 1: %d, 2: %d) in %.1f s (%.0f runs/s), %d commands; slowest %.2f s: %s")
      :format(SEED, calls, by_status[0], by_status[1], by_status[2], took, calls / took, #list, slowest[1], slowest[2]))
    cleanup()
    local strays = {}
    for name in pairs(listing()) do
      if not before[name] then strays[#strays + 1] = name; os.execute("rm -rf -- '" .. name .. "'") end
    end
    assert(#strays == 0, ("seed %d: commands wrote into the working folder: %s"):format(SEED, table.concat(strays, ", ")))
    assert(ok_run, ("seed %d: %s"):format(SEED, tostring(run_err)))
    assert(#bad == 0, ("seed %d (LNN_RANDOM_SEED=%d replays it):\n%s"):format(SEED, SEED, table.concat(bad, "\n")))
    assert(calls > 0)
  end)
end)
