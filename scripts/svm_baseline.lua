-- svm_baseline.lua: mnist_svm.py with a linear SVM in C (`lnn svm`).  The
-- command lives in lua/lnn/commands/svm.lua.
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.svm").run, arg, "scripts/svm_baseline.lua"), true)
