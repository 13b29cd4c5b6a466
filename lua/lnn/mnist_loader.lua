--- lnn.mnist_loader: mnist_loader.py over lnn.core's IDX reader.  The data
-- stays as bytes in two blocks (images, labels); the sets below are views.
-- It reads the four canonical files, raw or gzip, from any folder.
-- @module lnn.mnist_loader
local core = require "lnn.core"
local args = require "lnn.args"

local loader = {}

local FILES = {
  train_images = "train-images-idx3-ubyte", train_labels = "train-labels-idx1-ubyte",
  test_images = "t10k-images-idx3-ubyte", test_labels = "t10k-labels-idx1-ubyte",
  -- written by scripts/expand_mnist.lua: the 50,000 training images and their
  -- four one-pixel shifts, shuffled (expand_mnist.py)
  expanded_images = "mnist-expanded-train-images-idx3-ubyte",
  expanded_labels = "mnist-expanded-train-labels-idx1-ubyte",
}
loader.FILES = FILES

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- Where MNIST is looked for, in order: a folder the caller names (a command's
-- --data DIR, load_data's dir), then $LNN_DATA, then the data/ folder of the
-- checkout this file is in, then the per-user folder of the XDG base-directory
-- convention ($XDG_DATA_HOME/lnn, or ~/.local/share/lnn).  LNN_DATA, when set,
-- is the answer even if it holds nothing (an error then names it).
local function has_mnist(dir)
  return exists(dir .. "/" .. FILES.test_labels .. ".gz") or exists(dir .. "/" .. FILES.test_labels)
end

--- user_dir(): the per-user data folder ($XDG_DATA_HOME/lnn or ~/.local/share/lnn), or nil without HOME.
-- @return the per-user data folder ($XDG_DATA_HOME/lnn or ~/.local/share/lnn), or nil without HOME
-- @usage
-- local dir = lnn.mnist_loader.user_dir()  -- "/home/me/.local/share/lnn", say
function loader.user_dir()
  local xdg = os.getenv("XDG_DATA_HOME")
  if xdg and xdg:sub(1, 1) == "/" then return xdg .. "/lnn" end
  local home = os.getenv("HOME")
  if home and home ~= "" then return home .. "/.local/share/lnn" end
  return nil
end

--- checkout_dir(): the data/ folder of the source checkout lnn runs from, or
--- nil when lnn is installed (not run from a checkout).
-- @return the data/ folder of the source checkout lnn runs from, or nil when lnn is installed (not
--  run from a checkout)
-- @usage
-- local dir = lnn.mnist_loader.checkout_dir()
function loader.checkout_dir()
  local here = debug.getinfo(1, "S").source:match("^@(.*)/lua/lnn/mnist_loader%.lua$")
  if here and exists(here .. "/lua/lnn/init.lua") then return here .. "/data" end
  return nil
end

--- places(): the search order after a caller's own folder, as a list of
--- {dir =, what =} (dir nil when the place does not apply: LNN_DATA unset,
--- not a checkout, no HOME).
-- @return the search order after a caller's own folder, as a list of {dir =, what =} (dir nil when
--  the place does not apply: LNN_DATA unset, not a checkout, no HOME)
-- @usage
-- for _, place in ipairs(lnn.mnist_loader.places()) do print(place) end
function loader.places()
  local env = os.getenv("LNN_DATA")
  if env == "" then env = nil end
  return {
    {dir = env, what = "$LNN_DATA"},
    {dir = loader.checkout_dir(), what = "the checkout's data/"},
    {dir = loader.user_dir(), what = "the per-user folder"},
  }
end

