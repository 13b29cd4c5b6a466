/* lua_util.c -- the helpers every binding file shares: making and checking
 * lnn's userdata (matrices, blobs, data sets, generators, networks, files
 * open for reading), turning core statuses, bad arguments and bad options
 * into Lua errors that name the public function, running a network's calls
 * one at a time; plus the two functions of lnn.core about the bindings
 * themselves (call_as, type).  No state: module state lives in metatables,
 * never in C globals; the reporting name lives in call_as's stack frame. */
#include <stdarg.h>
#include <string.h>

#include "sys/fileio.h"
#include "lua_lnn.h"

#define LNN_FILE "lnn.File"

static int binding_level(lua_State *L);

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
  if (lua_getstack(L, binding_level(L), &ar) && lua_getinfo(L, "n", &ar) && ar.name != NULL)
    name = ar.name;
  return (void *)(size_t)lnn_lua_error(L, name, "not enough memory for %d MB", (int)(size >> 20));
}

/* call_as(name, argn, f, ...): f(...), its errors reported as name's (see
 * lua_lnn.h).  The name and argn stay in this frame's slots 1 and 2, where
 * reporting() finds them. */
static int util_call_as(lua_State *L) {
  luaL_checkstring(L, 1);
  if (!lua_isnoneornil(L, 2))
    luaL_argcheck(L, luaL_checkinteger(L, 2) >= 1, 2, "argument number >= 1 expected");
  luaL_argexpected(L, lua_iscfunction(L, 3), 3, "function of lnn.core");
  lua_call(L, lua_gettop(L) - 3, LUA_MULTRET);
  return lua_gettop(L) - 2;
}

/* A section of a binding (lnn_lua_exclusive): body runs in this frame, on
 * the binding's arguments, one level below the binding itself. */
static int util_section(lua_State *L) {
  lua_CFunction body = lua_tocfunction(L, 1);
  lua_remove(L, 1);
  return body(L);
}

/* The stack level of the running binding: 0, or 1 inside one of its sections. */
static int binding_level(lua_State *L) {
  lua_Debug ar;
  int in = 0;
  if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "f", &ar)) {
    in = lua_tocfunction(L, -1) == util_section;
    lua_pop(L, 1);
  }
  return in;
}

/* luaL_error as seen from the binding: the position is its caller's, also
 * from inside a section. */
static int raisef(lua_State *L, const char *fmt, ...) {
  va_list ap;
  luaL_where(L, binding_level(L) + 1);
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_concat(L, 2);
  return lua_error(L);
}

/* Whether the running binding was called by call_as; if so its name and
 * argument number (0: the binding's own numbers). */
static int reporting(lua_State *L, const char **name, int *argn) {
  lua_Debug ar;
  int direct;
  if (!lua_getstack(L, binding_level(L) + 1, &ar) || !lua_getinfo(L, "f", &ar)) return 0;
  direct = lua_tocfunction(L, -1) == util_call_as;
  lua_pop(L, 1);
  if (!direct || lua_getlocal(L, &ar, 1) == NULL) return 0;
  *name = lua_tostring(L, -1); /* still anchored in call_as's slot 1 */
  lua_pop(L, 1);
  if (lua_getlocal(L, &ar, 2) == NULL) return 0;
  *argn = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  return *name != NULL;
}

int lnn_lua_busyerror(lua_State *L, const char *fname) {
  return lnn_lua_error(L, fname, "the network is busy in another call (it was re-entered from a"
                                 " finalizer, a metamethod or a callback)");
}

int lnn_lua_exclusive(lua_State *L, int *busy, const char *fname, lua_CFunction body) {
  int n = lua_gettop(L), i, status;
  if (*busy) return lnn_lua_busyerror(L, fname);
  luaL_checkstack(L, n + 2, NULL);
  lua_pushcfunction(L, util_section);
  lua_pushcfunction(L, body);
  for (i = 1; i <= n; i++) lua_pushvalue(L, i); /* the originals keep *busy's owner alive */
  *busy = 1;
  status = lua_pcall(L, n + 1, LUA_MULTRET, 0);
  *busy = 0;
  if (status != LUA_OK) return lua_error(L);
  return lua_gettop(L) - n;
}

const char *lnn_lua_fname(lua_State *L, const char *fname) {
  const char *name;
  int argn;
  return reporting(L, &name, &argn) ? name : fname;
}

static int raise_argerror(lua_State *L, int arg, const char *fname, const char *msg) {
  const char *name;
  int argn;
  if (reporting(L, &name, &argn))
    return raisef(L, "bad argument #%d to '%s' (%s)", argn > 0 ? argn : arg, name, msg);
  if (fname == NULL && binding_level(L) == 0) return luaL_argerror(L, arg, msg);
  if (fname == NULL) { /* in a section: the name the binding was called by, as luaL_argerror */
    lua_Debug ar;
    fname = "?";
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "n", &ar) && ar.name != NULL) {
      fname = ar.name;
      if (strcmp(ar.namewhat, "method") == 0 && --arg == 0)
        return raisef(L, "calling '%s' on bad self (%s)", fname, msg);
    }
  }
  return raisef(L, "bad argument #%d to '%s' (%s)", arg, fname, msg);
}

int lnn_lua_argerror(lua_State *L, int arg, const char *fname, const char *fmt, ...) {
  va_list ap;
  const char *msg;
  va_start(ap, fmt);
  msg = lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  return raise_argerror(L, arg, fname, msg);
}

/* As luaL_typeerror: the metatable's __name, "light userdata" or the type. */
int lnn_lua_typeerror(lua_State *L, int arg, const char *fname, const char *tname) {
  const char *got;
  if (luaL_getmetafield(L, arg, "__name") == LUA_TSTRING)
    got = lua_tostring(L, -1);
  else if (lua_type(L, arg) == LUA_TLIGHTUSERDATA)
    got = "light userdata";
  else
    got = luaL_typename(L, arg);
  return raise_argerror(L, arg, fname, lua_pushfstring(L, "%s expected, got %s", tname, got));
}

