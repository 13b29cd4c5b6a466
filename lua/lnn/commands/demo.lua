--- lnn demo: one offline HTML page where the reader draws a digit with the
-- mouse or a finger and a saved network answers while they draw (lnn.demo):
-- the network's ten outputs as bars, the 28 x 28 input it reads, a clear
-- button.  Fully connected networks (saved by network, network2, mynet, or a
-- network3 net without conv layers; network2.py's JSON files too).
-- @module lnn.commands.demo
local core = require "lnn.core"
local cli = require "lnn.cli"
local model = require "lnn.model"
local demo = require "lnn.demo"

local M = {summary = "a page where you draw a digit and a saved network reads it"}
M.flags = {
  {name = "out", kind = "string", default = "results/demo/digit.html", help = "the page to write",
   arg = "FILE", check = cli.writable_file},
}
M.synopsis = "NETWORK_FILE [--out FILE]"
M.about = "NETWORK_FILE (saved by lnn train --save, or network2.py's JSON) comes first.  Writes one\n"
  .. "HTML page that needs no network: draw a digit, watch the network's ten outputs."

-- the core network in a file any dense face saved
local function load(path, prog)
  local f, err = io.open(path, "rb")
  if not f then cli.die(prog, ("cannot read %s"):format(err)) end
  f:close()
  local loader, what = model.which_loader(path)
  if loader == "lnn.network2.load" then
    local ok, net = pcall(require("lnn.network2").load, path)
    if not ok then cli.die(prog, tostring(net)) end
    return net:engine(), what
  elseif loader and loader ~= "lnn.model.import" then
    local ok, net = pcall(model.load, path)
    if not ok then cli.die(prog, tostring(net)) end
    return net, what
  end
  cli.die(prog, ("%s is not a network lnn saved%s"):format(path,
    what and (" (it is " .. what .. ")") or ""))
end

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about, M.synopsis)
  if #opts ~= 1 then
    cli.fail(prog, #opts == 0 and "NETWORK_FILE expected" or ("one NETWORK_FILE expected, got also '%s'"):format(opts[2]))
  end
  local net, what = load(opts[1], prog)
  local sizes = {net:layout().layers[1].n_in}
  for _, l in ipairs(net:layout().layers) do sizes[#sizes + 1] = l.n_out end
  local about = ("%s: %s, layers %s."):format(opts[1], what, table.concat(sizes, "-"))
  local ok, page = pcall(demo.page, net, about, prog)
  if not ok then cli.die(prog, tostring(page)) end
  local dir = opts.out:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then core.tools.mkdir(dir) end
  core.write_file(opts.out, page)
  print(("wrote %s (%d KB): open it in a browser, draw a digit"):format(opts.out, (#page + 1023) // 1024))
  return 0
end

return M
