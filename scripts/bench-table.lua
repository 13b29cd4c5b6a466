-- bench-table.lua ROOT TABLE [options]: times lnn's workloads W1, W2 and W4 on
-- the build in ROOT (ROOT/lua, ROOT/build/lnn/core.so) with one kernel table
-- forced on each network, one thread.  scripts/bench-compare.sh runs this SAME
-- file against two builds; it uses only what every revision since 64cfb42 has
-- (the faces, their `_net` engine object and its kernels(name) method), so it
-- deliberately does not use lnn.cli or `lnn bench`, whose options changed.
--
-- Options: --workloads W1,W2,W4   --repeat R (W1/W2 epochs timed per run, default 3)
--          --w4-images N (W4 training images, default 10000)
--          --w4-test N (W4 inference images, default 10000)   --data DIR (MNIST folder)
-- Prints one line per measurement: "RESULT <workload> <what> <seconds>".
--
-- bench-table.lua --summary FILE OLD NEW TABLE...: the markdown table of
-- bench-compare.sh from FILE's lines "<table> <workload> <what> old|new <round>
-- <seconds>": each side's median over the rounds and their ratio new/old; the
-- median of the rounds' own ratios (a round runs old and new back to back, so
-- both see the same load); the ratio of the fastest runs (load only adds
-- time); and each side's spread, (max - min) / median.
local USAGE = "usage: lua5.4 scripts/bench-table.lua ROOT naive|avx2|avx512"
  .. " [--workloads W1,W2,W4] [--repeat R] [--w4-images N] [--w4-test N] [--data DIR]"

local function die(msg)
  io.stderr:write("bench-table.lua: ", msg, "\n")
  os.exit(2)
end

local function median(t)
  local s = {table.unpack(t)}
  table.sort(s)
  local n = #s
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

-- the summary mode: needs no lnn, so it runs before any package path is set
if arg[1] == "--summary" then
  local file, old_label, new_label = arg[2], arg[3], arg[4]
  local tables = {table.unpack(arg, 5)}
  local v = {}  -- v[table .. " " .. workload .. " " .. what][side][round] = seconds
  for line in io.lines(file) do
    local key, side, round, s = line:match("^(%S+ %S+ %S+) (%S+) (%d+) (%S+)$")
    v[key] = v[key] or {old = {}, new = {}}
    v[key][side][tonumber(round)] = tonumber(s)
  end
  local min, max = math.min, math.max
  local rows = {
    {"W1 train", "W1 epoch (train)"}, {"W1 infer", "W1 evaluate 10k"},
    {"W2 train", "W2 epoch (train)"}, {"W2 monitor4", "W2 epoch + 4 lists"}, {"W2 infer", "W2 evaluate 10k"},
    {"W4 train", "W4 epoch (train)"}, {"W4 infer", "W4 inference"}}
  print(("| table | workload | %s s | %s s | new/old | paired | fastest | spread old / new |"):format(
    old_label, new_label))
  print("|---|---|---:|---:|---:|---:|---:|---:|")
  for _, t in ipairs(tables) do
    for _, r in ipairs(rows) do
      local x = v[t .. " " .. r[1]]
      if x and #x.old > 0 and #x.old == #x.new then
        local a, b, ratios = x.old, x.new, {}
        for i = 1, #a do ratios[i] = b[i] / a[i] end
        local ma, mb = median(a), median(b)
        print(("| %s | %s | %.4f | %.4f | %.3f | %.3f | %.3f | %.0f%% / %.0f%% |"):format(t, r[2], ma, mb, mb / ma,
          median(ratios), min(table.unpack(b)) / min(table.unpack(a)),
          100 * (max(table.unpack(a)) - min(table.unpack(a))) / ma,
          100 * (max(table.unpack(b)) - min(table.unpack(b))) / mb))
      end
    end
  end
  os.exit(0)
end

local root, table_name = arg[1], arg[2]
if not root or not table_name then die(USAGE) end
local opts = {workloads = "W1,W2,W4", ["repeat"] = 3, w4_images = 10000, w4_test = 10000}
local i = 3
while arg[i] do
  local key, value = arg[i]:match("^%-%-([%w-]+)=(.*)$")
  if not key then key, value, i = arg[i]:match("^%-%-([%w-]+)$"), arg[i + 1], i + 1 end
  if not key or value == nil then die(USAGE) end
  key = key:gsub("-", "_")
  if opts[key] == nil and key ~= "data" then die("unknown option --" .. key) end
  if key == "repeat" or key == "w4_images" or key == "w4_test" then
    value = math.tointeger(tonumber(value))
    if not value or value < 1 then die("--" .. key .. " wants a positive integer") end
  end
  opts[key] = value
  i = i + 1
end

-- only ROOT's modules: a system-wide lnn must not fill a gap in an old tree
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua"
package.cpath = root .. "/build/?.so"

