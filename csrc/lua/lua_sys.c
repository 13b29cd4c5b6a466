/* lua_sys.c -- the machine-facing corner of lnn.core: which kernel tables run
 * here, a monotonic clock, isatty, and the kernel bindings the specs use to
 * compare a fast kernel with its naive twin.  No training or data here (the
 * thread count is lua_net.c's). */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lua_lnn.h"

/* simd(): the name of the kernel table new networks use (LNN_KERNELS, else the fastest) */
static int sys_simd(lua_State *L) {
  lua_pushstring(L, lnn_kernels_best()->name);
  return 1;
}

/* clock(): seconds on a monotonic wall clock (for timing epochs) */
static int sys_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + 1e-9 * (lua_Number)ts.tv_nsec);
  return 1;
}

/* isatty(fd): whether file descriptor fd (1 = stdout, 2 = stderr) is a terminal */
static int sys_isatty(lua_State *L) {
  lua_Integer fd = luaL_checkinteger(L, 1);
  lnn_lua_argcheck(L, fd >= 0 && fd <= 2, 1, "0, 1 or 2 expected");
  lua_pushboolean(L, isatty((int)fd));
  return 1;
}


/* kernels(): the names of the kernel tables this processor runs, naive first */
static int sys_kernels(lua_State *L) {
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
static int sys_kernel_gemm_nt(lua_State *L) {
  const lnn_kernels *K = lnn_lua_checkkernels(L, 1);
  lmatrix *A = lnn_lua_checkmatrix(L, 2), *B = lnn_lua_checkmatrix(L, 3), *C;
  float beta = (float)luaL_optnumber(L, 5, 0.0);
  if (A->cols != B->cols)
    return lnn_lua_argerror(L, 3, NULL, "inner dimensions differ: %dx%d * (%dx%d)^T", A->rows,
                            A->cols, B->rows, B->cols);
  C = lnn_lua_newmatrix(L, A->rows, B->rows);
  if (!lua_isnoneornil(L, 4)) {
    lmatrix *C0 = lnn_lua_checkmatrix(L, 4);
    if (C0->rows != A->rows || C0->cols != B->rows)
      return lnn_lua_argerror(L, 4, NULL, "wrong shape");
    memcpy(C->data, C0->data, (size_t)C->rows * C->cols * sizeof(float));
  }
  K->gemm_nt(C->data, (size_t)B->rows, A->data, B->data, (size_t)A->rows, (size_t)B->rows, (size_t)A->cols, beta);
  return 1;
}

/* kernel_gemm_xn(which, A, transposed, B (k x n), C or nil, alpha, beta):
 * C = beta C + alpha op(A) B with op(A) = A^T (A k x m) if transposed, else A (m x k) */
static int sys_kernel_gemm_xn(lua_State *L) {
  const lnn_kernels *K = lnn_lua_checkkernels(L, 1);
  lmatrix *A = lnn_lua_checkmatrix(L, 2), *B, *C;
  int tr = lua_toboolean(L, 3);
  float alpha = (float)luaL_optnumber(L, 6, 1.0), beta = (float)luaL_optnumber(L, 7, 0.0);
  size_t m = tr ? (size_t)A->cols : (size_t)A->rows, k = tr ? (size_t)A->rows : (size_t)A->cols;
  B = lnn_lua_checkmatrix(L, 4);
  if ((size_t)B->rows != k)
    return lnn_lua_argerror(L, 4, NULL, "inner dimensions differ: %d vs %dx%d", (int)k, B->rows,
                            B->cols);
  C = lnn_lua_newmatrix(L, (int)m, B->cols);
  if (!lua_isnoneornil(L, 5)) {
    lmatrix *C0 = lnn_lua_checkmatrix(L, 5);
    if (C0->rows != C->rows || C0->cols != C->cols)
      return lnn_lua_argerror(L, 5, NULL, "wrong shape");
    memcpy(C->data, C0->data, (size_t)C->rows * C->cols * sizeof(float));
  }
  if (tr)
    K->gemm_xn(C->data, A->data, m, 1, B->data, (size_t)B->cols, m, (size_t)B->cols, k, alpha,
               beta);
  else
    K->gemm_xn(C->data, A->data, 1, k, B->data, (size_t)B->cols, m, (size_t)B->cols, k, alpha,
               beta);
  return 1;
}

static lnn_act act_arg(lua_State *L, int arg) {
  static const char *const names[] = {"linear", "sigmoid", "tanh", "relu", NULL};
  return (lnn_act)luaL_checkoption(L, arg, NULL, names);
}

/* kernel_forward(which, act, x): f(x) element-wise by the "naive" or "best"
 * kernel table, as a new matrix (the specs compare the two tables) */
static int sys_kernel_forward(lua_State *L) {
  const lnn_kernels *K = lnn_lua_checkkernels(L, 1);
  lnn_act f = act_arg(L, 2);
  lmatrix *x = lnn_lua_checkmatrix(L, 3);
  lmatrix *y = lnn_lua_newmatrix(L, x->rows, x->cols);
  K->act_forward(f, y->data, x->data, (size_t)x->rows * x->cols);
  return 1;
}

/* kernel_backward(which, act, dy, y): dy * f'(z) where y = f(z) */
static int sys_kernel_backward(lua_State *L) {
  const lnn_kernels *K = lnn_lua_checkkernels(L, 1);
  lnn_act f = act_arg(L, 2);
  lmatrix *dy = lnn_lua_checkmatrix(L, 3), *y = lnn_lua_checkmatrix(L, 4), *dx;
  if (dy->rows != y->rows || dy->cols != y->cols)
    return lnn_lua_argerror(L, 4, NULL, "shapes differ: %dx%d vs %dx%d", dy->rows, dy->cols,
                            y->rows, y->cols);
  dx = lnn_lua_newmatrix(L, y->rows, y->cols);
  K->act_backward(f, dx->data, dy->data, y->data, (size_t)y->rows * y->cols);
  return 1;
}

/* kernel_u8(which, bytes, scale): n x 1 matrix of scale * byte */
static int sys_kernel_u8(lua_State *L) {
  const lnn_kernels *K = lnn_lua_checkkernels(L, 1);
  size_t n;
  const char *s = luaL_checklstring(L, 2, &n);
  float scale = (float)luaL_checknumber(L, 3);
  lmatrix *y;
  lnn_lua_argcheck(L, n >= 1 && n <= ((size_t)1 << 30), 2, "1 to 2^30 bytes expected");
  y = lnn_lua_newmatrix(L, (int)n, 1);
  K->u8_to_float(y->data, (const uint8_t *)s, n, scale);
  return 1;
}

/* kernel_conv(which, shape, in, W, dz): one conv-pool forward and backward
 * by a kernel table on buffers of exactly their size (Lua userdata, whose
 * data ends the block: under AddressSanitizer a kernel that reads or writes
 * one float past any of them stops the run, which a network's workspace, one
 * block for all its buffers, would hide).  shape = {c, h, w, f, kh, kw, ph, pw};
 * in (m x c h w), W (f x c kh kw), dz (m x f qh qw).  Returns out and arg
 * (m x f qh qw; arg as floats), gW (f x c kh kw, from zeros) and din
 * (m x c h w). */
static int sys_kernel_conv(lua_State *L) {
  static const char *const fields[] = {"c", "h", "w", "f", "kh", "kw", "ph", "pw"};
  const lnn_kernels *K = lnn_lua_checkkernels(L, 1);
  lmatrix *in, *W, *dz, *out, *argm, *gW, *din;
  lnn_conv s;
  int v[8], i;
  size_t m, chw, nk, nout, j;
  int32_t *arg;
  float *scratch;
  luaL_checktype(L, 2, LUA_TTABLE);
  for (i = 0; i < 8; i++) {
    lua_Integer x = (lua_rawgeti(L, 2, i + 1), lua_tointeger(L, -1));
    lua_pop(L, 1);
    if (x < 1 || x > LNN_LIMIT_CONV)
      return lnn_lua_argerror(L, 2, NULL, "shape[%d] (%s): an integer in 1..%d expected", i + 1,
                              fields[i], LNN_LIMIT_CONV);
    v[i] = (int)x;
  }
  s.c = v[0], s.h = v[1], s.w = v[2], s.f = v[3], s.kh = v[4], s.kw = v[5], s.ph = v[6], s.pw = v[7];
  lnn_lua_argcheck(L, s.kh <= s.h && s.kw <= s.w, 2, "filters larger than the image");
  lnn_lua_argcheck(L, lnn_conv_qh(&s) >= 1 && lnn_conv_qw(&s) >= 1, 2, "no whole pool window");
  chw = (size_t)s.c * s.h * s.w, nk = (size_t)s.c * s.kh * s.kw;
  nout = (size_t)s.f * lnn_conv_qh(&s) * lnn_conv_qw(&s);
  lnn_lua_argcheck(L, chw <= LNN_LIMIT_LAYER && nk * s.f <= LNN_LIMIT_LAYER && nout <= LNN_LIMIT_LAYER, 2,
                   "a layer of at most %d units expected", LNN_LIMIT_LAYER);
  in = lnn_lua_checkmatrix(L, 3), W = lnn_lua_checkmatrix(L, 4), dz = lnn_lua_checkmatrix(L, 5);
  m = (size_t)in->rows;
  if ((size_t)in->cols != chw)
    return lnn_lua_argerror(L, 3, NULL, "%d columns (c h w) expected, got %d", (int)chw, in->cols);
  if ((size_t)W->rows != (size_t)s.f || (size_t)W->cols != nk)
    return lnn_lua_argerror(L, 4, NULL, "%d x %d expected, got %d x %d", s.f, (int)nk, W->rows, W->cols);
  if ((size_t)dz->rows != m || (size_t)dz->cols != nout)
    return lnn_lua_argerror(L, 5, NULL, "%d x %d expected, got %d x %d", (int)m, (int)nout, dz->rows,
                            dz->cols);
  scratch = (float *)lnn_lua_newudata(L, lnn_conv_scratch_floats(&s) * sizeof(float), 0);
  arg = (int32_t *)lnn_lua_newudata(L, m * nout * sizeof(int32_t), 0);
  out = lnn_lua_newmatrix(L, (int)m, (int)nout);
  argm = lnn_lua_newmatrix(L, (int)m, (int)nout);
  gW = lnn_lua_newmatrix(L, s.f, (int)nk);
  din = lnn_lua_newmatrix(L, (int)m, (int)chw);
  K->conv_forward(out->data, arg, scratch, in->data, W->data, m, &s);
  K->conv_backward(gW->data, din->data, scratch, dz->data, arg, in->data, W->data, m, &s, 0, s.f);
  for (j = 0; j < m * nout; j++) argm->data[j] = (float)arg[j];
  return 4;
}

static const luaL_Reg sys_funcs[] = {
    {"simd", sys_simd}, {"kernels", sys_kernels},
    {"kernel_gemm_nt", sys_kernel_gemm_nt}, {"kernel_gemm_xn", sys_kernel_gemm_xn},
    {"kernel_forward", sys_kernel_forward}, {"kernel_backward", sys_kernel_backward},
    {"kernel_u8", sys_kernel_u8}, {"kernel_conv", sys_kernel_conv}, {"clock", sys_clock}, {"isatty", sys_isatty}, {NULL, NULL}};

int lnn_lua_open_sys(lua_State *L) {
  luaL_setfuncs(L, sys_funcs, 0);
  return 0;
}