--- find(): the folder MNIST is read from when none is given, and which place
--- it is; or nil and a message saying where it looked and how to get MNIST.
-- @return the folder MNIST is read from when none is given, and which place it is; or nil and a
--  message saying where it looked and how to get MNIST
-- @usage
-- local dir = lnn.mnist_loader.find()  -- nil when MNIST is nowhere
function loader.find()
  local looked = {}
  for _, p in ipairs(loader.places()) do
    if p.dir then
      if p.what == "$LNN_DATA" or has_mnist(p.dir) then return p.dir, p.what end
      looked[#looked + 1] = p.dir
    end
  end
  return nil, ("MNIST not found (looked in %s); `lnn data fetch` downloads it, `lnn data import DIR` "
    .. "copies it from a folder (in a checkout: scripts/setup.sh)"):format(table.concat(looked, ", "))
end

--- default_dir(): the folder MNIST is read from when none is given (find()),
--- or, when none holds it, the folder `lnn data fetch` would write.
local function default_dir()
  local dir = loader.find()
  if dir then return dir end
  for _, p in ipairs(loader.places()) do if p.dir then return p.dir end end
  return "data"
end
loader.default_dir = default_dir

-- What is wrong with a data folder is raised inside this module as a problem,
-- {detail =, fix =}: what is wrong, and the clause saying what mends it.  It
-- leaves the module once, as the text "mnist_loader: <detail><fix>" (raise),
-- or as its parts (loader.problem), so that no caller parses the message.
local Problem = {}
local function problem(detail, fix) error(setmetatable({detail = detail, fix = fix or ""}, Problem), 0) end
local function raise(ok, ...)
  if ok then return ... end
  local e = ...
  if getmetatable(e) == Problem then error("mnist_loader: " .. e.detail .. e.fix, 0) end
  error(e, 0)
end

local FETCH = " (`lnn data fetch` downloads MNIST, `lnn data import DIR` copies it; in a checkout: scripts/setup.sh)"
local EXPAND = " (`lnn expand` writes it; in a checkout: lua scripts/expand_mnist.lua)"

local function path_of(dir, name)
  local gz = dir .. "/" .. name .. ".gz"
  if exists(gz) then return gz end
  if exists(dir .. "/" .. name) then return dir .. "/" .. name end
  problem(("%s not found in %s"):format(name .. ".gz", dir),
    (name == FILES.expanded_images or name == FILES.expanded_labels) and EXPAND or FETCH)
end

--- path(dir, name): dir/name.gz, or dir/name (raw) if only that exists.
-- @param dir the data folder
-- @param name the file's name without .gz, e.g. "t10k-labels-idx1-ubyte"
-- @treturn string the path
-- @usage
-- local p = lnn.mnist_loader.path("data", "t10k-labels-idx1-ubyte")  -- "data/t10k-labels-idx1-ubyte.gz"
function loader.path(dir, name)
  if type(dir) ~= "string" then
    args.fail("path", 1, ("string expected, got %s"):format(type(dir)))
  end
  if type(name) ~= "string" then
    args.fail("path", 2, ("string expected, got %s"):format(type(name)))
  end
  return raise(pcall(path_of, dir, name))
end

-- A data folder written by lnn (`lnn data fetch`, `lnn data import`, `lnn expand`) holds a
-- manifest, MANIFEST, naming each file of the data set with its size and CRC-32, and for the
-- expanded pair the checksums of the training files it was made from.  An update stages its
-- files under temporary names, writes the new manifest, then renames the files in: a folder
-- whose files disagree with its manifest is an update that did not finish (or a file changed
-- since), and is refused, never read as a mixture of two data sets.  A folder without a
-- manifest (the four files put there by hand) is read as it is.
local MANIFEST = "lnn-manifest.json"
loader.MANIFEST = MANIFEST
local BASE = {"train_images", "train_labels", "test_images", "test_labels"}
loader.BASE_KEYS = BASE

local function bad_manifest(dir, what)
  problem(("%s/%s: %s"):format(dir, MANIFEST, what),
    "; `lnn data import DIR` or `lnn data fetch --force` writes the folder again")
end

local function check_entry(dir, e, where)
  if type(e) ~= "table" then bad_manifest(dir, where .. ": an object expected, got " .. type(e)) end
  if type(e.name) ~= "string" or e.name == "" or e.name:find("/", 1, true) or e.name:sub(1, 1) == "." then
    bad_manifest(dir, where .. ".name: a file name in the folder expected, got " .. tostring(e.name))
  end
  if type(e.crc32) ~= "string" or not e.crc32:match("^%x%x%x%x%x%x%x%x$") then
    bad_manifest(dir, where .. ".crc32: 8 hex digits expected, got " .. tostring(e.crc32))
  end
  if math.type(e.size) ~= "integer" or e.size < 0 then
    bad_manifest(dir, where .. ".size: a whole number of bytes expected, got " .. tostring(e.size))
  end
end

local function read_manifest(dir)
  local f = io.open(dir .. "/" .. MANIFEST, "rb")
  if not f then return nil end
  f:close()
  -- straight from pcall, the core's errors carry no position
  local ok, m = pcall(core.read_file, dir .. "/" .. MANIFEST, 1)
  if ok then ok, m = pcall(core.json_decode, m) end
  if not ok then bad_manifest(dir, "unreadable (" .. tostring(m) .. ")") end
  if type(m) ~= "table" or m.format ~= "lnn-data" or m.version ~= 1 then
    bad_manifest(dir, 'format "lnn-data", version 1 expected')
  end
  if type(m.files) ~= "table" then bad_manifest(dir, "files: an object expected, got " .. type(m.files)) end
  for _, k in ipairs(BASE) do check_entry(dir, m.files[k], "files." .. k) end
  if m.expanded ~= nil then
    local x = m.expanded
    if type(x) ~= "table" then bad_manifest(dir, "expanded: an object expected, got " .. type(x)) end
    check_entry(dir, x.images, "expanded.images")
    check_entry(dir, x.labels, "expanded.labels")
    if type(x.source) ~= "table" or type(x.source.train_images) ~= "string" or type(x.source.train_labels) ~= "string" then
      bad_manifest(dir, "expanded.source: the checksums of train_images and train_labels expected")
    end
  end
  return m
end

--- manifest(dir): the manifest of a data folder lnn wrote ({files = {train_images = {name, crc32,
--- size}, ...}, expanded = {images, labels, source = {train_images, train_labels}}}), checked;
--- nil when the folder has none.
-- @param dir the data folder
-- @return the manifest as a table, or nil
-- @usage
-- local dir = lnn.mnist_loader.find()
-- local m = dir and lnn.mnist_loader.manifest(dir)  -- nil for a folder lnn did not write
function loader.manifest(dir)
  if type(dir) ~= "string" then
    args.fail("manifest", 1, ("folder name expected, got %s"):format(type(dir)))
  end
  return raise(pcall(read_manifest, dir))
end

-- _entry(path): what a manifest records of a file: {name, crc32, size}.  The
-- writer's side (_entry, _unstage, _stage_name, _publish) is lnn's commands'.
function loader._entry(path)
  local crc, size = core.checksum(path)
  return {name = path:match("([^/]+)$"), crc32 = crc, size = size}
end

-- the file a manifest entry names, after checking it is the file recorded
local function verified(dir, e, what)
  local path = dir .. "/" .. e.name
  local ok, crc, size = pcall(core.checksum, path)
  if not ok or crc ~= e.crc32 or size ~= e.size then
    problem(("%s: %s is not the file its manifest (%s) records (%s): an update of the %s did "
      .. "not finish, or the file was changed since"):format(dir, e.name, MANIFEST,
      not ok and "missing or unreadable" or ("size %d, CRC-32 %s; recorded %d, %s"):format(size, crc, e.size, e.crc32),
      what), what == "expanded set" and "; `lnn expand --force` writes it again"
        or "; `lnn data import DIR` or `lnn data fetch --force` writes the data set again")
  end
  return path
end

-- the paths files() returns, or a problem raised
local function locate(dir, expanded)
  local m = read_manifest(dir)
  if not m then
    if expanded then return path_of(dir, FILES.expanded_images), path_of(dir, FILES.expanded_labels) end
    return path_of(dir, FILES.train_images), path_of(dir, FILES.train_labels),
      path_of(dir, FILES.test_images), path_of(dir, FILES.test_labels)
  end
  if expanded then
    local x = m.expanded
    if not x then problem(("%s holds no expanded set"):format(dir), " (its manifest names none; `lnn expand` writes it)") end
    if x.source.train_images ~= m.files.train_images.crc32 or x.source.train_labels ~= m.files.train_labels.crc32 then
      problem(("%s: the expanded set was made from other training files than the ones there now"):format(dir),
        "; `lnn expand --force` makes it again from these")
    end
    return verified(dir, x.images, "expanded set"), verified(dir, x.labels, "expanded set")
  end
  local out = {}
  for i, k in ipairs(BASE) do out[i] = verified(dir, m.files[k], "data set") end
  return table.unpack(out)
end

local function check_files_args(fname, dir, expanded)
  if type(dir) ~= "string" then
    args.fail(fname, 1, ("folder name expected, got %s"):format(type(dir)), 2)
  end
  if expanded ~= nil and type(expanded) ~= "boolean" then
    args.fail(fname, 2, ("boolean or nil expected, got %s"):format(type(expanded)), 2)
  end
end

--- files(dir [, expanded]): the paths of the data set in dir, checked against its manifest when it
--- has one: training images, labels, test images, labels; with expanded, the expanded images and
--- labels instead of the first two (refused when they were made from other training files).
-- @param dir the data folder
-- @param expanded true for the expanded pair
-- @return four paths (two with expanded)
-- @usage
-- local dir = lnn.mnist_loader.find()
-- local train_images, train_labels, test_images, test_labels = lnn.mnist_loader.files(dir)
function loader.files(dir, expanded)
  check_files_args("files", dir, expanded)
  return raise(pcall(locate, dir, expanded))
end

--- problem(dir [, expanded]): what files(dir, expanded) would refuse, in two parts: nil when
--- it would not; else what is wrong ("train-images-idx3-ubyte.gz not found in data") and
--- the clause saying what mends it (" (`lnn data fetch` downloads MNIST, ...)").  files'
--- error is "mnist_loader: " followed by the two.
-- @param dir the data folder
-- @param expanded true for the expanded pair
-- @treturn ?string what is wrong, or nil
-- @treturn ?string what mends it
-- @usage
-- local what, fix = lnn.mnist_loader.problem("/nonexistent")  -- "... not found in /nonexistent", " (`lnn data fetch` ...)"
function loader.problem(dir, expanded)
  check_files_args("problem", dir, expanded)
  local ok, e = pcall(locate, dir, expanded)
  if ok then return nil end
  if getmetatable(e) ~= Problem then error(e, 0) end
  return e.detail, e.fix
end

-- _unstage(dir): removes what an earlier update left staged in dir (its files named by
-- _stage_name, nothing else); an update calls it before it stages.
function loader._unstage(dir)
  -- by name (a folder listing skips dot files): every data file, raw or .gz
  for _, name in pairs(FILES) do
    os.remove(loader._stage_name(dir, name))
    os.remove(loader._stage_name(dir, name .. ".gz"))
  end
end

-- _unstaged(msg): a message about a staged file names the file it stands for
-- (the user never sees the staging names)
function loader._unstaged(msg)
  return (tostring(msg):gsub("/%.lnn%-stage%-", "/"))
end

-- _stage_name(dir, name): the temporary name in dir of a file that _publish renames to name.
function loader._stage_name(dir, name)
  return ("%s/.lnn-stage-%s"):format(dir, name)
end

-- _publish(dir, staged): makes staged files the data set of dir in one step for
-- readers: the new manifest is written (atomically) first, then each file renamed into
-- place, so a reader sees the old set, the new one, or a folder its manifest refuses.
-- staged: list of {key = "train_images" | ... | "expanded_images" | "expanded_labels", path =
-- the staged file, name = its final name}.  New training files without a new expanded pair keep
-- the old expanded entry, which then no longer matches its source and is refused.
function loader._publish(dir, staged)
  local m = loader.manifest(dir)
  if not m then
    m = {format = "lnn-data", version = 1, files = {}}
    -- a folder without a manifest: its current files, for what the update does not replace
    for _, k in ipairs(BASE) do
      local ok, path = pcall(loader.path, dir, FILES[k])
      if ok then m.files[k] = loader._entry(path) end
    end
  end
  local x
  for _, s in ipairs(staged) do
    local e = loader._entry(s.path)
    e.name = s.name
    if s.key == "expanded_images" or s.key == "expanded_labels" then
      x = x or {}
      x[s.key == "expanded_images" and "images" or "labels"] = e
    else
      m.files[s.key] = e
    end
  end
  for _, k in ipairs(BASE) do
    if not m.files[k] then error(("mnist_loader: %s: no %s to publish"):format(dir, FILES[k]), 0) end
  end
  if x then
    x.source = {train_images = m.files.train_images.crc32, train_labels = m.files.train_labels.crc32}
    m.expanded = x
  end
  core.write_file(dir .. "/" .. MANIFEST, require("lnn.json").encode(m) .. "\n")
  for _, s in ipairs(staged) do
    local ok, err = os.rename(s.path, dir .. "/" .. s.name)
    if not ok then error(("mnist_loader: renaming %s to %s: %s"):format(s.path, s.name, tostring(err)), 0) end
    -- the other spelling (raw beside .gz) would be read by a loader that knows no manifest
    local other = s.name:match("%.gz$") and s.name:sub(1, -4) or s.name .. ".gz"
    os.remove(dir .. "/" .. other)
  end
end

-- a pair of IDX files as a data set; a bad pair is load_data's error naming the
-- files, not a position in this file nor core.load_idx
local function load_pair(images, labels)
  local ok, d = pcall(core.call_as, "load_data", nil, core.load_idx, images, labels)
  if not ok then error(d, 0) end
  return d
end

local function check_args(fname, dir, opts)
  if dir ~= nil and type(dir) ~= "string" then
    args.fail(fname, 1, ("folder name expected, got %s"):format(type(dir)), 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    args.fail(fname, 2, ("options table expected, got %s"):format(type(opts)), 2)
  end
  for k in pairs(opts or {}) do
    if k ~= "expanded" then
      args.fail(fname, 2, ("unknown option '%s'"):format(tostring(k)), 2)
    end
  end
end

--- load_data([dir][, {expanded = true}]): training (first 50,000), validation
--- (last 10,000 of the training file) and test (10,000) data sets; items give
--- (x, digit).  With expanded, training is the 250,000 images written by
--- scripts/expand_mnist.lua (validation and test stay the same).
--- Each set is an lnn.Data, read as a Lua sequence: #data items, data[i] the
--- pair {x, y} for i in 1..#data and nil past either end (so
--- ipairs(data) visits every item), a method by its name; an index of another
--- type (1.5, a table) is an error.  data:get(i) and data:label(i) give the
--- same item and raise for an index out of range; data:slice(first, last) is a
--- view; for k, batch in data:batches(size) gives the mini-batches in order.
-- @param dir the data folder (default: the first of loader.places() that holds MNIST)
-- @param opts options table (the keys are listed above)
-- @return training (first 50,000), validation (last 10,000 of the training file) and test (10,000)
--  data sets; items give (x, digit)
-- @usage
-- local training, validation, test = lnn.mnist_loader.load_data()
-- assert(#training == 50000 and training:label(1) == 5)
function loader.load_data(dir, opts)
  check_args("load_data", dir, opts)
  if dir == nil then
    local err
    dir, err = loader.find()
    if not dir then error(err, 2) end
  end
  local ti, tl, si, sl = loader.files(dir)
  local train = load_pair(ti, tl)
  local test = load_pair(si, sl)
  local n = #train
  if n <= 10000 then
    error(("load_data: %s holds %d training images; the 50,000/10,000 split needs more than 10,000")
      :format(dir, n), 2)
  end
  local training = train:slice(1, n - 10000)
  if opts and opts.expanded then
    training = load_pair(loader.files(dir, true))
  end
  return training, train:slice(n - 10000 + 1, n), test
end

--- load_data_wrapper([dir][, opts]): the same sets in the book's shapes: training items
--- give (x 784x1, y one-hot 10x1); validation and test items give (x, digit).
-- @param dir the data folder (default: the first of loader.places() that holds MNIST)
-- @param opts options table (the keys are listed above)
-- @return the same sets in the book's shapes: training items give (x 784x1, y one-hot 10x1);
--  validation and test items give (x, digit)
-- @usage
-- local training, validation, test = lnn.mnist_loader.load_data_wrapper()
-- local x, y = training:get(1)  -- 784 x 1 and the one-hot 10 x 1 of digit 5
function loader.load_data_wrapper(dir, opts)
  check_args("load_data_wrapper", dir, opts)
  local tr, va, te = loader.load_data(dir, opts)
  return tr:onehot(true), va, te
end

--- vectorized_result(j): the 10x1 one-hot vector of digit j.
-- @param j a digit or index
-- @return the 10x1 one-hot vector of digit j
-- @usage
-- local y = lnn.mnist_loader.vectorized_result(3)
-- assert(y[4][1] == 1 and y:sum() == 1)
function loader.vectorized_result(j)
  if math.type(j) ~= "integer" or j < 0 or j > 9 then
    args.fail("vectorized_result", 1, "digit 0..9 expected, got " .. tostring(j))
  end
  local e = core.Matrix(10, 1)
  e[j + 1][1] = 1.0
  return e
end

--- vectorToImage(v [, fname]): the n values of v (0..1; n a square, dim x dim)
--- as a dim x dim image: a new dim x dim Matrix of the same values, which
--- core.write_png(file, img, dim, dim) writes as round(255 v).  With fname it
--- also writes that grayscale PNG (atomically); without, it writes nothing.
-- @param v the pixel values: an lnn.Matrix or a table of n numbers in [0, 1]
-- @param fname the PNG file to write (optional)
-- @return the n values of v (0..1; n a square, dim x dim) as a dim x dim image: a new dim x dim
--  Matrix of the same values, which core.write_png(file, img, dim, dim) writes as round(255 v)
-- @usage
-- local img = lnn.mnist_loader.vectorToImage(lnn.Matrix(784, 1, 0.5))  -- a 28 x 28 Matrix
-- local path = os.tmpname()
-- lnn.mnist_loader.vectorToImage(lnn.Matrix(784, 1, 0.5), path)  -- and a PNG
-- os.remove(path)
function loader.vectorToImage(v, fname)
  if type(v) == "table" then v = core.call_as("vectorToImage", 1, core.Matrix, v) end
  if core.type(v) ~= "lnn.Matrix" then
    args.fail("vectorToImage", 1, "lnn.Matrix or table expected, got " .. type(v))
  end
  local n = v:numel()
  local dim = math.floor(math.sqrt(n) + 0.5)
  if dim * dim ~= n or dim > 65535 then
    args.fail("vectorToImage", 1, ("a square number of values (dim x dim) expected, got %d")
      :format(n))
  end
  if fname ~= nil and type(fname) ~= "string" then
    args.fail("vectorToImage", 2, "file name or nil expected, got " .. type(fname))
  end
  local img = v:copy():reshape(dim, dim)
  if fname then
    -- a file that cannot be written is the caller's error, not a line of this file
    local ok, err = pcall(core.write_png, fname, img, dim, dim) -- straight from pcall: no position
    if not ok then error("vectorToImage: " .. err, 2) end
  end
  return img
end

return loader
