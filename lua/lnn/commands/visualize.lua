--- lnn visualize: test1.visualizeResults and test1.test.  For a saved network
-- it writes every misclassified digit as
-- OUT/failed/<predicted>/<index>--correct-<label>.png (and the correct ones under
-- OUT/passed/ with --save-successes), one contact sheet of all the misclassified
-- digits with their labels, the confusion matrix (printed and as a PNG) and the
-- first layer's weights as 28x28 images (a conv net's filters as 5x5 ones).
-- It reads every network file lnn writes (lnn.model.load_any).  --checkpoints
-- DIR scores every saved network in a folder instead, oldest first.  Predictions and pictures run in C.
-- @internal lnn.commands.visualize
local core = require "lnn.core"
local cli = require "lnn.cli"
local model = require "lnn.model"
local mnist_loader = require "lnn.mnist_loader"
local toolkit = require "lnn.commands.toolkit"

local tools = core.tools
local MARK = ".lnn-visualize" -- marks a folder this command wrote, so it may remove it

local M = {summary = "pictures of what a saved network gets wrong, its confusion matrix and weights"}
M.flags = {
  {name = "data", kind = "string", help = "folder with the four MNIST files (.gz or raw)", arg = "DIR"},
  {name = "set", kind = "string", default = "test", help = "which set to score: test or validation",
   check = function(v) if v ~= "test" and v ~= "validation" then return "must be test or validation" end end},
  {name = "out", kind = "string", default = "results/visualize", help = "folder to write (what an earlier run wrote there is replaced)", arg = "DIR", check = cli.writable_folder},
  {name = "save-successes", kind = "flag", help = "also write the correctly classified digits under passed/"},
  {name = "columns", kind = "int", default = 25, help = "digits per row of the contact sheet", check = cli.positive},
  {name = "scale", kind = "int", default = 2, help = "enlargement of the contact sheet's digits",
   check = function(v) if v < 1 or v > 8 then return "must be 1 to 8" end end},
  {name = "checkpoints", kind = "string", help = "score every network saved in this folder, oldest first", arg = "DIR"},
}
-- every network file lnn writes: network.py's, mynet.py's, network2's JSON, network3's
M.loads = {["lnn.network.load"] = true, ["lnn.mynet.load"] = true, ["lnn.network2.load"] = true,
           ["lnn.network3.load"] = true}
M.load_takes = "a network file (saved by lnn train --save, lnn.network, lnn.network2, lnn.network3 or lnn.mynet)"
M.synopsis = "NETWORK_FILE [options] | --checkpoints DIR [options]"
M.about = "NETWORK_FILE (any network lnn saves: lnn train --save, network2's JSON, a chapter 6\n"
  .. "conv net) comes first.  Shows what the network gets\n"
  .. "wrong: PNGs of the misclassified digits, a contact sheet, the confusion matrix and the first\n"
  .. "layer's weights.  Or --checkpoints DIR: scores every network saved there, oldest first."

-- whether folder path holds nothing (no file, no folder)
local function empty_folder(path)
  local p = io.popen("ls -A " .. toolkit.quote(path) .. " 2>/dev/null")
  local any = p:read("l") ~= nil
  p:close()
  return not any
end

-- removes what an earlier run wrote in out, recognised by the names this command gives its
-- files (a run cut short wrote a part of them); other files and folders stay, and so do the
-- folders they are in
local function remove_previous(out)
  local function each(folder, pattern)
    local ok, files = pcall(tools.dir, folder)
    if not ok then return end
    for _, f in ipairs(files) do
      if f.name:match(pattern) then os.remove(folder .. "/" .. f.name) end
    end
  end
  for _, top in ipairs {"failed", "passed"} do
    for d = 0, 9 do
      local folder = ("%s/%s/%d"):format(out, top, d)
      each(folder, "^%d+%-%-correct%-%d%.png$")
      os.remove(folder) -- only if empty: remove() never removes a folder that holds anything
    end
    os.remove(out .. "/" .. top)
  end
  each(out .. "/weights", "^neuron%-%d+%.png$")
  os.remove(out .. "/weights")
  for _, name in ipairs {"misclassified.png", "confusion.png", "weights.png", "summary.json"} do
    os.remove(out .. "/" .. name)
  end
