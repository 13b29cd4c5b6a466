-- spec/helpers.lua: what several specs share -- the seed's dummy data, the
-- MNIST folder, conversions between the engine and lnn.reference, and float
-- comparisons with tolerances (the float32 engine against lnn.reference, which computes in double),
-- shell commands, background jobs and the browser.  A helper that two spec
-- files need lives here, never copied into each.
--
-- Tags (busted's #words in a describe or it name; README's "Testing"):
--   #slow     left out of the fast loop (busted --exclude-tags=slow): over about a
--             second, or needs MNIST, a browser or MPI
--   #mnist    reads the real MNIST files (H.mnist_dir)
--   #process  starts other processes (bin/lnn, train.lua, ldoc, a child busted)
--   #browser  renders a page in headless Chromium (H.browse)
--   #mpi      runs ranks under mpirun
-- Every #mnist, #browser and #mpi spec is also #slow.
local core = require "lnn.core"
local R = require "lnn.reference"

local H = {}

--- get_dummy_training_data(input_size, output_size, count [, rng]): the seed's
--- random pairs {x, y} as plain Lua arrays (x uniform in [0,1), y one-hot).
function H.get_dummy_training_data(input_size, output_size, count, rng)
  rng = rng or core.Rng(12345)
  local data = {}
  for i = 1, count do
    local x, y = {}, {}
    for k = 1, input_size do x[k] = rng:uniform() end
    for k = 1, output_size do y[k] = 0 end
    y[rng:random(output_size)] = 1
    data[i] = {x, y}
  end
  return data
end

--- The same pairs as an lnn.Data set.
function H.to_data(pairs_)
  local xs, ys = {}, {}
  for i, p in ipairs(pairs_) do xs[i], ys[i] = p[1], p[2] end
  return core.Data(xs, ys)
end

--- A reference network holding the same parameters as lnn.network net.
function H.reference_of(net, cost)
  local W, B = {}, {}
  for l = 1, net.num_layers - 1 do
    W[l] = net.weights[l]:totable()
    B[l] = net.biases[l]:totable(true)
  end
  return R.Network(net.sizes, {weights = W, biases = B, cost = cost})
end

--- The items of an lnn.Data set as the reference's pairs {x, y}: x a plain
--- array, y an array (target vectors) or the class number.
function H.reference_pairs(data)
  local out = {}
  for i = 1, #data do
    local x, y = data:get(i)
    out[i] = {x:totable(true), type(y) == "number" and y or y:totable(true)}
  end
  return out
end

