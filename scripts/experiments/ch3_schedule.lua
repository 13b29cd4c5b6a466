-- ch3_schedule.lua -- Chapter 3: learning-rate schedule (halve eta after 10 flat epochs, stop at eta/128)
-- usage: lua scripts/experiments/ch3_schedule.lua [--epochs N] [--seed N] [--data DIR] (--help; `lnn experiment ch3_schedule`)
assert(loadfile(((arg and arg[0] or ""):match("^(.*)/[^/]*$") or ".") .. "/../bootstrap.lua"))()
os.exit(require("lnn.cli").run(require("lnn.commands.experiment").named("ch3_schedule"), arg, "scripts/experiments/ch3_schedule.lua"), true)