local core = require "lnn.core"
local mnist_loader = require "lnn.mnist_loader"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local network3 = require "lnn.network3"

-- one thread: OPENBLAS_NUM_THREADS=1 comes from the caller; the engine's own
-- threads (core.threads since the threads issue; core.blas_threads, the name
-- the builds before it gave that count, until issue 21 retired it)
if core.threads then core.threads(1) end
if core.blas_threads then core.blas_threads(1) end

-- the table on each network; LNN_KERNELS (set by the caller) picks it too on
-- builds that read it.  A table the build cannot run is an error, never a fallback.
local function force(net)
  -- the engine: net:engine() since the faces' shared base; 64cfb42's faces
  -- had no such method and kept it in their field _net
  local engine = net.engine and net:engine() or rawget(net, "_net")
  local ok, err = pcall(engine.kernels, engine, table_name)
  if not ok then die(("kernel table '%s': %s"):format(table_name, tostring(err))) end
  local got = engine:kernels()
  if got ~= table_name then die(("asked for kernel table '%s', the network runs '%s'"):format(table_name, got)) end
  return net
end

local function result(w, what, seconds) print(("RESULT %s %s %.6f"):format(w, what, seconds)) end

local wanted = {}
for w in opts.workloads:gmatch("[^,]+") do
  if w ~= "W1" and w ~= "W2" and w ~= "W4" then die("unknown workload " .. w .. " (W1, W2, W4)") end
  wanted[w] = true
end

print(("INFO lnn %s, %s, core %s"):format(core.version or "?", _VERSION,
  package.searchpath("lnn.core", package.cpath) or "?"))
local training_data, validation_data, test_data = mnist_loader.load_data_wrapper(opts.data)

-- W1 and W2 as lnn bench defines them (lua/lnn/commands/bench.lua); training
-- times are the face's info.seconds (the training step alone), medians of --repeat
if wanted.W1 then
  local net = force(network.Network({784, 30, 10}, {seed = 1}))
  local times = {}
  for r = 1, opts["repeat"] do
    net:SGD(training_data, 1, 10, 3.0, nil, {quiet = true, on_epoch = function(info) times[r] = info.seconds end})
  end
  result("W1", "train", median(times))
  local t = core.clock()
  net:evaluate(test_data)
  result("W1", "infer", core.clock() - t)
end

if wanted.W2 then
  local net = force(network2.Network({784, 100, 10}, network2.CrossEntropyCost, {seed = 1}))
  local times, whole = {}, {}
  for r = 1, opts["repeat"] do
    net:SGD(training_data, 1, 10, 0.5, {lmbda = 5.0, quiet = true,
      on_epoch = function(info) times[r] = info.seconds end})
  end
  result("W2", "train", median(times))
  -- the whole SGD call with all four monitoring lists (wall time: the step,
  -- training cost and accuracy over the 50k, evaluation cost and accuracy)
  for r = 1, opts["repeat"] do
    local t = core.clock()
    net:SGD(training_data, 1, 10, 0.5, {lmbda = 5.0, evaluation_data = validation_data,
      monitor_evaluation_cost = true, monitor_evaluation_accuracy = true,
      monitor_training_cost = true, monitor_training_accuracy = true, quiet = true})
    whole[r] = core.clock() - t
  end
  result("W2", "monitor4", median(whole))
  local t = core.clock()
  net:evaluate(test_data)
  result("W2", "infer", core.clock() - t)
end

-- W4: the book's 6.4 network, one epoch of network3's SGD over the first
-- --w4-images training images (its per-epoch validation pass runs on 100
-- images and is not timed), then inference over the first --w4-test test images
if wanted.W4 then
  local mbs = 10
  local net = force(network3.Network({
    network3.ConvPoolLayer {image_shape = {mbs, 1, 28, 28}, filter_shape = {20, 1, 5, 5}, poolsize = {2, 2},
                            activation_fn = network3.ReLU},
    network3.ConvPoolLayer {image_shape = {mbs, 20, 12, 12}, filter_shape = {40, 20, 5, 5}, poolsize = {2, 2},
                            activation_fn = network3.ReLU},
    network3.FullyConnectedLayer {n_in = 640, n_out = 100, activation_fn = network3.ReLU},
    network3.SoftmaxLayer {n_in = 100, n_out = 10}}, mbs, {seed = 1}))
  local n = math.min(opts.w4_images, #training_data)
  local seconds
  net:SGD(training_data:slice(1, n), 1, mbs, 0.03, validation_data:slice(1, 100), nil, 0.1,
    {quiet = true, on_epoch = function(info) seconds = info.seconds end})
  result("W4", "train", seconds)
  local t = core.clock()
  net:accuracy(test_data:slice(1, math.min(opts.w4_test, #test_data)))
  result("W4", "infer", core.clock() - t)
end
