-- What an atomic save may replace (csrc/sys/fileio.c, through every writer: the
-- model format, network2's JSON, core.write_file as --metrics uses it, PNG and
-- IDX files).  The target must be absent, a regular file or a symlink; a
-- symlink is followed and the file it names replaced in its own folder, the
-- link kept; anything else is refused before any work.  A replaced file keeps
-- its permission bits; no temporary file outlives a failed save.
local core = require "lnn.core"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local H = require "helpers"

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  p:close()
  return (out:gsub("%s+$", ""))
end

-- "regular file", "symbolic link", "character special file", "fifo", "directory", "socket"
local function kind(path) return sh(("stat -c %%F '%s'"):format(path)) end
local function mode(path) return sh(("stat -L -c %%a '%s'"):format(path)) end

local leftovers = H.leftovers

-- every writer, as a function of the target path; each returns the bytes a
-- reader should find there afterwards (nil: any non-empty content)
local function writers()
  local net = network.Network({3, 2}, {seed = 1})
  local net2 = network2.Network({3, 2}, nil, {seed = 1})
  return {
    {"network save (lnn.model)", function(p) net:save(p) end, function(p) return network.load(p) end},
    {"network2 save", function(p) net2:save(p) end, function(p) return network2.load(p) end},
    {"core.write_file (--metrics)", function(p) core.write_file(p, "{\"epochs\":[]}\n") end,
     function(p) return H.read_file(p) == "{\"epochs\":[]}\n" or error("content differs") end},
    {"core.write_png", function(p) core.write_png(p, string.rep("\0", 4), 2, 2) end,
     function(p) return core.read_png(p) end},
    {"core.write_idx", function(p) core.write_idx(p, 0x801, {3}, "abc", 0) end,
     function(p) return #H.read_file(p) == 11 or error("size differs") end},
  }
end

describe("save targets #slow #process", function()
  local dir, cleanup
  before_each(function() dir, cleanup = H.tmpdir() end)
  after_each(function() cleanup() end)

  it("a symlink is followed: the file it names is replaced, in its own folder, and the link stays", function()
    os.execute(("mkdir '%s/real' '%s/links'"):format(dir, dir))
    for i, w in ipairs(writers()) do
      local target = ("%s/real/f%d"):format(dir, i)
      local link = ("%s/links/l%d"):format(dir, i)
      H.write_file(target, "old")
      -- a relative link, resolved from the link's folder (not the working directory)
      os.execute(("ln -s '../real/f%d' '%s'"):format(i, link))
      w[2](link)
      assert.are.equal("symbolic link", kind(link), w[1])
      assert.are.equal("regular file", kind(target), w[1])
      assert.are_not.equal("old", H.read_file(target), w[1] .. ": the file the link names was not written")
      assert.truthy(w[3](link), w[1])
      -- a chain of two links, and a dangling link (its file is created)
      local link2 = ("%s/links/m%d"):format(dir, i)
      os.execute(("ln -s 'l%d' '%s'"):format(i, link2))
      w[2](link2)
      assert.are.equal("symbolic link", kind(link2), w[1])
      local dangling = ("%s/links/d%d"):format(dir, i)
      os.execute(("ln -s '../real/new%d' '%s'"):format(i, dangling))
      w[2](dangling)
      assert.are.equal("symbolic link", kind(dangling), w[1])
      assert.are.equal("regular file", kind(("%s/real/new%d"):format(dir, i)), w[1])
    end
    assert.are.equal(0, (leftovers(dir .. "/real")))
    assert.are.equal(0, (leftovers(dir .. "/links")))
  end)

  it("a device node, fifo, directory or socket is refused before any work, and left as it was", function()
    local specials = {}
    -- a null device of our own (mknod needs root; skipped with a note otherwise)
    if os.execute(("mknod '%s/dev' c 1 3 2>/dev/null"):format(dir)) then
      specials[#specials + 1] = {dir .. "/dev", "character special file", "character device"}
    else
      print("save_target_spec: not root, no device node case")
    end
    assert(os.execute(("mkfifo '%s/fifo'"):format(dir)))
    specials[#specials + 1] = {dir .. "/fifo", "fifo", "fifo"}
    assert(os.execute(("mkdir '%s/folder'"):format(dir)))
    specials[#specials + 1] = {dir .. "/folder", "directory", "directory"}
    sh(("/usr/bin/python3 -c \"import socket; socket.socket(socket.AF_UNIX).bind('%s/sock')\""):format(dir))
    assert.are.equal("socket", kind(dir .. "/sock"))
    specials[#specials + 1] = {dir .. "/sock", "socket", "socket"}
    -- a symlink to one is refused the same way, the link left alone
    os.execute(("ln -s fifo '%s/tofifo'"):format(dir))
    specials[#specials + 1] = {dir .. "/tofifo", "symbolic link", "fifo"}
    for _, w in ipairs(writers()) do
      for _, s in ipairs(specials) do
        local ok, err = pcall(w[2], s[1])
        assert.is_false(ok, ("%s onto a %s succeeded"):format(w[1], s[3]))
        err = tostring(err)
        assert.truthy(err:find(s[1], 1, true), w[1] .. ": " .. err)
        assert.truthy(err:find("is a " .. s[3] .. ", not a regular file", 1, true), w[1] .. ": " .. err)
        assert.falsy(err:find("%.c:%d+:") or err:find("lnn/[%w_]+%.lua:%d+:"), w[1] .. ": " .. err)
        assert.are.equal(s[2], kind(s[1]), w[1] .. " replaced the " .. s[3])
      end
    end
    local n, names = leftovers(dir)
    assert.are.equal(0, n, names)
  end)

  it("a replaced file keeps its permission bits; a new one gets the umask's", function()
    for i, w in ipairs(writers()) do
      for _, m in ipairs {"600", "640", "755", "444"} do
        local p = ("%s/f%d-%s"):format(dir, i, m)
        H.write_file(p, "old")
        os.execute(("chmod %s '%s'"):format(m, p))
        w[2](p)
        assert.are.equal(m, mode(p), w[1])
        assert.are_not.equal("old", H.read_file(p), w[1])
      end
      -- through a link too: the mode of the file it names
      local t, l = ("%s/t%d"):format(dir, i), ("%s/l%d"):format(dir, i)
      H.write_file(t, "old")
      os.execute(("chmod 604 '%s' && ln -s '%s' '%s'"):format(t, t, l))
      w[2](l)
      assert.are.equal("604", mode(t), w[1])
      local fresh = ("%s/new%d"):format(dir, i)
      w[2](fresh)
      local umask = tonumber(sh("umask"), 8)
      assert.are.equal(("%o"):format(0x1b6 & ~umask), mode(fresh), w[1]) -- 0666 & ~umask
    end
  end)

  it("no temporary file outlives a failed save (a write that fails half-way)", function()
    -- a 1 KiB file-size limit makes the write fail with EFBIG after the temporary
    -- file exists (SIGXFSZ ignored, so the save sees the error and must clean up)
    local script = dir .. "/big.lua"
    H.write_file(script, ([[
      package.path, package.cpath = %q, %q
      local network = require "lnn.network"
      local ok, err = pcall(network.Network({100, 100}, {seed = 1}).save,
        network.Network({100, 100}, {seed = 1}), arg[1])
      print(ok, err)
    ]]):format(package.path, package.cpath))
    H.write_file(dir .. "/ckpt", "old checkpoint")
    local out = sh(("trap '' XFSZ && ulimit -f 1 && lua5.4 '%s' '%s/ckpt'"):format(script, dir))
    assert.truthy(out:find("^false"), out)
    assert.truthy(out:find("write failed", 1, true), out)
    assert.are.equal("old checkpoint", H.read_file(dir .. "/ckpt"))
    local n, names = leftovers(dir)
    assert.are.equal(0, n, names)
  end)

  it("a legal name near the 255-byte limit saves: lnn train --save trains, then writes it (issue 24)", function()
    -- "<name>.tmp.XXXXXX" passes the limit for names of 245 bytes and more; such a
    -- save used to fail only once the epoch was trained ("File name too long")
    local data = assert(H.mnist_dir(), "MNIST is missing: run scripts/setup.sh")
    for _, len in ipairs {244, 245, 255} do
      local name = ("%s/%s"):format(dir, ("n"):rep(len))
      local out, status = H.run_train(("--data %s --train-size 1000 --epochs 1 --quiet --save %s --metrics %s")
        :format(data, name, name:sub(1, -2) .. "m"))
      assert.are.equal(0, status, out)
      assert.are.equal(1, network.load(name).epoch)
      assert.truthy(H.read_file(name:sub(1, -2) .. "m"):find('"epochs"', 1, true))
    end
    -- every writer, at 255 bytes
    for i, w in ipairs(writers()) do
      local name = ("%s/%d%s"):format(dir, i, ("w"):rep(254))
      w[2](name)
      assert.truthy(io.open(name), w[1])
    end
    local n, names = leftovers(dir)
    assert.are.equal(0, n, names)
  end)
end)
