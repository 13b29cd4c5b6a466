-- The IDX loader and lnn.mnist_loader: tiny IDX files the spec writes itself
-- (raw, gzip, truncated, wrong magic, mismatched counts), then real MNIST.
local core = require "lnn.core"
local loader = require "lnn.mnist_loader"
local H = require "helpers"

local function idx_images(n, rows, cols, magic)
  local px = {}
  for i = 1, n * rows * cols do px[i] = string.char((i * 7) % 256) end
  return string.pack(">I4I4I4I4", magic or 2051, n, rows, cols) .. table.concat(px)
end

local function idx_labels(labels, magic)
  local t = {}
  for i, l in ipairs(labels) do t[i] = string.char(l) end
  return string.pack(">I4I4", magic or 2049, #labels) .. table.concat(t)
end

local function gzip(path)
  assert(os.execute(("gzip -n -f '%s'"):format(path)))
  return path .. ".gz"
end

describe("load_idx", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("reads raw and gzip files alike, pixels scaled to [0, 1]", function()
    H.write_file(dir .. "/img", idx_images(3, 2, 2))
    H.write_file(dir .. "/lab", idx_labels {4, 0, 9})
    local d, rows, cols = core.load_idx(dir .. "/img", dir .. "/lab")
    assert.are.equal(3, #d)
    assert.are.same({2, 2}, {rows, cols})
    local n, inputs, classes = d:shape()
    assert.are.same({3, 4, 10}, {n, inputs, classes})
    local x, y = d:get(2)
    assert.are.equal(0, y) -- item 2's digit
    assert.is_true(math.abs(x[1][1] - ((5 * 7) % 256) / 255) < 1e-7)
    assert.are.equal(0, d:label(2))
    assert.are.equal(9, d:label(3))
    local gimg, glab = gzip(dir .. "/img"), gzip(dir .. "/lab")
    local g = core.load_idx(gimg, glab)
    assert.are.equal(#d, #g)
    for i = 1, 3 do
      assert.are.equal(d:pixels(i), g:pixels(i))
      assert.are.equal(d:label(i), g:label(i))
    end
  end)

  it("names the file and the problem for each kind of bad file", function()
    H.write_file(dir .. "/img", idx_images(3, 2, 2))
    H.write_file(dir .. "/lab", idx_labels {1, 2, 3})
    H.write_file(dir .. "/short", idx_images(3, 2, 2):sub(1, -3))
    H.write_file(dir .. "/magic", idx_images(3, 2, 2, 2049))
    H.write_file(dir .. "/lab4", idx_labels {1, 2, 3, 4})
    H.write_file(dir .. "/hdr", "\0\0\8")
    H.write_file(dir .. "/big", idx_labels {1, 2, 12})
    H.write_file(dir .. "/trail", idx_images(3, 2, 2) .. "xx")
    H.error_matches(function() core.load_idx(dir .. "/short", dir .. "/lab") end, "load_idx", dir .. "/short", "truncated")
    H.error_matches(function() core.load_idx(dir .. "/magic", dir .. "/lab") end, dir .. "/magic", "magic")
    H.error_matches(function() core.load_idx(dir .. "/img", dir .. "/lab4") end, "3 images", "4 labels")
    H.error_matches(function() core.load_idx(dir .. "/hdr", dir .. "/lab") end, dir .. "/hdr")
    H.error_matches(function() core.load_idx(dir .. "/nope", dir .. "/lab") end, dir .. "/nope")
    H.error_matches(function() core.load_idx(dir .. "/img", dir .. "/big") end, "label 12", "out of range")
    H.error_matches(function() core.load_idx(dir .. "/trail", dir .. "/lab") end, dir .. "/trail", "trailing")
    local short = gzip(dir .. "/short")
    H.error_matches(function() core.load_idx(short, dir .. "/lab") end, short)
    -- a gzip stream cut in the middle
    H.write_file(dir .. "/cut", idx_images(300, 28, 28))
    local cut = gzip(dir .. "/cut")
    local bytes = H.read_file(cut)
    H.write_file(cut, bytes:sub(1, #bytes // 2))
    H.error_matches(function() core.load_idx(cut, dir .. "/lab") end, cut)
  end)

  it("rejects bad arguments", function()
    H.error_matches(function() core.load_idx() end, "bad argument #1 to 'load_idx'")
    H.error_matches(function() core.load_idx("a", {}) end, "bad argument #2 to 'load_idx'")
    H.error_matches(function() core.load_idx("a", "b", 0) end, "bad argument #3 to 'load_idx'", "classes")
  end)
end)

describe("mnist_loader.problem", function()
  it("gives what files() refuses in two parts, the error's own text", function()
    local dir = H.tmpdir()
    local F = loader.FILES
    for _, k in ipairs {"train_images", "train_labels", "test_images", "test_labels"} do
      local f = assert(io.open(dir .. "/" .. F[k], "wb"))
      f:write(k:match("images") and idx_images(2, 28, 28) or idx_labels {1, 2})
      f:close()
    end
    assert.is_nil(loader.problem(dir))
    -- the expanded pair is missing: the fix is lnn expand, not lnn data fetch
    local what, fix = loader.problem(dir, true)
    assert.equal(F.expanded_images .. ".gz not found in " .. dir, what)
    assert.truthy(fix:find("`lnn expand` writes it", 1, true), fix)
    local ok, err = pcall(loader.files, dir, true)
    assert.is_false(ok)
    assert.equal("mnist_loader: " .. what .. fix, err)
    os.remove(dir .. "/" .. F.test_labels)
    what, fix = loader.problem(dir)
    assert.equal(F.test_labels .. ".gz not found in " .. dir, what)
    assert.truthy(fix:find("`lnn data fetch` downloads MNIST", 1, true), fix)
    ok, err = pcall(loader.files, dir)
    assert.equal("mnist_loader: " .. what .. fix, err)
  end)
end)

describe("mnist_loader on real MNIST #slow #mnist", function()
  local dir = H.mnist_dir()
  assert(dir, "MNIST is missing: run scripts/setup.sh")

  it("load_data splits 50,000 / 10,000 / 10,000 with the known first labels", function()
    local tr, va, te = loader.load_data(dir)
    assert.are.same({50000, 10000, 10000}, {#tr, #va, #te})
    local first = {}
    for i = 1, 10 do first[i] = tr:label(i) end
    assert.are.same({5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, first)
    for i = 1, 10 do first[i] = te:label(i) end
    assert.are.same({7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, first)
    local x, y = tr:get(1)
    assert.are.same({784, 1}, {x:shape()})
    assert.are.equal(5, y)
    assert.is_true(x:sum() > 50 and x:sum() < 200) -- a 5 covers about 100 pixels' worth of ink
  end)

  it("load_data_wrapper gives the book's shapes", function()
    local tr, va, te = loader.load_data_wrapper(dir)
    local pair = tr[1]
    assert.are.same({784, 1}, {pair[1]:shape()})
    assert.are.same({10, 1}, {pair[2]:shape()})
    assert.are.equal(1, pair[2][6][1])
    assert.are.equal(1, pair[2]:sum())
    assert.are.equal("number", type(va[1][2]))
    assert.are.equal(7, te[1][2])
    -- the validation set is the end of the training file: its first item is item 50,001
    local all = core.load_idx(loader.path(dir, loader.FILES.train_images), loader.path(dir, loader.FILES.train_labels))
    assert.are.equal(all:pixels(50001), va:pixels(1))
  end)

  it("slices are 1-based inclusive views", function()
    local tr = loader.load_data(dir)
    local s = tr:slice(11, 20)
    assert.are.equal(10, #s)
    assert.are.equal(tr:pixels(11), s:pixels(1))
    assert.are.equal(tr:label(20), s:label(10))
    local ss = s:slice(2, 3)
    assert.are.equal(tr:pixels(12), ss:pixels(1))
    H.error_matches(function() tr:slice(0, 5) end, "bad argument #1 to 'slice'", "out of range")
    H.error_matches(function() tr:slice(5, 4) end, "bad argument #2 to 'slice'")
    H.error_matches(function() tr:slice(1, 50001) end, "out of range")
    assert.is_nil(tr[0]) -- past either end: nil, as a Lua sequence (issue 22)
    assert.is_nil(s[11])
  end)

  it("loads all of MNIST from gz", function()
    -- how fast is `lnn bench`'s to say ("load MNIST (70,000 images, gz)"), not a spec's
    local training, validation, test = loader.load_data(dir)
    assert.are.same({50000, 10000, 10000}, {#training, #validation, #test})
  end)

  it("vectorized_result and its bad arguments", function()
    local e = loader.vectorized_result(3)
    assert.are.equal(1, e[4][1])
    assert.are.equal(1, e:sum())
    H.error_matches(function() loader.vectorized_result(10) end, "vectorized_result", "0..9")
    H.error_matches(function() loader.load_data(5) end, "bad argument #1 to 'load_data'")
    H.error_matches(function() loader.load_data("/nonexistent") end, "not found in /nonexistent")
  end)

  it("load_data{expanded = true} takes the expanded training set, keeps validation and test", function()
    local tmp = H.tmpdir()
    for _, name in ipairs {"train_images", "train_labels", "test_images", "test_labels"} do
      local src = loader.path(dir, loader.FILES[name])
      H.write_file(tmp .. "/" .. src:match("[^/]+$"), H.read_file(src))
    end
    local n = 12
    local pix = {}
    for i = 1, n * 784 do pix[i] = string.char((i * 7) % 256) end
    local labels = {}
    for i = 1, n do labels[i] = string.char((i * 3) % 10) end
    core.write_idx(tmp .. "/" .. loader.FILES.expanded_images .. ".gz", 2051, {n, 28, 28}, table.concat(pix))
    core.write_idx(tmp .. "/" .. loader.FILES.expanded_labels .. ".gz", 2049, {n}, table.concat(labels))
    local tr, va, te = loader.load_data(tmp, {expanded = true})
    assert.are.equal(n, #tr)
    assert.are.equal(10000, #va)
    assert.are.equal(10000, #te)
    assert.are.equal(3, tr:label(1))
    assert.are.equal(6, tr:label(2))
    local wtr = loader.load_data_wrapper(tmp, {expanded = true})
    assert.are.equal(n, #wtr)
    os.remove(tmp .. "/" .. loader.FILES.expanded_labels .. ".gz")
    H.error_matches(function() loader.load_data(tmp, {expanded = true}) end,
      loader.FILES.expanded_labels, "expand_mnist.lua")
    H.error_matches(function() loader.load_data(tmp, {expand = true}) end, "unknown option 'expand'")
    H.error_matches(function() loader.load_data(tmp, 3) end, "bad argument #2 to 'load_data'")
  end)
end)
