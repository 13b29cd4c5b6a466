/* lua_core.c -- luaopen_lnn_core: the module table of lnn.core, and the
 * helpers every binding file uses to turn core statuses and bad options into
 * Lua errors.  Module state lives in metatables, never in C globals. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lua_lnn.h"

static int core_alloc(lua_State *L) {
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
  lua_pushcfunction(L, core_alloc);
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

/* simd(): the name of the kernel table the engine picks on this processor */
static int core_simd(lua_State *L) {
  lua_pushstring(L, lnn_kernels_best()->name);
  return 1;
}

/* clock(): seconds on a monotonic wall clock (for timing epochs) */
static int core_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + 1e-9 * (lua_Number)ts.tv_nsec);
  return 1;
}

/* isatty(fd): whether file descriptor fd (1 = stdout, 2 = stderr) is a terminal */
static int core_isatty(lua_State *L) {
  lua_Integer fd = luaL_checkinteger(L, 1);
  luaL_argcheck(L, fd >= 0 && fd <= 2, 1, "0, 1 or 2 expected");
  lua_pushboolean(L, isatty((int)fd));
  return 1;
}

const lnn_kernels *lnn_lua_checkkernels(lua_State *L, int arg) {
  const char *name = luaL_checkstring(L, arg);
  const lnn_kernels *K = strcmp(name, "best") == 0 ? lnn_kernels_best() : lnn_kernels_named(name);
  if (K == NULL)
    luaL_argerror(L, arg, lua_pushfstring(L, "kernel table '%s' is not available here"
                                             " (naive, best, or one of kernels())", name));
  return K;
}
#define kernels_arg lnn_lua_checkkernels

/* kernels(): the names of the kernel tables this processor runs, naive first */
static int core_kernels(lua_State *L) {
  static const char *const names[] = {"naive", "avx2", "avx512"};
  int i, n = 0;
  lua_newtable(L);
  for (i = 0; i < 3; i++)
    if (lnn_kernels_named(names[i]) != NULL) {
      lua_pushstring(L, names[i]);
      lua_rawseti(L, -2, ++n);
    }
  return 1;
}

/* kernel_gemm_nt(which, A (m x k), B (n x k), C (m x n) or nil, beta): C = beta C + A B^T, new matrix */
static int core_kernel_gemm_nt(lua_State *L) {
  const lnn_kernels *K = kernels_arg(L, 1);
  lmatrix *A = lnn_lua_checkmatrix(L, 2), *B = lnn_lua_checkmatrix(L, 3), *C;
  float beta = (float)luaL_optnumber(L, 5, 0.0);
  if (A->cols != B->cols)
    return luaL_argerror(L, 3, lua_pushfstring(L, "inner dimensions differ: %dx%d * (%dx%d)^T",
                                               A->rows, A->cols, B->rows, B->cols));
  C = lnn_lua_newmatrix(L, A->rows, B->rows);
  if (!lua_isnoneornil(L, 4)) {
    lmatrix *C0 = lnn_lua_checkmatrix(L, 4);
    if (C0->rows != A->rows || C0->cols != B->rows) return luaL_argerror(L, 4, "wrong shape");
    memcpy(C->data, C0->data, (size_t)C->rows * C->cols * sizeof(float));
  }
  K->gemm_nt(C->data, A->data, B->data, (size_t)A->rows, (size_t)B->rows, (size_t)A->cols, beta);
  return 1;
}

/* kernel_gemm_xn(which, A, transposed, B (k x n), C or nil, alpha, beta):
 * C = beta C + alpha op(A) B with op(A) = A^T (A k x m) if transposed, else A (m x k) */
static int core_kernel_gemm_xn(lua_State *L) {
  const lnn_kernels *K = kernels_arg(L, 1);
  lmatrix *A = lnn_lua_checkmatrix(L, 2), *B, *C;
  int tr = lua_toboolean(L, 3);
  float alpha = (float)luaL_optnumber(L, 6, 1.0), beta = (float)luaL_optnumber(L, 7, 0.0);
  size_t m = tr ? (size_t)A->cols : (size_t)A->rows, k = tr ? (size_t)A->rows : (size_t)A->cols;
  B = lnn_lua_checkmatrix(L, 4);
  if ((size_t)B->rows != k)
    return luaL_argerror(L, 4, lua_pushfstring(L, "inner dimensions differ: %d vs %dx%d", (int)k,
                                               B->rows, B->cols));
  C = lnn_lua_newmatrix(L, (int)m, B->cols);
  if (!lua_isnoneornil(L, 5)) {
    lmatrix *C0 = lnn_lua_checkmatrix(L, 5);
    if (C0->rows != C->rows || C0->cols != C->cols) return luaL_argerror(L, 5, "wrong shape");
    memcpy(C->data, C0->data, (size_t)C->rows * C->cols * sizeof(float));
  }
  if (tr)
    K->gemm_xn(C->data, A->data, m, 1, B->data, m, (size_t)B->cols, k, alpha, beta);
  else
    K->gemm_xn(C->data, A->data, 1, k, B->data, m, (size_t)B->cols, k, alpha, beta);
  return 1;
}

