-- lnn.core.tools: the shift kernel and its naive twin against a plain-Lua
-- reference on odd sizes, expand's order and shuffle, IDX round trips, the
-- SVM's kernel tables against each other, confusion counts, the pictures
-- (read back: signature, CRC, size, pixels) and every argument check.
local core = require "lnn.core"
local H = require "helpers"
local P = require "png_check"

local T = core.tools

-- n random byte images (rows x cols) with labels 0..k-1, as a data set loaded from IDX
local function byte_data(dir, n, rows, cols, k, seed, fill)
  local rng = core.Rng(seed or 1)
  local px, lb = {}, {}
  for i = 1, n * rows * cols do px[i] = fill and fill(i) or (rng:random(256) - 1) end
  for i = 1, n do lb[i] = (i - 1) % k end
  local ip, lp = dir .. "/x-" .. n .. "-" .. (seed or 1), dir .. "/y-" .. n .. "-" .. (seed or 1)
  core.write_idx(ip, 2051, {n, rows, cols}, string.char(table.unpack(px)), 0)
  core.write_idx(lp, 2049, {n}, string.char(table.unpack(lb)), 0)
  return (core.load_idx(ip, lp, k))
end

-- expand_mnist.py's shift, spelled out: np.roll then zero the vacated line
local function ref_shift(s, rows, cols, dr, dc)
  local out = {}
  for r = 0, rows - 1 do
    for c = 0, cols - 1 do
      local sr, sc = r - dr, c - dc
      out[#out + 1] = (sr >= 0 and sr < rows and sc >= 0 and sc < cols) and s:byte(sr * cols + sc + 1) or 0
    end
  end
  return string.char(table.unpack(out))
end

describe("lnn.core.tools", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("shift: the fast kernel and its naive twin equal the reference on odd sizes and every shift", function()
    local rng = core.Rng(7)
    for _, shape in ipairs {{1, 1}, {2, 3}, {5, 7}, {7, 5}, {28, 28}, {3, 17}} do
      local rows, cols = shape[1], shape[2]
      local t = {}
      for i = 1, rows * cols do t[i] = rng:random(255) end
      local img = string.char(table.unpack(t))
      for dr = -(rows - 1), rows - 1 do
        for dc = -(cols - 1), cols - 1 do
          local want = ref_shift(img, rows, cols, dr, dc)
          assert.are.equal(want, T.shift(img, rows, cols, dr, dc), ("%dx%d by %d,%d"):format(rows, cols, dr, dc))
          assert.are.equal(want, T.shift(img, rows, cols, dr, dc, true))
        end
      end
    end
  end)

  it("expand: image then its shifts down, up, right, left, labels kept; naive twin agrees", function()
    local d = byte_data(dir, 3, 5, 7, 10)
    local e, en = T.expand(d, 5, 7), T.expand(d, 5, 7, nil, true)
    assert.are.equal(15, #e)
    assert.are.same({15, 35, 10}, {e:shape()})
    local shifts = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}}
    for i = 1, 3 do
      for s, sh in ipairs(shifts) do
        local j = 5 * (i - 1) + s
        assert.are.equal(ref_shift(d:pixels(i), 5, 7, sh[1], sh[2]), e:pixels(j), "item " .. j)
        assert.are.equal(e:pixels(j), en:pixels(j))
        assert.are.equal(d:label(i), e:label(j))
      end
    end
    -- the vacated line is zero: the top row of "down", the last column of "left"
    assert.are.equal(string.rep("\0", 7), e:pixels(2):sub(1, 7))
    for r = 0, 4 do assert.are.equal(0, e:pixels(5):byte(r * 7 + 7)) end
  end)

  it("expand with an Rng puts item j at the engine permutation's place; same seed, same bytes", function()
    local d = byte_data(dir, 4, 6, 5, 3)
    local plain = T.expand(d, 6, 5)
    local a, b, c = T.expand(d, 6, 5, core.Rng(9)), T.expand(d, 6, 5, core.Rng(9)), T.expand(d, 6, 5, core.Rng(10))
    local perm = core.Rng(9):permutation(20)
    local same, differs = true, false
    for j = 1, 20 do
      assert.are.equal(plain:pixels(j), a:pixels(perm[j]))
      assert.are.equal(plain:label(j), a:label(perm[j]))
      same = same and a:pixels(j) == b:pixels(j)
      differs = differs or a:pixels(j) ~= c:pixels(j)
    end
    assert.is_true(same)
    assert.is_true(differs)
  end)

  it("expand works a thousand images at a time: progress after each, every image where it belongs", function()
    -- 2,500 images of 2 x 2: chunks of 1000, 1000 and 500 (no call for the short last one)
    local d = byte_data(dir, 2500, 2, 2, 10, 5)
    local calls = {}
    local plain = T.expand(d, 2, 2, nil, false, function(j) calls[#calls + 1] = j end)
    assert.are.same({1000, 2000}, calls)
    local shifts = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}}
    for _, i in ipairs {1, 999, 1000, 1001, 2000, 2001, 2500} do
      for s, sh in ipairs(shifts) do
        local j = 5 * (i - 1) + s
        assert.are.equal(ref_shift(d:pixels(i), 2, 2, sh[1], sh[2]), plain:pixels(j), "item " .. j)
        assert.are.equal(d:label(i), plain:label(j))
      end
    end
    calls = {}
    local shuffled = T.expand(d, 2, 2, core.Rng(6), false, function(j) calls[#calls + 1] = j end)
    assert.are.same({1000, 2000}, calls)
    local perm = core.Rng(6):permutation(12500)
    for j = 1, 12500 do
      if plain:pixels(j) ~= shuffled:pixels(perm[j]) or plain:label(j) ~= shuffled:label(perm[j]) then
        error("item " .. j .. " is not at the permutation's place " .. perm[j])
      end
    end
    H.error_matches(function() T.expand(d, 2, 2, nil, false, "x") end, "bad argument #6 to 'expand'", "function expected")
    H.error_matches(function() T.expand(d, 2, 2, nil, false, function() error("stop here") end) end, "stop here")
  end)

  it("write_idx_pair: the expanded set round-trips through gzip IDX files", function()
    local d = byte_data(dir, 5, 4, 4, 10)
    local e = T.expand(d, 4, 4, core.Rng(1))
    T.write_idx_pair(e, dir .. "/ei.gz", dir .. "/el.gz", 4, 4)
    local r, rows, cols = core.load_idx(dir .. "/ei.gz", dir .. "/el.gz")
    assert.are.same({25, 4, 4}, {#r, rows, cols})
    for j = 1, 25 do
      assert.are.equal(e:pixels(j), r:pixels(j))
      assert.are.equal(e:label(j), r:label(j))
    end
    assert.are.equal("\31\139", H.read_file(dir .. "/ei.gz"):sub(1, 2)) -- gzip magic
    T.write_idx_pair(e, dir .. "/ri", dir .. "/rl", 4, 4, 0)
    assert.are.equal(16 + 25 * 16, #H.read_file(dir .. "/ri"))
  end)

  it("expand, shift and write_idx_pair reject bad arguments with clear errors", function()
    local d = byte_data(dir, 2, 4, 4, 10)
    local floats = core.Data({{0.5, 0.5}}, {1})
    H.error_matches(function() T.expand(d, 4, 5) end, "'expand'", "4 x 5 = 20 pixels per image expected, got 16")
    H.error_matches(function() T.expand(floats, 1, 2) end, "'expand'", "byte images", "floats")
    H.error_matches(function() T.expand({}, 4, 4) end, "lnn.Data expected, got table")
    H.error_matches(function() T.expand(d, 4, 4, "seed") end, "lnn.Rng expected, got string")
    H.error_matches(function() T.shift("abc", 2, 2, 0, 0) end, "4 bytes (2 x 2) expected, got 3")
    H.error_matches(function() T.shift("abcd", 2, 2, 2, 0) end, "row shift must be within the image")
    H.error_matches(function() T.write_idx_pair(d, dir .. "/none/x", dir .. "/y", 4, 4) end, "write_idx_pair", dir .. "/none/x")
    H.error_matches(function() T.write_idx_pair(d, dir .. "/x", dir .. "/y", 4, 4, 10) end, "gzip level must be 0 to 9")
  end)

  it("svm: a separable problem is learnt; naive and SIMD kernel tables give the same weights", function()
    -- class c lights pixel block c brightly: linearly separable
    local n, k, side = 90, 3, 5
    local rng = core.Rng(3)
    local d = byte_data(dir, n, side, side, k, 2, function(i)
      local item, p = (i - 1) // (side * side), (i - 1) % (side * side)
      local cls = item % k
      return (p // 8 == cls) and 150 + rng:random(100) or rng:random(60)
    end)
    local W, passes, gap = T.svm_train(d, {C = 1, epochs = 50, kernels = "naive"})
    assert.are.same({3, 26}, {W:shape()})
    assert.is_true(passes >= 1 and passes <= 50)
    assert.is_true(gap >= 0)
    local correct, pred = T.svm_predict(W, d)
    assert.are.equal(n, correct)
    assert.are.equal(n, #pred)
    local Wb = T.svm_train(d, {C = 1, epochs = 50, kernels = "best"})
    assert.is_true(W:maxabsdiff(Wb) < 1e-3, "naive vs best: " .. W:maxabsdiff(Wb))
    -- same seed, same weights; the order changes with the seed
    assert.are.equal(0, Wb:maxabsdiff(T.svm_train(d, {C = 1, epochs = 50})))
  end)

  it("svm_train and svm_predict check options and shapes", function()
    local d = byte_data(dir, 6, 2, 2, 2)
    H.error_matches(function() T.svm_train(d, {c = 1}) end, "unknown option 'c' to 'svm_train'")
    H.error_matches(function() T.svm_train(d, {C = -1}) end, "bad option 'C' to 'svm_train' (positive number expected")
    H.error_matches(function() T.svm_train(d, {epochs = 0}) end, "bad option 'epochs' to 'svm_train'")
    H.error_matches(function() T.svm_train(d, {kernels = "sse9"}) end, "kernel table 'sse9' is not available")
    H.error_matches(function() T.svm_predict(core.Matrix(2, 4), d) end, "'svm_predict'", "k x 5 weights for 4 inputs expected, got 2x4")
  end)

  it("confusion: counts per (label, prediction), the number correct and the misclassified items", function()
    local d = byte_data(dir, 6, 2, 2, 3) -- labels 0 1 2 0 1 2
    local counts, correct, failed = T.confusion(d, {0, 2, 2, 1, 1, 0})
    assert.are.same({{1, 1, 0}, {0, 1, 1}, {1, 0, 1}}, counts)
    assert.are.equal(3, correct)
    assert.are.same({2, 4, 6}, failed)
    H.error_matches(function() T.confusion(d, {0, 1}) end, "6 predictions expected, got 2")
    H.error_matches(function() T.confusion(d, {0, 1, 2, 3, 0, 0}) end, "prediction 4: class 0..2 expected, got 3")
  end)

  it("gather and rows_to_bytes: item bytes in the order asked; rows scaled to 0..255", function()
    local d = byte_data(dir, 4, 2, 2, 4)
    assert.are.equal(d:pixels(3) .. d:pixels(1), T.gather(d, {3, 1}))
    H.error_matches(function() T.gather(d, {5}) end, "index 1: item 1..4 expected, got 5")
    local b = T.rows_to_bytes(core.Matrix {{-1, 0, 1}, {2, 2, 2}})
    assert.are.same({0, 128, 255, 128, 128, 128}, {b:byte(1, -1)})
  end)

  it("write_sheet: a grid of tiles with captions, read back (signature, CRC, size, pixels)", function()
    local img = string.char(0, 255, 128, 0) .. string.char(255, 255, 255, 255) .. string.char(10, 20, 30, 40)
    local path = dir .. "/sheet.png"
    local w, h = T.write_sheet(path, img, 3, 2, 2, {columns = 2, scale = 3, pad = 2, invert = true,
      captions = {"1>7", "2", "3>4"}})
    -- cells are 2*3 + 2*2 = 10 wide and 10 + 7 + 2 = 19 tall; 2 columns, 2 rows
    assert.are.same({20, 38}, {w, h})
    assert.are.same({20, 38, 2}, {P.check(path)})
    assert.are.same({"IHDR", "IDAT", "IEND"}, P.chunk_types(path))
    local rw, rh, ch, pix = core.read_png(path)
    assert.are.same({20, 38, 3}, {rw, rh, ch})
    -- image 1 pixel (0, 0) = 0 inverted to 255, at (pad + 0..2, pad + 0..2); pixel (1, 0) = 255 -> 0
    assert.are.same({255, 255, 255}, {P.pixel(pix, w, 3, 2, 2)})
    assert.are.same({0, 0, 0}, {P.pixel(pix, w, 3, 2 + 3, 2 + 2)})
    -- image 3 (second row, first column): pixel (1, 1) = 40 -> 215
    assert.are.same({215, 215, 215}, {P.pixel(pix, w, 3, 2 + 3, 19 + 2 + 3)})
    -- caption 1 "1>7": the '7' after '>' is red, the '1' black; the empty 4th cell is paper
    local red, black = 0, 0
    for y = 10, 16 do
      for x = 0, 19 do
        local r, g, bl = P.pixel(pix, w, 3, x, y)
        if r == 200 and g == 0 and bl == 0 then red = red + 1 end
        if r == 0 and g == 0 and bl == 0 then black = black + 1 end
      end
    end
    assert.is_true(red > 0 and black > 0, ("red %d, black %d"):format(red, black))
    assert.are.same({230, 230, 230}, {P.pixel(pix, w, 3, 15, 25)})
    -- a flipped byte in the image data is caught by the CRC
    local s = H.read_file(path)
    H.write_file(dir .. "/bad.png", s:sub(1, 45) .. string.char(s:byte(46) ~ 1) .. s:sub(47))
    H.error_matches(function() core.read_png(dir .. "/bad.png") end, "bad crc")
  end)

  it("write_sheet checks its arguments", function()
    local img = string.rep("\0", 8)
    H.error_matches(function() T.write_sheet(dir .. "/s.png", img, 3, 2, 2) end, "12 bytes (3 images of 2 x 2) expected, got 8")
    H.error_matches(function() T.write_sheet(dir .. "/s.png", img, 2, 2, 2, {colums = 2}) end, "unknown option 'colums' to 'write_sheet'")
    H.error_matches(function() T.write_sheet(dir .. "/s.png", img, 2, 2, 2, {captions = {"1", "x"}}) end, "caption 2", "got x")
    H.error_matches(function() T.write_sheet(dir .. "/s.png", img, 2, 2, 2, {captions = {"1"}}) end, "2 strings expected, got 1")
    H.error_matches(function() T.write_sheet(dir .. "/no/s.png", img, 2, 2, 2) end, "write_sheet", dir .. "/no/s.png")
  end)

  it("write_confusion_png: header and count cells, diagonal green, the worst confusion red", function()
    local path = dir .. "/c.png"
    local counts = {{50, 0, 5}, {1, 40, 0}, {0, 0, 30}}
    local w, h = T.write_confusion_png(path, counts)
    -- 4 cells across of 4 * 12 + 12 = 60 px; 4 down of 7 * 2 + 10 = 24 px
    assert.are.same({240, 96}, {w, h})
    assert.are.same({240, 96, 2}, {P.check(path)})
    local _, _, _, pix = core.read_png(path)
    local function cell(r, c) return P.pixel(pix, w, 3, c * 60 + 3, r * 24 + 3) end
    local r, g, b = cell(3, 3) -- label 2, predicted 2: all of its row, full green
    assert.are.same({80, 200, 80}, {r, g, b})
    r, g, b = cell(1, 1) -- label 0: 50 of 55
    assert.are.same({96, 205, 96}, {r, g, b})
    r, g, b = cell(1, 3) -- label 0 predicted 2: the largest confusion, full red
    assert.are.same({220, 70, 70}, {r, g, b})
    assert.are.same({255, 255, 255}, {cell(1, 2)}) -- a zero
    assert.are.same({255, 255, 255}, {cell(0, 1)}) -- the header
    H.error_matches(function() T.write_confusion_png(path, {{1, 2}, {3}}) end, "row 2: 2 counts expected")
  end)

  it("dir and mkdir: files with modification times; folders made once", function()
    T.mkdir(dir .. "/sub")
    T.mkdir(dir .. "/sub") -- exists: fine
    H.write_file(dir .. "/sub/a", "x")
    H.write_file(dir .. "/sub/bb", "yy")
    local list = T.dir(dir .. "/sub")
    table.sort(list, function(p, q) return p.name < q.name end)
    assert.are.equal(2, #list)
    assert.are.same({"a", 1}, {list[1].name, list[1].size})
    assert.are.same({"bb", 2}, {list[2].name, list[2].size})
    assert.is_true(list[1].mtime > 1e9)
    H.error_matches(function() T.dir(dir .. "/nope") end, "dir: " .. dir .. "/nope")
    H.error_matches(function() T.mkdir(dir .. "/sub/a") end, "exists and is not a folder")
    -- missing parents are made, as mkdir -p; a file on the way is named
    T.mkdir(dir .. "/p/q//r/")
    assert.are.equal(0, #T.dir(dir .. "/p/q/r"))
    H.error_matches(function() T.mkdir(dir .. "/sub/a/b/c") end, "mkdir: " .. dir .. "/sub/a exists and is not a folder")
  end)
end)
