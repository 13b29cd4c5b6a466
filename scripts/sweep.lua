-- sweep.lua: a grid of eta x lmbda x sizes for network2 (`lnn sweep`; with
-- --mpi under mpirun the points are dealt over the ranks).  The command lives in
-- lua/lnn/commands/sweep.lua.  lua scripts/sweep.lua --help.
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.sweep").run, arg, "scripts/sweep.lua"), true)