static lnn_act act_arg(lua_State *L, int arg) {
  static const char *const names[] = {"linear", "sigmoid", "tanh", "relu", NULL};
  return (lnn_act)luaL_checkoption(L, arg, NULL, names);
}

/* kernel_forward(which, act, x): f(x) element-wise by the "naive" or "best"
 * kernel table, as a new matrix (the specs compare the two tables) */
static int core_kernel_forward(lua_State *L) {
  const lnn_kernels *K = kernels_arg(L, 1);
  lnn_act f = act_arg(L, 2);
  lmatrix *x = lnn_lua_checkmatrix(L, 3);
  lmatrix *y = lnn_lua_newmatrix(L, x->rows, x->cols);
  K->act_forward(f, y->data, x->data, (size_t)x->rows * x->cols);
  return 1;
}

/* kernel_backward(which, act, dy, y): dy * f'(z) where y = f(z) */
static int core_kernel_backward(lua_State *L) {
  const lnn_kernels *K = kernels_arg(L, 1);
  lnn_act f = act_arg(L, 2);
  lmatrix *dy = lnn_lua_checkmatrix(L, 3), *y = lnn_lua_checkmatrix(L, 4), *dx;
  if (dy->rows != y->rows || dy->cols != y->cols)
    return luaL_argerror(L, 4, lua_pushfstring(L, "shapes differ: %dx%d vs %dx%d", dy->rows,
                                               dy->cols, y->rows, y->cols));
  dx = lnn_lua_newmatrix(L, y->rows, y->cols);
  K->act_backward(f, dx->data, dy->data, y->data, (size_t)y->rows * y->cols);
  return 1;
}

/* kernel_u8(which, bytes, scale): n x 1 matrix of scale * byte */
static int core_kernel_u8(lua_State *L) {
  const lnn_kernels *K = kernels_arg(L, 1);
  size_t n;
  const char *s = luaL_checklstring(L, 2, &n);
  float scale = (float)luaL_checknumber(L, 3);
  lmatrix *y;
  luaL_argcheck(L, n >= 1 && n <= ((size_t)1 << 30), 2, "1 to 2^30 bytes expected");
  y = lnn_lua_newmatrix(L, (int)n, 1);
  K->u8_to_float(y->data, (const uint8_t *)s, n, scale);
  return 1;
}

int luaopen_lnn_core(lua_State *L);

int luaopen_lnn_core(lua_State *L) {
  lua_newtable(L);
  lnn_lua_open_matrix(L);
  lnn_lua_open_rng(L);
  lnn_lua_open_data(L);
  lnn_lua_open_net(L);
  lnn_lua_open_io(L);
  lnn_lua_open_tools(L);
  lua_pushcfunction(L, core_simd);
  lua_setfield(L, -2, "simd");
  lua_pushcfunction(L, core_kernels);
  lua_setfield(L, -2, "kernels");
  lua_pushcfunction(L, core_kernel_gemm_nt);
  lua_setfield(L, -2, "kernel_gemm_nt");
  lua_pushcfunction(L, core_kernel_gemm_xn);
  lua_setfield(L, -2, "kernel_gemm_xn");
  lua_pushcfunction(L, core_kernel_forward);
  lua_setfield(L, -2, "kernel_forward");
  lua_pushcfunction(L, core_kernel_backward);
  lua_setfield(L, -2, "kernel_backward");
  lua_pushcfunction(L, core_kernel_u8);
  lua_setfield(L, -2, "kernel_u8");
  lua_pushcfunction(L, core_clock);
  lua_setfield(L, -2, "clock");
  lua_pushcfunction(L, core_isatty);
  lua_setfield(L, -2, "isatty");
  lua_pushliteral(L, "0.1.0");
  lua_setfield(L, -2, "version");
  return 1;
}
