-- bench-mpi.lua [W1|W4] [images] [--accumulate K] [--overlap]: one epoch of W1
-- (784-30-10, batch 10, over `images` training images, default all 50,000) or
-- W4 (the book's 6.4 conv net, batch 10, default 2,000 images) as `--mpi`
-- trains it, one thread per rank, with --accumulate and --overlap as the
-- commands take them (lnn.distributed); rank 0 prints the epoch's wall time.  Alone it is one process; under
-- mpirun -np N the mini-batches are split over the ranks, with the gradient
-- sum (lnn's all-reduce) once per step.  LNN_TEST_NET_DELAY_US adds that many
-- microseconds to every sum (a stand-in for a slower network; see
-- docs/parallel.md).  scripts/test-mpi-hosts.sh runs it across two hosts.
do
  local boot = loadfile("scripts/bootstrap.lua")
  if boot then boot() end
end
local lnn = require "lnn"
local distributed = require "lnn.distributed"
local core = lnn.core

local words, k, overlap = {}, nil, false
do
  local i = 1
  while i <= #arg do
    if arg[i] == "--accumulate" then
      k = math.tointeger(tonumber(arg[i + 1] or ""))
      if not k then error("bench-mpi.lua: --accumulate wants an integer, got " .. tostring(arg[i + 1]), 0) end
      i = i + 1
    elseif arg[i] == "--overlap" then
      overlap = true
    else
      words[#words + 1] = arg[i]
    end
    i = i + 1
  end
end
local what = words[1] or "W1"
if what ~= "W1" and what ~= "W4" then error("bench-mpi.lua: workload W1 or W4 expected, got " .. what, 0) end
local n = words[2] and math.tointeger(tonumber(words[2]))
if words[2] and (not n or n < 1) then error("bench-mpi.lua: images wants a positive integer, got " .. words[2], 0) end
local use_mpi = os.getenv("OMPI_COMM_WORLD_SIZE") ~= nil
local run <close> = distributed.start(use_mpi, "bench-mpi.lua", 1, k, overlap)
local seconds
if what == "W1" then
  local tr = lnn.mnist_loader.load_data_wrapper(os.getenv("LNN_DATA"))
  tr = tr:slice(1, n or #tr)
  local net = lnn.network.Network({784, 30, 10}, {seed = 1})
  run:share(net)
  local t0 = core.clock()
  net:SGD(tr, 1, 10, 3.0, nil, run:sgd(net, {quiet = true}))
  seconds = core.clock() - t0
else
  local n3 = lnn.network3
  local tr, va = lnn.mnist_loader.load_data(os.getenv("LNN_DATA"))
  tr = tr:slice(1, n or 2000)
  local net = n3.Network({
    n3.ConvPoolLayer {image_shape = {10, 1, 28, 28}, filter_shape = {20, 1, 5, 5}, poolsize = {2, 2},
                      activation_fn = n3.ReLU},
    n3.ConvPoolLayer {image_shape = {10, 20, 12, 12}, filter_shape = {40, 20, 5, 5}, poolsize = {2, 2},
                      activation_fn = n3.ReLU},
    n3.FullyConnectedLayer {n_in = 640, n_out = 100, activation_fn = n3.ReLU},
    n3.SoftmaxLayer {n_in = 100, n_out = 10}}, 10, {seed = 1})
  run:share(net)
  local t0 = core.clock()
  net:SGD(tr, 1, 10, 0.03, va:slice(1, 100), nil, 0.1, run:sgd(net, {quiet = true}))
  seconds = core.clock() - t0
end
if run.root then
  print(("%s %d rank(s)%s%s: epoch %.3f s"):format(what, run.size,
    k and ((", accumulate %d"):format(k) .. (overlap and ", overlap" or "")) or "",
    os.getenv("LNN_TEST_NET_DELAY_US") and (", +" .. os.getenv("LNN_TEST_NET_DELAY_US") .. " us per sum") or "",
    seconds))
end
