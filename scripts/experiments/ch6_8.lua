-- ch6_8.lua: the book's ensemble: five networks of 6.7 (two FC 1000 ReLU
-- layers, dropout 0.5, expanded data, 40 epochs each), classifying by
-- plurality vote (book 99.67%).  Trains the five with seeds seed..seed+4, or
-- votes with networks saved earlier (--members, e.g. from ch6_7.lua --save).
-- lua5.4 scripts/experiments/ch6_8.lua --help
local X = dofile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/ch6_common.lua")
local cli, network3 = X.cli, X.network3
local run = X.conv_run(X.dropout_run {
  name = "6.8", script = "ch6_8.lua", book = 0.9967,
  about = "6.8: a plurality vote of five 6.7 networks (book: 99.67%)",
})
local prog = "scripts/experiments/ch6_8.lua"
local opts = cli.parse(arg, X.flags(run, {
  {name = "nets", kind = "int", default = 5, help = "networks in the ensemble", check = cli.positive},
  {name = "members", kind = "string", help = "vote with these saved networks instead of training", arg = "F1,F2,..."},
  {name = "save-dir", kind = "string", help = "save each trained network as DIR/member-K.lnn", arg = "DIR"},
}), prog, run.about)
if #opts > 0 then cli.fail(prog, ("unexpected argument '%s'"):format(opts[1])) end

local members, t0 = {}, X.core.clock()
if opts.members then
  local _, va, te = X.data(prog, {data = opts.data, eval_size = opts.eval_size}, false)
  for file in opts.members:gmatch("[^,]+") do
    local ok, net = pcall(network3.load, file)
    if not ok then X.die(prog, net) end
    members[#members + 1] = net
    print(("member %d (%s): test accuracy %s"):format(#members, file, X.pct(net:accuracy(te))))
  end
  run.test_data, run.validation_data = te, va
else
  local tr, va, te = X.data(prog, opts, run.expanded)
  for k = 1, opts.nets do
    if not opts.quiet then print(("-- member %d of %d (seed %d)"):format(k, opts.nets, opts.seed + k - 1)) end
    local net, _, _, test = X.train(prog, run, opts, tr, va, te, opts.seed + k - 1)
    if opts.save_dir then
      local ok, err = pcall(net.save, net, ("%s/member-%d.lnn"):format(opts.save_dir, k))
      if not ok then X.die(prog, err) end
    end
    print(("member %d: test accuracy %s (at its best validation accuracy)"):format(k, X.pct(test)))
    members[k] = net
  end
  run.test_data = te
end
local vote = network3.ensemble(members)
local acc = vote:accuracy(run.test_data)
print(("6.8 ensemble of %d, plurality vote on the test set: book %s | lnn %s (%.0f s)"):format(#members,
  X.pct(run.book), X.pct(acc), X.core.clock() - t0))
