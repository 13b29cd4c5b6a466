/* lua_signals.c -- SIGINT and SIGTERM for Lua: installing lnn's handler
 * (sys/signals.h) in one of its modes and asking whether a signal came.  What
 * a run does about one is the Lua side's business (lnn.cli, the epoch driver). */
#include <signal.h>
#include <string.h>

#include "sys/signals.h"
#include "lua_lnn.h"

/* catch_signals(mode): true installs lnn's SIGINT/SIGTERM handler (sys/signals.h:
 * the first signal only sets a flag, a second stops at once); "now": the same
 * handler, the first signal already stopping at once (removing the temporary
 * file of a save in progress); false puts the previous handlers back.  Either
 * way forgets a signal caught before.  Returns the mode before (false, true or
 * "now"), so that a caller can put it back. */
static int sg_catch_signals(lua_State *L) {
  lnn_error e;
  const int before = lnn_signals_mode();
  int now = 0;
  if (lua_type(L, 1) == LUA_TSTRING && strcmp(lua_tostring(L, 1), "now") == 0) now = 1;
  else if (lua_type(L, 1) != LUA_TBOOLEAN)
    return lnn_lua_argerror(L, 1, "catch_signals", "true, false or \"now\" expected, got %s",
                            luaL_typename(L, 1));
  if (!now && !lua_toboolean(L, 1)) {
    lnn_signals_restore();
  } else {
    if (lnn_signals_install(&e) != LNN_OK) return lnn_lua_fail(L, "catch_signals", &e);
    lnn_signals_at_once(now);
  }
  if (before == 2) lua_pushliteral(L, "now");
  else lua_pushboolean(L, before == 1);
  return 1;
}

/* interrupted(): nil, or the name and number of the first signal caught since
 * catch_signals(true) ("SIGINT", 2 or "SIGTERM", 15) */
static int sg_interrupted(lua_State *L) {
  int sig = lnn_signals_pending();
  if (sig == 0) return 0;
  lua_pushstring(L, sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal");
  lua_pushinteger(L, sig);
  return 2;
}

static const luaL_Reg sg_funcs[] = {
    {"catch_signals", sg_catch_signals}, {"interrupted", sg_interrupted}, {NULL, NULL}};

int lnn_lua_open_signals(lua_State *L) {
  luaL_setfuncs(L, sg_funcs, 0);
  return 0;
}
