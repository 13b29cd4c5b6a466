--- lnn.mnist_loader: mnist_loader.py over lnn.core's IDX reader.  The data
-- stays as bytes in two blocks (images, labels); the sets below are views.
-- It reads the four canonical files, raw or gzip, from any folder.
-- @module lnn.mnist_loader
local core = require "lnn.core"

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

--- path(dir, name): dir/name.gz, or dir/name (raw) if only that exists.
-- @param dir a folder
-- @param name a name
function loader.path(dir, name)
  if type(dir) ~= "string" then
    error(("bad argument #1 to 'path' (string expected, got %s)"):format(type(dir)), 2)
  end
  if type(name) ~= "string" then
    error(("bad argument #2 to 'path' (string expected, got %s)"):format(type(name)), 2)
  end
  local gz = dir .. "/" .. name .. ".gz"
  if exists(gz) then return gz end
  if exists(dir .. "/" .. name) then return dir .. "/" .. name end
  error(("mnist_loader: %s not found in %s (`lnn data fetch` downloads MNIST, `lnn data import DIR` copies"
    .. " it; in a checkout: scripts/setup.sh)"):format(name .. ".gz", dir), 0)
end

local function load_pair(dir, images, labels)
  return core.load_idx(loader.path(dir, images), loader.path(dir, labels))
end

local function check_args(fname, dir, opts)
  if dir ~= nil and type(dir) ~= "string" then
    error(("bad argument #1 to '%s' (folder name expected, got %s)"):format(fname, type(dir)), 3)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error(("bad argument #2 to '%s' (options table expected, got %s)"):format(fname, type(opts)), 3)
  end
  for k in pairs(opts or {}) do
    if k ~= "expanded" then
      error(("bad argument #2 to '%s' (unknown option '%s')"):format(fname, tostring(k)), 3)
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
-- @param dir a folder
-- @param opts options table (the keys are listed above)
-- @return training (first 50,000), validation (last 10,000 of the training file) and test (10,000)
--  data sets; items give (x, digit)
function loader.load_data(dir, opts)
  check_args("load_data", dir, opts)
  if dir == nil then
    local err
    dir, err = loader.find()
    if not dir then error(err, 2) end
  end
  local train = load_pair(dir, FILES.train_images, FILES.train_labels)
  local test = load_pair(dir, FILES.test_images, FILES.test_labels)
  local n = #train
  if n <= 10000 then
    error(("load_data: %s holds %d training images; the 50,000/10,000 split needs more than 10,000")
      :format(dir, n), 2)
  end
  local training = train:slice(1, n - 10000)
  if opts and opts.expanded then
    local ok, ex = pcall(load_pair, dir, FILES.expanded_images, FILES.expanded_labels)
    if not ok then
      error(tostring(ex):gsub("%(`lnn data fetch`.*%)$", "(`lnn expand` writes it; in a checkout: lua scripts/expand_mnist.lua)"), 2)
    end
    training = ex
  end
  return training, train:slice(n - 10000 + 1, n), test
end

--- load_data_wrapper([dir][, opts]): the same sets in the book's shapes: training items
--- give (x 784x1, y one-hot 10x1); validation and test items give (x, digit).
-- @param dir a folder
-- @param opts options table (the keys are listed above)
-- @return the same sets in the book's shapes: training items give (x 784x1, y one-hot 10x1);
--  validation and test items give (x, digit)
function loader.load_data_wrapper(dir, opts)
  check_args("load_data_wrapper", dir, opts)
  local tr, va, te = loader.load_data(dir, opts)
  return tr:onehot(true), va, te
end

--- vectorized_result(j): the 10x1 one-hot vector of digit j.
-- @param j a digit or index
-- @return the 10x1 one-hot vector of digit j
function loader.vectorized_result(j)
  if math.type(j) ~= "integer" or j < 0 or j > 9 then
    error("bad argument #1 to 'vectorized_result' (digit 0..9 expected, got " .. tostring(j) .. ")", 2)
  end
  local e = core.Matrix(10, 1)
  e[j + 1][1] = 1.0
  return e
end

--- vectorToImage(v [, fname]): the n values of v (0..1; n a square, dim x dim)
--- as a dim x dim image: a new dim x dim Matrix of the same values, which
--- core.write_png(file, img, dim, dim) writes as round(255 v).  With fname it
--- also writes that grayscale PNG (atomically); without, it writes nothing.
-- @param v a value
-- @param fname the file's name
-- @return the n values of v (0..1; n a square, dim x dim) as a dim x dim image: a new dim x dim
--  Matrix of the same values, which core.write_png(file, img, dim, dim) writes as round(255 v)
function loader.vectorToImage(v, fname)
  if type(v) == "table" then v = core.call_as("vectorToImage", 1, core.Matrix, v) end
  if core.type(v) ~= "lnn.Matrix" then
    error("bad argument #1 to 'vectorToImage' (lnn.Matrix or table expected, got " .. type(v) .. ")", 2)
  end
  local n = v:numel()
  local dim = math.floor(math.sqrt(n) + 0.5)
  if dim * dim ~= n or dim > 65535 then
    error(("bad argument #1 to 'vectorToImage' (a square number of values (dim x dim) expected, got %d)")
      :format(n), 2)
  end
  if fname ~= nil and type(fname) ~= "string" then
    error("bad argument #2 to 'vectorToImage' (file name or nil expected, got " .. type(fname) .. ")", 2)
  end
  local img = v:copy():reshape(dim, dim)
  if fname then
    -- a file that cannot be written is the caller's error, not a line of this file
    local ok, err = pcall(core.write_png, fname, img, dim, dim)
    if not ok then error("vectorToImage: " .. tostring(err):gsub("^[^\n:]*%.lua:%d+: ", ""), 2) end
  end
  return img
end

return loader
