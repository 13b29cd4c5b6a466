--- lnn demo: one offline HTML page where the reader draws a digit with the
-- mouse or a finger and a saved network answers while they draw (lnn.demo):
-- the network's ten outputs as bars, the 28 x 28 input it reads, a clear
-- button.  Every network lnn saves (network, network2, mynet, network3's conv
-- nets; network2.py's JSON files too).
-- @internal lnn.commands.demo
local core = require "lnn.core"
local cli = require "lnn.cli"
local demo = require "lnn.demo"

local M = {summary = "a page where you draw a digit and a saved network reads it"}
M.flags = {
  {name = "out", kind = "string", default = "results/demo/digit.html", help = "the page to write",
   arg = "FILE", check = cli.writable_file},
}
M.synopsis = "NETWORK_FILE [--out FILE]"
M.about = "NETWORK_FILE (saved by lnn train --save, or network2.py's JSON) comes first.  Writes one\n"
  .. "HTML page that needs no network: draw a digit, watch the network's ten outputs."

--- run(argv, prog): the command; returns its exit status.
-- @param argv the command's arguments (without its name)
-- @param prog the program's name in messages
-- @return the exit status (0 on success)
function M.run(argv, prog)
  local opts = cli.parse(argv, M.flags, prog, M.about, M.synopsis)
  if #opts ~= 1 then
    cli.fail(prog, #opts == 0 and "NETWORK_FILE expected" or ("one NETWORK_FILE expected, got also '%s'"):format(opts[2]))
  end
  local okl, net, what = pcall(demo.load_network, opts[1])
  if not okl then cli.die(prog, tostring(net)) end
  local ok, page = pcall(demo.page, net, demo.about(opts[1], net, what), prog)
  if not ok then cli.die(prog, tostring(page)) end
  local dir = opts.out:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then core.tools.mkdir(dir) end
  core.write_file(opts.out, page)
  print(("wrote %s (%d KB): open it in a browser, draw a digit"):format(opts.out, (#page + 1023) // 1024))
  return 0
end

return M
