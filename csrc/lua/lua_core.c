/* lua_core.c -- luaopen_lnn_core: the module table of lnn.core, assembled from
 * the parts the binding files register.  Nothing else: the helpers the
 * bindings share live in lua_util.c, each type's functions in its own file. */
#include <stdlib.h>

#include "lua_lnn.h"

/* Each part adds its functions (and its metatables) to the module table it
 * is called with. */
static const luaL_Reg parts[] = {
    {"matrix", lnn_lua_open_matrix}, {"rng", lnn_lua_open_rng}, {"data", lnn_lua_open_data},
    {"net", lnn_lua_open_net}, {"io", lnn_lua_open_io}, {"signals", lnn_lua_open_signals},
    {"tools", lnn_lua_open_tools}, {"sys", lnn_lua_open_sys}, {"util", lnn_lua_open_util},
    {NULL, NULL}};

int luaopen_lnn_core(lua_State *L);

/* LNN_KERNELS names the kernel table of every network of this process; one
 * this processor cannot run is an error here, before anything is computed,
 * never a silent fallback to another table. */
static void check_kernels_env(lua_State *L) {
  const char *env = getenv("LNN_KERNELS");
  if (env != NULL && *env != '\0' && lnn_kernels_named(env) == NULL)
    luaL_error(L,
               "LNN_KERNELS: kernel table '%s' is not available on this processor"
               " (it runs: %s)",
               env,
               lnn_kernels_named("avx512") ? "naive, avx2, avx512"
               : lnn_kernels_named("avx2") ? "naive, avx2"
                                           : "naive");
}

int luaopen_lnn_core(lua_State *L) {
  const luaL_Reg *p;
  check_kernels_env(L);
  lua_newtable(L);
  for (p = parts; p->func != NULL; p++) {
    lua_pushcfunction(L, p->func);
    lua_pushvalue(L, -2);
    lua_call(L, 1, 0);
  }
  lua_pushliteral(L, "0.1.0");
  lua_setfield(L, -2, "version");
  return 1;
}