/* A failure (a file, memory, the core's status) is raised with its final
 * text and no position: the Lua line that called the binding is no part of
 * it, and no Lua code has to strip one (argument and option errors above keep
 * the caller's position, as Lua's own). */
int lnn_lua_error(lua_State *L, const char *fname, const char *fmt, ...) {
  va_list ap;
  const char *msg;
  va_start(ap, fmt);
  msg = lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_pushfstring(L, "%s: %s", lnn_lua_fname(L, fname), msg);
  return lua_error(L);
}

int lnn_lua_opterror(lua_State *L, const char *fname, const char *key, const char *fmt, ...) {
  va_list ap;
  const char *msg;
  va_start(ap, fmt);
  msg = lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  return raisef(L, "bad option '%s' to '%s' (%s)", key, lnn_lua_fname(L, fname), msg);
}

int lnn_lua_fail(lua_State *L, const char *fname, const lnn_error *e) {
  return lnn_lua_error(L, fname, "%s", e->msg);
}

void lnn_lua_checkoptions(lua_State *L, int arg, const char *fname, const char *const names[]) {
  arg = lua_absindex(L, arg);
  lua_pushnil(L);
  while (lua_next(L, arg) != 0) {
    int i, known = 0;
    if (lua_type(L, -2) == LUA_TSTRING) {
      const char *k = lua_tostring(L, -2);
      for (i = 0; names[i] && !known; i++) known = strcmp(names[i], k) == 0;
      if (!known) raisef(L, "unknown option '%s' to '%s'", k, lnn_lua_fname(L, fname));
    } else {
      raisef(L, "bad options to '%s' (string keys expected, got a %s key)", lnn_lua_fname(L, fname),
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
    lnn_lua_opterror(L, fname, key, "number expected, got %s", luaL_typename(L, -1));
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
    lnn_lua_opterror(L, fname, key, "integer expected, got %s",
                     t == LUA_TNUMBER ? "a fraction" : luaL_typename(L, -1));
  lua_pop(L, 1);
  return v;
}

const lnn_kernels *lnn_lua_checkkernels(lua_State *L, int arg) {
  const char *name = luaL_checkstring(L, arg);
  const lnn_kernels *K = strcmp(name, "best") == 0 ? lnn_kernels_best() : lnn_kernels_named(name);
  if (K == NULL)
    lnn_lua_argerror(L, arg, NULL,
                     "kernel table '%s' is not available here"
                     " (naive, best, or one of kernels())",
                     name);
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

/* The userdata of type tname at arg, or an argument error naming tname. */
static void *checkudata(lua_State *L, int arg, const char *tname) {
  void *p = luaL_testudata(L, arg, tname);
  if (p == NULL) lnn_lua_typeerror(L, arg, NULL, tname);
  return p;
}

lmatrix *lnn_lua_checkmatrix(lua_State *L, int arg) {
  return (lmatrix *)checkudata(L, arg, LNN_MATRIX);
}

lblob *lnn_lua_newblob(lua_State *L, size_t size) {
  lblob *b = (lblob *)lnn_lua_newudata(L, sizeof(lblob) + size + LNN_ALIGN - 1, 0);
  b->size = size;
  b->data = (unsigned char *)lnn_align(b + 1);
  luaL_setmetatable(L, LNN_BLOB);
  return b;
}

ldata *lnn_lua_checkdata(lua_State *L, int arg) { return (ldata *)checkudata(L, arg, LNN_DATA); }

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

lnn_rng *lnn_lua_checkrng(lua_State *L, int arg) { return (lnn_rng *)checkudata(L, arg, LNN_RNG); }

lnet *lnn_lua_checknet(lua_State *L, int arg) { return (lnet *)checkudata(L, arg, LNN_NET); }

/* A file open for reading, boxed so that __gc closes it if anything raises
 * before the explicit close: every load reads its file through one of these,
 * one descriptor, one snapshot (fileio.h). */
static int util_file_gc(lua_State *L) {
  lnn_rfile_close((lnn_rfile *)luaL_checkudata(L, 1, LNN_FILE));
  return 0;
}

lnn_rfile *lnn_lua_openfile(lua_State *L, const char *path, const char *fname) {
  lnn_rfile *f = (lnn_rfile *)lua_newuserdatauv(L, sizeof *f, 0);
  lnn_error e;
  lnn_rfile_init(f); /* closed, so __gc is safe from here on */
  luaL_setmetatable(L, LNN_FILE);
  if (lnn_rfile_open(f, path, &e) != LNN_OK) lnn_lua_fail(L, fname, &e);
  return f;
}

/* type(v): "lnn.Matrix", "lnn.Data", "lnn.Rng" or "lnn.Net" when v is one
 * (by its metatable, as luaL_testudata), else nil */
static int util_type(lua_State *L) {
  static const char *const names[] = {LNN_MATRIX, LNN_DATA, LNN_RNG, LNN_NET};
  size_t i;
  luaL_checkany(L, 1);
  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (luaL_testudata(L, 1, names[i]) != NULL) {
      lua_pushstring(L, names[i]);
      return 1;
    }
  lua_pushnil(L);
  return 1;
}

static const luaL_Reg util_funcs[] = {{"call_as", util_call_as}, {"type", util_type}, {NULL, NULL}};

int lnn_lua_open_util(lua_State *L) {
  luaL_newmetatable(L, LNN_FILE);
  lua_pushcfunction(L, util_file_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_setfuncs(L, util_funcs, 0);
  return 0;
}
