--- lnn svm: mnist_svm.py with a linear SVM in C instead of libsvm's RBF one:
-- one-vs-rest, hinge loss, dual coordinate descent over the 50,000 training
-- images, scored on the 10,000 test images.  No libsvm, no Python.
-- @module lnn.commands.svm
local core = require "lnn.core"
local cli = require "lnn.cli"
local baselines = require "lnn.baselines"
local mnist_loader = require "lnn.mnist_loader"

local M = {summary = "a linear SVM baseline (the book's RBF SVM: 9435 of 10000)"}
M.flags = {
  {name = "data", kind = "string", help = "folder with the four MNIST files (.gz or raw)", arg = "DIR"},
  {name = "C", kind = "number", default = 0.03, help = "box constraint (inverse regularisation)", check = cli.positive},
  {name = "epochs", kind = "int", default = 20, help = "passes of coordinate descent at most", check = cli.positive},
  {name = "tol", kind = "number", default = 0.1, help = "stop when the projected-gradient gap is below this", check = cli.nonnegative},
  {name = "seed", kind = "int", default = 0, help = "seed of the order items are visited in"},
  {name = "out", kind = "string", help = "also write the result as DIR/svm.json (for the report)", arg = "DIR", check = cli.writable_folder},
}
M.about = "A one-vs-rest linear SVM baseline for MNIST (the book's RBF SVM scores 9435 of 10000)."

--- convergence(clf, opts): the line that says how the training ended: the
--- passes over the data, and the gap (the spread of the dual's projected
--- gradients over the last pass: 0 at the optimum) against the tol flag.
-- @param clf what baselines.svm returned
-- @param opts the parsed flags (epochs, tol)
-- @treturn string the line
function M.convergence(clf, opts)
  local gap = ("optimality gap %.3g: the spread of the projected gradients in the last pass, 0 at the optimum"):format(clf.gap)
  if clf.gap < opts.tol then
    return ("converged after %d pass%s over the training images (%s; below --tol %g)")
      :format(clf.passes, clf.passes == 1 and "" or "es", gap, opts.tol)
  end
  return ("stopped after %d pass%s over the training images, the --epochs limit, before converging (%s; --tol %g"
    .. " stops below it; more --epochs get closer)")
    :format(clf.passes, clf.passes == 1 and "" or "es", gap, opts.tol)
end

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about)
  cli.no_arguments(opts, prog)
  local training_data, _, test_data = mnist_loader.load_data(opts.data) -- an error: cli.run says it
  local t0 = core.clock()
  local clf = baselines.svm(training_data, {C = opts.C, epochs = opts.epochs, tol = opts.tol, seed = opts.seed})
  local t1 = core.clock()
  local num_correct = clf:predict(test_data)
  local t2 = core.clock()
  print("Baseline classifier using an SVM.")
  print(("%d of %d values correct.   (the book's RBF SVM: 9435 of 10000)"):format(num_correct, #test_data))
  print(("linear SVM, C = %g: training %.2f s, testing %.3f s"):format(opts.C, t1 - t0, t2 - t1))
  print(M.convergence(clf, opts))
  if opts.out then
    local runinfo = require "lnn.runinfo"
    local words = cli.words(prog)
    for _, f in ipairs {"C", "epochs", "tol", "seed"} do words[#words + 1] = "--" .. f words[#words + 1] = tostring(opts[f]) end
    if opts.data then words[#words + 1] = "--data" words[#words + 1] = opts.data end
    runinfo.save(opts.out, "svm", {baseline = "svm", correct = num_correct, total = #test_data,
      seconds = t2 - t0, C = opts.C, passes = clf.passes, seed = opts.seed, run = runinfo.describe(runinfo.command(words))})
  end
  return 0
end

return M
