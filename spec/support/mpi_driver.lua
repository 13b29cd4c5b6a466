-- mpi_driver.lua: small training runs for spec/mpi_spec.lua, under
-- `mpirun -np N lua5.4 spec/support/mpi_driver.lua FACE PREFIX [mpi|one [K [overlap]]]` or
-- alone (K: --accumulate's K, mini-batches per step; overlap: --overlap).
-- Trains FACE (network, network2 with momentum and L2, network3 with a
-- conv-pool layer and dropout) on the first 1,000 MNIST images for 2 epochs
-- with a global mini-batch of 10, through lnn.distributed as the scripts do;
-- every rank writes its generator state and parameter block to PREFIXrank-R and prints "rank R correct C".
do
  local boot = loadfile("scripts/bootstrap.lua")
  if boot then boot() end
end
local lnn = require "lnn"
local distributed = require "lnn.distributed"

local face, dir, use_mpi = arg[1], arg[2], arg[3] == "mpi"
local run <close> = distributed.start(use_mpi, "mpi_driver", nil, math.tointeger(tonumber(arg[4] or "")),
  arg[5] == "overlap")
local tr, va, te = lnn.mnist_loader.load_data_wrapper(os.getenv("LNN_DATA"))
tr, te = tr:slice(1, 1000), te:slice(1, 2000)
local net, correct
if face == "network" then
  net = lnn.network.Network({784, 30, 10}, {seed = 3 + run.rank}) -- rank 0's wins: share()
  run:share(net)
  net:SGD(tr, 2, 10, 3.0, nil, run:sgd(net, {quiet = true}))
  correct = net:evaluate(te)
elseif face == "network2" then
  net = lnn.network2.Network({784, 30, 10}, nil, {seed = 3 + run.rank})
  run:share(net)
  net:SGD(tr, 2, 10, 0.5, run:sgd(net, {lmbda = 5.0, mu = 0.5, quiet = true}))
  correct = net:accuracy(te)
elseif face == "network3" then
  local n3 = lnn.network3
  local trs, vas, tes = lnn.mnist_loader.load_data(os.getenv("LNN_DATA"))
  trs, vas = trs:slice(1, 1000), vas:slice(1, 500)
  net = n3.Network({
    n3.ConvPoolLayer {image_shape = {10, 1, 28, 28}, filter_shape = {4, 1, 5, 5}, poolsize = {2, 2},
                      activation_fn = n3.ReLU},
    n3.FullyConnectedLayer {n_in = 4 * 12 * 12, n_out = 30, activation_fn = n3.ReLU, p_dropout = 0.5},
    n3.SoftmaxLayer {n_in = 30, n_out = 10, p_dropout = 0.5}}, 10, {seed = 3 + run.rank})
  run:share(net)
  net:SGD(trs, 2, 10, 0.3, vas, nil, 0.1, run:sgd(net, {quiet = true, shuffle = true}))
  correct = math.floor(net:accuracy(tes:slice(1, 2000)) * 2000 + 0.5)
else
  error("mpi_driver: unknown face " .. tostring(face))
end
-- the parameter block, exactly (hex floats), and the generator state
local out, t = {"rng " .. tostring(net.rng:state())}, net._net:params():totable()
for i = 1, #t do out[#out + 1] = ("%a"):format(t[i][1]) end
lnn.core.write_file(("%srank-%d"):format(dir, run.rank), table.concat(out, "\n") .. "\n")
io.write(("rank %d correct %d\n"):format(run.rank, correct))
