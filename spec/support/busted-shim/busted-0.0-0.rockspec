-- A stand-in `busted` rock for machines that reach no LuaRocks server: it
-- installs a `busted` command that runs Debian's lua-busted (invisible to
-- LuaRocks), so that `luarocks test` (lnn-scm-1.rockspec's test = {type =
-- "busted"}) finds busted offline.  Where the server is reachable, `luarocks
-- test` installs the real busted instead and this is not needed.
--   luarocks --lua-version=5.4 --tree TREE make busted-0.0-0.rockspec   (in this folder)
rockspec_format = "3.0"
package = "busted"
version = "0.0-0"
source = {
  url = "file:///dev/null/busted-shim",
}
description = {
  summary = "Debian's lua-busted, for luarocks test offline (lnn's spec support)",
  license = "MIT",
}
dependencies = {}
build = {
  type = "none",
  install = {
    bin = {
      busted = "busted",
    },
  },
}
