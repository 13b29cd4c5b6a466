-- seed_early_stopping.lua -- The seed's test.py: early stopping (no-improvement-in-10) on 1,000 images, 30 epochs, lambda 5.0
-- usage: lua scripts/experiments/seed_early_stopping.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment seed_early_stopping`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("seed_early_stopping"), arg, "scripts/experiments/seed_early_stopping.lua"), true)