--- Largest |a - b| between a Matrix (or nested table) and a nested table.
function H.maxdiff(a, b)
  if type(a) == "userdata" then a = a:totable(true) end
  local flat = {}
  local function walk(t) for _, v in ipairs(t) do if type(v) == "table" then walk(v) else flat[#flat + 1] = v end end end
  walk(b)
  local fa = {}
  local function walka(t) for _, v in ipairs(t) do if type(v) == "table" then walka(v) else fa[#fa + 1] = v end end end
  walka(a)
  assert(#fa == #flat, ("sizes differ: %d vs %d"):format(#fa, #flat))
  local m = 0
  for i = 1, #fa do
    local d = math.abs(fa[i] - flat[i])
    if d ~= d then return math.huge end
    if d > m then m = d end
  end
  return m
end

--- The MNIST folder (data/ of this checkout, or LNN_DATA); nil if absent.
function H.mnist_dir()
  local dir = os.getenv("LNN_DATA") or "data"
  local f = io.open(dir .. "/t10k-labels-idx1-ubyte.gz", "rb")
  if f then f:close() return dir end
  return nil
end

--- A fresh temporary folder, removed by the returned function.
function H.tmpdir()
  local p = io.popen("mktemp -d")
  local dir = p:read("l")
  p:close()
  return dir, function() os.execute("rm -rf '" .. dir .. "'") end
end

--- pcall(f, ...) must fail with a message containing every pattern (plain text).
function H.error_matches(f, ...)
  local ok, err = pcall(f)
  assert(not ok, "expected an error, got success")
  err = tostring(err)
  for _, s in ipairs {...} do
    assert(err:find(s, 1, true), ("error %q does not contain %q"):format(err, s))
  end
  return err
end

--- run_train(args): output (stdout and stderr) and exit status of
--- `lua5.4 scripts/train.lua args`, run from the source root.
function H.run_train(args)
  local p = io.popen("lua5.4 scripts/train.lua " .. args .. " 2>&1; echo \"status=$?\"")
  local out = p:read("a")
  p:close()
  local status = tonumber(out:match("status=(%d+)%s*$"))
  return (out:gsub("status=%d+%s*$", "")), status
end

--- HANG_LIMIT: the seconds a spec waits for an event (a line, a file, a
--- process's end) before it fails.  A limit against hangs, never a measure of
--- speed: far above what the slowest machine needs.
H.HANG_LIMIT = 300

--- background(dir, cmd): starts the shell command cmd in the background, its
--- output in dir/out and, once it ends, its exit status in dir/status (as the
--- shell reports it: 128 + n when a signal n ended it).  Returns a job:
--- job.pid (cmd's process), job:out(), job:ended(), job:wait_until(cond, what
--- [, limit = HANG_LIMIT]) (fails if cmd ends or time runs out first),
--- job:status() (waits for the end; the status and the output), job:kill()
--- (SIGKILL if it still runs; for after_each).  The status file appears
--- whole (written aside, then renamed): its existence means the end.
function H.background(dir, cmd)
  H.write_file(dir .. "/run.sh", ("%s >%s/out 2>&1 &\necho $! >%s/pid\nwait $!\necho $? >%s/status.part\n"
    .. "mv %s/status.part %s/status\n"):format(cmd, dir, dir, dir, dir, dir))
  os.execute(("sh %s/run.sh </dev/null >/dev/null 2>&1 &"):format(dir))
  local function sleep(s) os.execute(("sleep %.2f"):format(s)) end
  local job = {dir = dir}
  local t0 = core.clock()
  while not job.pid do
    local f = io.open(dir .. "/pid")
    if f then job.pid = tonumber(f:read("l") or ""); f:close() end
    if not job.pid then sleep(0.01) end
    assert(core.clock() - t0 < H.HANG_LIMIT, "the command did not start: " .. cmd)
  end
  function job.out() return io.open(dir .. "/out") and H.read_file(dir .. "/out") or "" end
  function job.ended()
    local f = io.open(dir .. "/status")
    if f then f:close() end
    return f ~= nil
  end
  function job.wait_until(_, cond, what, limit)
    local t1 = core.clock()
    while not cond() do
      local ended = job.ended()
      if ended or core.clock() - t1 > (limit or H.HANG_LIMIT) then
        error(("%s waiting for %s: %s"):format(ended and "the command ended" or "timed out", what, job.out()))
      end
      sleep(0.05)
    end
    return core.clock() - t1
  end
  function job.status()
    local t1 = core.clock()
    while not job.ended() do
      assert(core.clock() - t1 < H.HANG_LIMIT, "the command did not exit: " .. job.out())
      sleep(0.05)
    end
    job.done = true
    return tonumber(H.read_file(dir .. "/status")), job.out()
  end
  function job.kill()
    if not job.done and not job.ended() then os.execute("kill -KILL " .. job.pid .. " 2>/dev/null") end
  end
  return job
end

--- hold(dir [, from = 1]): the epoch driver's test hold (LNN_TEST_HOLD, in
--- lua/lnn/face.lua) in the folder dir/hold, set: a training run started with
--- hold.env before its command stops after its from-th epoch (counting every
--- epoch the process runs), writes held.PID there and waits until released.
--- hold:wait(job [, pid]) waits until process pid (the job's own by default)
--- is held and returns the epoch it is held after (its network's epoch count);
--- hold:release() lets every held run go on and holds none any more.
function H.hold(dir, from)
  local h = {dir = dir .. "/hold"}
  assert(os.execute(("mkdir -p '%s'"):format(h.dir)))
  H.write_file(h.dir .. "/hold", ("%d\n"):format(from or 1))
  h.env = ("LNN_TEST_HOLD='%s' "):format(h.dir)
  function h.wait(_, job, pid)
    local path, epoch = ("%s/held.%d"):format(h.dir, pid or job.pid), nil
    job:wait_until(function()
      local f = io.open(path)
      if not f then return false end
      epoch = tonumber(f:read("a"):match("^epoch (%d+)"))
      f:close()
      return epoch ~= nil
    end, "the run to be held (" .. path .. ")")
    return epoch
  end
  function h.release() os.remove(h.dir .. "/hold") end
  return h
end

-- sh(cmd): the output of a shell command, its stderr after its stdout, and
-- its exit status
function H.sh(cmd)
  local p = io.popen("(" .. cmd .. ") 2>&1; echo \"status=$?\"")
  local out = p:read("a")
  p:close()
  return (out:gsub("status=%d+%s*$", "")), tonumber(out:match("status=(%d+)%s*$"))
end

-- stdout(cmd): what a shell command writes to its stdout (stderr goes where the spec's goes)
function H.stdout(cmd)
  local p = io.popen(cmd)
  local out = p:read("a")
  p:close()
  return out
end

-- ROOT: the source root (busted runs from it)
H.ROOT = io.popen("pwd"):read("l")

-- q(s): s quoted for the shell
function H.q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- lnn(args [, env]): output and exit status of `[env] lua5.4 ROOT/bin/lnn args` (as H.sh)
function H.lnn(args, env) return H.sh((env or "") .. " lua5.4 " .. H.ROOT .. "/bin/lnn " .. args) end

-- epochs_in(path): how many epochs a --metrics JSON file holds (0 if it is
-- missing, torn or not a metrics file)
function H.epochs_in(path)
  local f = io.open(path)
  if not f then return 0 end
  local ok, m = pcall(require("lnn.json").decode, f:read("a"))
  f:close()
  return ok and type(m) == "table" and type(m.epochs) == "table" and #m.epochs or 0
end

-- mnist_subset(dir): a small MNIST (22,000 training images, 500 test) in dir/mnist; its path
function H.mnist_subset(dir)
  local d = dir .. "/mnist"
  os.execute("mkdir -p " .. d)
  assert(os.execute(("lua5.4 scripts/mnist_subset.lua %s 22000 500 >/dev/null"):format(d)))
  return d
end

-- leftovers(dir): how many temporary files of interrupted saves dir holds
-- (NAME.tmp.XXXXXX, or .lnn-tmp.XXXXXX for a name near the length limit), and their names
function H.leftovers(dir)
  local n, names = 0, {}
  for name in io.popen(("ls -A '%s'"):format(dir)):lines() do
    if name:find("%.tmp%.") or name:find("^%.lnn%-tmp%.") then n = n + 1; names[#names + 1] = name end
  end
  return n, table.concat(names, " ")
end

function H.read_file(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

function H.write_file(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- The browser for the pages' checks (report, demo): chromium with the network
-- off (a dead proxy), no first-run or background traffic, its own throwaway
-- profile (the sanitized suite preloads ASan into lua; chromium must not
-- inherit it).  LNN_CHROMIUM names another binary (chromium-browser,
-- google-chrome).
local BROWSER = os.getenv("LNN_CHROMIUM") or "chromium"
local CHROMIUM = "env -u LD_PRELOAD " .. BROWSER .. " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
  .. "--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars "
  .. "--proxy-server=127.0.0.1:9 --enable-logging=stderr --v=0"

-- chromium_missing(): why the browser checks cannot run, or nil
function H.chromium_missing()
  local out, status = H.sh("command -v " .. BROWSER)
  if status ~= 0 or out == "" then
    return BROWSER .. " is not installed (apt-get install chromium; .ci/run installs it): the browser checks did not run"
  end
end

-- browse(flags, page): chromium's stdout and stderr for file://page with flags
-- (--dump-dom, --screenshot=FILE ...)
function H.browse(flags, page)
  local profile = select(1, H.sh("mktemp -d")):match("[^\n]+")
  local p = io.popen(("%s --user-data-dir=%s %s file://%s 2>%s/stderr.txt"):format(CHROMIUM, profile, flags, page, profile))
  local stdout = p:read("a")
  p:close()
  local stderr = H.read_file(profile .. "/stderr.txt")
  os.execute("rm -rf '" .. profile .. "'")
  return stdout, stderr
end

-- console_lines(stderr): the console lines chromium logged for the page
-- (console.log/error, uncaught errors)
function H.console_lines(stderr)
  local t = {}
  for line in stderr:gmatch("[^\n]+") do
    if line:find(":CONSOLE", 1, true) or line:find("Uncaught", 1, true) then t[#t + 1] = line end
  end
  return t
end

return H
