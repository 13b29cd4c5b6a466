--- lnn expand: expand_mnist.py.  The 50,000 training images become 250,000:
-- each image and its one-pixel shifts down, up, right and left (the vacated
-- line zeroed), shuffled by --seed, written as two gzip IDX files into the
-- data folder, where lnn.mnist_loader.load_data(dir, {expanded = true}) reads
-- them.  Existing output is kept unless --force.  The shifts run in C, a
-- thousand images at a time, reporting "Expanding image number N" after each
-- thousand as expand_mnist.py does (--quiet: only the summary lines).
-- @internal lnn.commands.expand
local core = require "lnn.core"
local cli = require "lnn.cli"
local mnist_loader = require "lnn.mnist_loader"
local toolkit = require "lnn.commands.toolkit"

local M = {summary = "write the 250,000-image expanded training set (expand_mnist.py)"}
M.flags = {
  {name = "data", kind = "string", help = "folder with the MNIST files; the output goes there too", arg = "DIR"},
  {name = "seed", kind = "int", default = 1, help = "seed of the shuffle"},
  {name = "level", kind = "int", default = 1, help = "gzip level 1..9 (1 is fastest)",
   check = function(v) if v < 1 or v > 9 then return "must be 1 to 9" end end},
  {name = "force", kind = "flag", help = "rewrite the expanded files if they exist"},
  {name = "quiet", kind = "flag", help = "no \"Expanding image number N\" line every 1000 images"},
  {name = "rss", kind = "flag", help = "print the peak resident memory (VmHWM) at the end"},
}
M.about = "Writes MNIST's 50,000 training images and their four one-pixel shifts, shuffled\n"
  .. "(250,000 images), as mnist-expanded-train-{images-idx3,labels-idx1}-ubyte.gz."

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about)
  cli.no_arguments(opts, prog)
  local t0 = core.clock()
  local dir = opts.data
  if not dir then
    local err
    dir, err = mnist_loader.find()
    if not dir then cli.die(prog, err) end
  end
  local F = mnist_loader.FILES
  local images = ("%s/%s.gz"):format(dir, F.expanded_images)
  local labels = ("%s/%s.gz"):format(dir, F.expanded_labels)
  if not opts.force and exists(images) and exists(labels) then
    -- kept only when it is the expansion of the training files there now (the manifest says so)
    local why = mnist_loader.problem(dir, true)
    if not why or not mnist_loader.manifest(dir) then
      print(("The expanded training set already exists in %s; kept (--force rewrites it)."):format(dir))
      return 0
    end
    print(("The expanded training set in %s is refused (%s); writing it again.")
      :format(dir, why))
  end
  print("Expanding the MNIST training set")
  local training = mnist_loader.load_data(dir) -- an error: cli.run says it
  local t1 = core.clock()
  local progress = not opts.quiet and function(j) print("Expanding image number " .. j) end or nil
  local expanded = core.tools.expand(training, 28, 28, core.Rng(opts.seed), false, progress)
  local t2 = core.clock()
  print(("Saving expanded data (%d images). This may take a few seconds."):format(#expanded))

  -- both files are staged, then published with the checksums of the training files they come
  -- from (mnist_loader._publish): a failure or an interrupt leaves no half pair that is read, and
  -- new training files make this pair refused until it is made again
  mnist_loader._unstage(dir)
  local tmp_images = mnist_loader._stage_name(dir, F.expanded_images .. ".gz")
  local tmp_labels = mnist_loader._stage_name(dir, F.expanded_labels .. ".gz")
  local okw, err = pcall(core.tools.write_idx_pair, expanded, tmp_images, tmp_labels, 28, 28, opts.level)
  if okw then
    okw, err = pcall(mnist_loader._publish, dir, {
      {key = "expanded_images", path = tmp_images, name = F.expanded_images .. ".gz"},
      {key = "expanded_labels", path = tmp_labels, name = F.expanded_labels .. ".gz"}})
  end
  mnist_loader._unstage(dir)
  if not okw then cli.die(prog, mnist_loader._unstaged(err)) end
  local t3 = core.clock()
  print(("Wrote %s and %s"):format(images, labels))
  print(("%d -> %d images; load %.2f s, expand and shuffle %.2f s, compress and write %.2f s, total %.2f s")
    :format(#training, #expanded, t1 - t0, t2 - t1, t3 - t2, t3 - t0))
  if opts.rss then print(("peak RSS: %s kB"):format(toolkit.peak_rss_kb() or "?")) end
  return 0
end

return M
