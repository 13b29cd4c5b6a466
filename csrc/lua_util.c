/* lua_util.c -- the helpers every binding file shares: making and checking
 * lnn's userdata (matrices, blobs, data sets, generators, networks), turning
 * core statuses and bad options into Lua errors.  No Lua-visible function
 * lives here (those are in the lua_*.c file of their type), and no state:
 * module state lives in metatables, never in C globals. */
#include <string.h>

#include "lua_lnn.h"

static int util_alloc(lua_State *L) {
  size_t size = (size_t)lua_tointeger(L, 1);
  lua_newuserdatauv(L, size, (int)lua_tointeger(L, 2));
  return 1;
}

/* Small blocks are allocated directly (failing them is Lua's own problem);
 * from 1 MB on, in a protected call, so the error can say who asked. */
void *lnn_lua_newudata(lua_State *L, size_t size, int nuv) {
  lua_Debug ar;
  const char *name = "lnn.core";
  if (size < ((size_t)1 << 20)) return lua_newuserdatauv(L, size, nuv);
  luaL_checkstack(L, 3, NULL);
  lua_pushcfunction(L, util_alloc);
  lua_pushinteger(L, (lua_Integer)size);
  lua_pushinteger(L, nuv);
  if (lua_pcall(L, 2, 1, 0) == LUA_OK) return lua_touserdata(L, -1);
  if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.name != NULL) name = ar.name;
  return (void *)(size_t)luaL_error(L, "%s: not enough memory for %d MB", name,
                                    (int)(size >> 20));
}

int lnn_lua_fail(lua_State *L, const char *fname, const lnn_error *e) {
  return luaL_error(L, "%s: %s", fname, e->msg);
}

void lnn_lua_checkoptions(lua_State *L, int arg, const char *fname, const char *const names[]) {
  arg = lua_absindex(L, arg);
  lua_pushnil(L);
  while (lua_next(L, arg) != 0) {
    int i, known = 0;
    if (lua_type(L, -2) == LUA_TSTRING) {
      const char *k = lua_tostring(L, -2);
      for (i = 0; names[i] && !known; i++) known = strcmp(names[i], k) == 0;
      if (!known) luaL_error(L, "unknown option '%s' to '%s'", k, fname);
    } else {
      luaL_error(L, "bad options to '%s' (string keys expected, got a %s key)", fname,
                 luaL_typename(L, -2));
    }
    lua_pop(L, 1);
  }
}

lua_Number lnn_lua_optnumfield(lua_State *L, int arg, const char *fname, const char *key,
                               lua_Number def) {
  lua_Number v = def;
  int t = lua_getfield(L, arg, key);
  if (t == LUA_TNUMBER)
    v = lua_tonumber(L, -1);
  else if (t != LUA_TNIL)
    luaL_error(L, "bad option '%s' to '%s' (number expected, got %s)", key, fname,
               luaL_typename(L, -1));
  lua_pop(L, 1);
  return v;
}

lua_Integer lnn_lua_optintfield(lua_State *L, int arg, const char *fname, const char *key,
                                lua_Integer def) {
  lua_Integer v = def;
  int t = lua_getfield(L, arg, key), ok = 1;
  if (t == LUA_TNUMBER)
    v = lua_tointegerx(L, -1, &ok);
  if ((t != LUA_TNUMBER && t != LUA_TNIL) || !ok)
    luaL_error(L, "bad option '%s' to '%s' (integer expected, got %s)", key, fname,
               t == LUA_TNUMBER ? "a fraction" : luaL_typename(L, -1));
  lua_pop(L, 1);
  return v;
}

const lnn_kernels *lnn_lua_checkkernels(lua_State *L, int arg) {
  const char *name = luaL_checkstring(L, arg);
  const lnn_kernels *K = strcmp(name, "best") == 0 ? lnn_kernels_best() : lnn_kernels_named(name);
  if (K == NULL)
    luaL_argerror(L, arg, lua_pushfstring(L, "kernel table '%s' is not available here"
                                             " (naive, best, or one of kernels())", name));
  return K;
}

lmatrix *lnn_lua_newmatrix(lua_State *L, int rows, int cols) {
  size_t n = (size_t)rows * (size_t)cols;
  lmatrix *m = (lmatrix *)lnn_lua_newudata(L, sizeof(lmatrix) + n * sizeof(float), 1);
  m->rows = rows;
  m->cols = cols;
  m->vec = 0;
  m->data = (float *)(void *)(m + 1);
  memset(m->data, 0, n * sizeof(float));
  luaL_setmetatable(L, LNN_MATRIX);
  return m;
}

lmatrix *lnn_lua_pushview(lua_State *L, int owner, float *data, int rows, int cols, int vec) {
  lmatrix *m;
  owner = lua_absindex(L, owner);
  m = (lmatrix *)lua_newuserdatauv(L, sizeof(lmatrix), 1);
  m->rows = rows;
  m->cols = cols;
  m->vec = vec;
  m->data = data;
  luaL_setmetatable(L, LNN_MATRIX);
  lua_pushvalue(L, owner);
  lua_setiuservalue(L, -2, 1);
  return m;
}

lmatrix *lnn_lua_checkmatrix(lua_State *L, int arg) {
  return (lmatrix *)luaL_checkudata(L, arg, LNN_MATRIX);
}

lblob *lnn_lua_newblob(lua_State *L, size_t size) {
  lblob *b = (lblob *)lnn_lua_newudata(L, sizeof(lblob) + size + LNN_ALIGN - 1, 0);
  b->size = size;
  b->data = (unsigned char *)lnn_align(b + 1);
  luaL_setmetatable(L, LNN_BLOB);
  return b;
}

ldata *lnn_lua_checkdata(lua_State *L, int arg) {
  return (ldata *)luaL_checkudata(L, arg, LNN_DATA);
}

ldata *lnn_lua_newdata(lua_State *L, int xi, int yi) {
  ldata *s;
  xi = lua_absindex(L, xi);
  yi = lua_absindex(L, yi);
  s = (ldata *)lua_newuserdatauv(L, sizeof(ldata), 2);
  memset(s, 0, sizeof *s);
  luaL_setmetatable(L, LNN_DATA);
  lua_pushvalue(L, xi);
  lua_setiuservalue(L, -2, 1);
  lua_pushvalue(L, yi);
  lua_setiuservalue(L, -2, 2);
  return s;
}

lnn_rng *lnn_lua_checkrng(lua_State *L, int arg) {
  return (lnn_rng *)luaL_checkudata(L, arg, LNN_RNG);
}

lnet *lnn_lua_checknet(lua_State *L, int arg) { return (lnet *)luaL_checkudata(L, arg, LNN_NET); }