end

local function pct(k, n) return 100 * k / n end

-- --checkpoints DIR: every network saved there scored on data, oldest first, and the best
local function score_checkpoints(prog, opts, data)
  -- how many of data a network of any face classifies correctly
  local function score(net)
    local _, correct = tools.confusion(data, net:predict(data))
    return correct
  end
  local okd, files = pcall(tools.dir, opts.checkpoints)
  if not okd then cli.die(prog, files) end
  table.sort(files, function(a, b)
    if a.mtime ~= b.mtime then return a.mtime < b.mtime end
    return a.name < b.name
  end)
  print(("Scoring %d file%s in %s on the %s set (oldest first)"):format(#files, #files == 1 and "" or "s",
    opts.checkpoints, opts.set))
  local best
  for _, f in ipairs(files) do
    local path = opts.checkpoints .. "/" .. f.name
    local okl, net = pcall(model.load_any, path)
    if okl then
      local okp, correct = pcall(score, net)
      if okp then
        print(("%-24s after %3d epochs: %d / %d (%.2f%%)"):format(f.name, net.epoch or 0, correct, #data,
          pct(correct, #data)))
        if not best or correct > best.correct then best = {name = f.name, correct = correct} end
      else
        print(("%-24s skipped: %s"):format(f.name, tostring(correct)))
      end
    else
      local loader, what = model.which_loader(path)
      print(("%-24s skipped: %s"):format(f.name, what and not M.loads[loader] and ("it is " .. what)
        or cli.clean(net)))
    end
  end
  if best then print(("best: %s, %d / %d (%.2f%%)"):format(best.name, best.correct, #data, pct(best.correct, #data))) end
end

-- Makes the folder out ready for this run's files (its mark, failed/, passed/, weights/).
local function prepare_out(prog, out)
  -- OUT may hold other commands' results (it was `results` itself by default): only the files an
  -- earlier run of this command wrote (its marked folder, its names) are removed; a folder with
  -- files and no mark is not this command's to write into
  if pcall(tools.dir, out) then
    local marked = io.open(out .. "/" .. MARK) ~= nil
    if not marked and not empty_folder(out) then
      cli.die(prog, ("refusing to write into %s: it holds files lnn visualize did not write (pick another --out)"):format(out))
    end
    if marked then remove_previous(out) end
  end
  local okm, err = pcall(function()
    tools.mkdir(out)
    core.write_file(out .. "/" .. MARK, "written by lnn visualize; its next run replaces the files it wrote here, nothing else\n")
    for _, sub in ipairs {"failed", "passed", "weights"} do tools.mkdir(out .. "/" .. sub) end
  end)
  if not okm then cli.die(prog, err) end
end

-- One PNG per misclassified digit (and per correct one with --save-successes),
-- under out/failed/P and out/passed/P; returns how many were written.
local function write_digits(out, data, predictions, failed, save_successes)
  local made = {}
  local function write_digit(status, i, pred)
    local folder = ("%s/%s/%d"):format(out, status, pred)
    if not made[folder] then tools.mkdir(folder) made[folder] = true end
    core.write_png(("%s/%d--correct-%d.png"):format(folder, i - 1, data:label(i)), data:pixels(i), 28, 28)
  end
  for _, i in ipairs(failed) do write_digit("failed", i, predictions[i]) end
  local written = #failed
  if save_successes then
    local wrong = {}
    for _, i in ipairs(failed) do wrong[i] = true end
    for i = 1, #data do
      if not wrong[i] then write_digit("passed", i, predictions[i]) written = written + 1 end
    end
  end
  return written
end

-- The contact sheet of the misclassified digits, and the confusion matrix
-- printed, drawn and written to summary.json for the report.
local function sheet_and_confusion(opts, out, data, predictions, counts, correct, failed)
  -- the contact sheet: every misclassified digit, captioned label>prediction
  if #failed > 0 then
    local captions = {}
    for k, i in ipairs(failed) do captions[k] = ("%d>%d"):format(data:label(i), predictions[i]) end
    local w, h = tools.write_sheet(out .. "/misclassified.png", tools.gather(data, failed), #failed, 28, 28,
      {columns = opts.columns, scale = opts.scale, invert = true, captions = captions})
    print(("contact sheet: %s/misclassified.png (%d x %d, %d digits, captions label>prediction)")
      :format(out, w, h, #failed))
  end

  -- the confusion matrix, printed and drawn
  local lines = {"confusion matrix (rows: true digit, columns: predicted digit):", "      "}
  for c = 0, 9 do lines[2] = lines[2] .. ("%6d"):format(c) end
  for r = 1, 10 do
    local row = ("%6d"):format(r - 1)
    for c = 1, 10 do row = row .. ("%6d"):format(counts[r][c]) end
    lines[#lines + 1] = row
  end
  print(table.concat(lines, "\n"))
  tools.write_confusion_png(out .. "/confusion.png", counts)
  -- the figures as JSON, for the report (lnn report)
  core.write_file(out .. "/summary.json", require("lnn.json").encode {kind = "visualize", network = opts[1],
    set = opts.set, correct = correct, total = #data, confusion = counts} .. "\n")
end

-- The first layer's weights: one picture per hidden neuron (28x28) or per
-- filter (a conv net's, of one input channel: its 5x5 window), and a sheet of
-- them all; returns how many.
local function weight_pictures(net, first, out)
  local W = net.weights[1]
  local n_hidden, width = W:shape()
  local h, w = 28, 28
  if first.kind == "convpool" then h, w = first.filters[3] * first.filters[2], first.filters[4] end -- channels stacked
  local wbytes = tools.rows_to_bytes(W)
  for j = 1, n_hidden do
    core.write_png(("%s/weights/neuron-%d.png"):format(out, j - 1), wbytes:sub((j - 1) * width + 1, j * width), w, h)
  end
  tools.write_sheet(out .. "/weights.png", wbytes, n_hidden, w, h,
    {columns = math.min(n_hidden, 10), scale = first.kind == "convpool" and 8 or 2})
  return n_hidden
end

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages ("lnn train", "scripts/train.lua")
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about, M.synopsis)
  if opts.checkpoints and #opts > 0 then
    cli.fail(prog, ("--checkpoints takes no NETWORK_FILE, got '%s'"):format(opts[1]))
  elseif not opts.checkpoints and #opts ~= 1 then
    cli.fail(prog, #opts == 0 and "NETWORK_FILE expected (or --checkpoints DIR)"
      or ("one NETWORK_FILE expected, got also '%s'"):format(opts[2]))
  end

  local _, validation_data, test_data = mnist_loader.load_data(opts.data) -- an error: cli.run says it
  local data = opts.set == "test" and test_data or validation_data

  if opts.checkpoints then
    score_checkpoints(prog, opts, data)
    return 0
  end

  local net = cli.load_network(prog, nil, opts[1], model.load_any, M.loads, M.load_takes)
  local layout = model.layout_of(net._net)
  local first, last = layout.layers[1], layout.layers[#layout.layers]
  local n_in = require("lnn.face").layer_inputs(first)
  if n_in ~= 784 or last.n_out ~= 10 then
    cli.die(prog, ("%s: a network of 784 inputs and 10 outputs expected, got %d inputs and %d outputs")
      :format(opts[1], n_in, last.n_out))
  end

  local out = opts.out
  prepare_out(prog, out)

  local predictions = net:predict(data)
  local counts, correct, failed = tools.confusion(data, predictions)

  local written = write_digits(out, data, predictions, failed, opts.save_successes)

  sheet_and_confusion(opts, out, data, predictions, counts, correct, failed)

  local n_hidden = weight_pictures(net, first, out)

  print(("wrote %d digit PNGs under %s/ (%d misclassified), %s/confusion.png, %s/weights.png and %d weight images")
    :format(written, out, #failed, out, out, n_hidden))
  print(("%d / %d"):format(correct, #data))
  print(("(%.2f%%)"):format(pct(correct, #data)))
  return 0
end

return M
