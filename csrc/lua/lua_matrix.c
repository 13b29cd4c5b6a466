/* lua_matrix.c -- lnn.Matrix: float32 matrices for Lua, numpy-like indexing.
 * m[i] is row i as a 1-D view and v[k] a number, so the book's w[j][k] reads
 * as it does in Python (1-based here).  Views share memory with their owner,
 * held as the user value so it outlives them.  No arithmetic: that is the
 * engine's job, on whole batches, not the script's. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "formats/json.h"
#include "lua_lnn.h"

#define MAX_ELEMS ((lua_Integer)1 << 31)

static int checkdim(lua_State *L, int arg, const char *what) {
  lua_Integer n = luaL_checkinteger(L, arg);
  if (n < 1 || n > (1 << 30))
    return lnn_lua_argerror(L, arg, NULL, "%s must be 1 to 2^30, got %I", what, n);
  return (int)n;
}

/* The number at idx, element j (1-based) of row i (0 for a flat table) of the
 * table given as argument arg. */
static float checkfloat(lua_State *L, int idx, int arg, lua_Integer i, lua_Integer j) {
  int isnum;
  lua_Number v = lua_tonumberx(L, idx, &isnum);
  if (!isnum) {
    const char *what = luaL_typename(L, idx);
    if (i > 0)
      lnn_lua_argerror(L, arg, NULL, "row %I, element %I: number expected, got %s", i, j, what);
    lnn_lua_argerror(L, arg, NULL, "element %I: number expected, got %s", j, what);
  }
  if (!lnn_lua_fitsfloat(v)) {
    if (i > 0)
      lnn_lua_argerror(L, arg, NULL, "row %I, element %I: %f is beyond float32's range", i, j, v);
    lnn_lua_argerror(L, arg, NULL, "element %I: %f is beyond float32's range", j, v);
  }
  return (float)v;
}

/* Number argument arg as a float32 (an error if beyond its range). */
static float checkfloatarg(lua_State *L, int arg) {
  lua_Number v = luaL_checknumber(L, arg);
  if (!lnn_lua_fitsfloat(v)) lnn_lua_argerror(L, arg, NULL, "%f is beyond float32's range", v);
  return (float)v;
}

/* Fills m from the table argument t: flat (rows*cols numbers) or nested (rows tables of cols). */
static void fill_from_table(lua_State *L, int t, lmatrix *m) {
  lua_Integer n = (lua_Integer)luaL_len(L, t);
  int i, j, flat = 0;
  t = lua_absindex(L, t);
  if (n == (lua_Integer)m->rows * m->cols) { /* flat unless its first element is a row */
    flat = lua_geti(L, t, 1) != LUA_TTABLE && !luaL_testudata(L, -1, LNN_MATRIX);
    lua_pop(L, 1);
  }
  if (flat) {
    for (i = 0; i < n; i++) {
      lua_geti(L, t, i + 1);
      m->data[i] = checkfloat(L, -1, t, 0, (lua_Integer)i + 1);
      lua_pop(L, 1);
    }
    return;
  }
  if (n != m->rows) lnn_lua_argerror(L, t, NULL, "table has %I rows, expected %d", n, m->rows);
  for (i = 0; i < m->rows; i++) {
    if (lua_geti(L, t, i + 1) == LUA_TNUMBER && m->cols == 1) {
      m->data[i] = checkfloat(L, -1, t, 0, (lua_Integer)i + 1);
    } else if (lua_type(L, -1) == LUA_TTABLE || luaL_testudata(L, -1, LNN_MATRIX)) {
      lmatrix *r = (lmatrix *)luaL_testudata(L, -1, LNN_MATRIX);
      if (r != NULL) {
        if ((lua_Integer)r->rows * r->cols != m->cols)
          lnn_lua_argerror(L, t, NULL, "row %d has %I elements, expected %d", i + 1,
                           (lua_Integer)r->rows * r->cols, m->cols);
        memcpy(m->data + (size_t)i * m->cols, r->data, (size_t)m->cols * sizeof(float));
      } else {
        if (luaL_len(L, -1) != m->cols)
          lnn_lua_argerror(L, t, NULL, "row %d has %I elements, expected %d", i + 1,
                           (lua_Integer)luaL_len(L, -1), m->cols);
        for (j = 0; j < m->cols; j++) {
          lua_geti(L, -1, j + 1);
          m->data[(size_t)i * m->cols + j] = checkfloat(L, -1, t, i + 1, j + 1);
          lua_pop(L, 1);
        }
      }
    } else {
      lnn_lua_argerror(L, t, NULL, "row %d: table expected, got %s", i + 1, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
  }
}

/* Matrix(rows, cols [, fill number | table]) or Matrix(nested_table) */
static int mat_new(lua_State *L) {
  int rows, cols;
  lmatrix *m;
  if (lua_istable(L, 1)) {
    lua_Integer n = (lua_Integer)luaL_len(L, 1);
    if (n < 1 || n > (1 << 30))
      return lnn_lua_argerror(L, 1, NULL, "table must have 1 to 2^30 rows");
    lua_geti(L, 1, 1);
    if (lua_istable(L, -1)) {
      lua_Integer c = (lua_Integer)luaL_len(L, -1);
      if (c < 1 || c > (1 << 30))
        return lnn_lua_argerror(L, 1, NULL, "rows must have 1 to 2^30 elements");
      rows = (int)n;
      cols = (int)c;
    } else {
      rows = (int)n;
      cols = 1;
    }
    lua_pop(L, 1);
    if ((lua_Integer)rows * cols > MAX_ELEMS)
      return lnn_lua_argerror(L, 1, NULL, "matrix too large");
    m = lnn_lua_newmatrix(L, rows, cols);
    fill_from_table(L, 1, m);
    return 1;
  }
  lua_settop(L, 3);
  rows = checkdim(L, 1, "rows");
  cols = checkdim(L, 2, "cols");
  if ((lua_Integer)rows * cols > MAX_ELEMS)
    return lnn_lua_argerror(L, 2, NULL, "matrix too large (%d x %d)", rows, cols);
  m = lnn_lua_newmatrix(L, rows, cols);
  if (lua_type(L, 3) == LUA_TNUMBER) {
    size_t i, n = (size_t)rows * cols;
    float v = checkfloatarg(L, 3);
    for (i = 0; i < n; i++) m->data[i] = v;
  } else if (lua_istable(L, 3)) {
    fill_from_table(L, 3, m);
  } else if (!lua_isnoneornil(L, 3)) {
    return lnn_lua_typeerror(L, 3, NULL, "number or table");
  }
  return 1;
}

static int index_arg(lua_State *L, int arg, int n) {
  lua_Integer i = luaL_checkinteger(L, arg);
  if (i < 1 || i > n) return lnn_lua_argerror(L, arg, NULL, "index %I out of range 1..%d", i, n);
  return (int)i - 1;
}

static int mat_index(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  if (lua_type(L, 2) == LUA_TNUMBER) {
    if (m->vec) {
      lua_pushnumber(L, m->data[index_arg(L, 2, m->cols)]);
    } else {
      int i = index_arg(L, 2, m->rows);
      lnn_lua_pushview(L, 1, m->data + (size_t)i * m->cols, 1, m->cols, 1);
    }
    return 1;
  }
  lua_getmetatable(L, 1);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static int mat_newindex(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  if (m->vec) {
    int k = index_arg(L, 2, m->cols);
    m->data[k] = checkfloatarg(L, 3);
  } else {
    int i = index_arg(L, 2, m->rows), j;
    float *row = m->data + (size_t)i * m->cols;
    luaL_checktype(L, 3, LUA_TTABLE);
    if (luaL_len(L, 3) != m->cols)
      return lnn_lua_argerror(L, 3, NULL, "row needs %d numbers", m->cols);
    for (j = 0; j < m->cols; j++) {
      lua_geti(L, 3, j + 1);
      row[j] = checkfloat(L, -1, 3, 0, j + 1);
      lua_pop(L, 1);
    }
  }
  return 0;
}

static int mat_len(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  lua_pushinteger(L, m->vec ? m->cols : m->rows);
  return 1;
}

static int mat_shape(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  lua_pushinteger(L, m->rows);
  lua_pushinteger(L, m->cols);
  return 2;
}

static int mat_numel(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  lua_pushinteger(L, (lua_Integer)m->rows * m->cols);
  return 1;
}

static int mat_get(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  int i = index_arg(L, 2, m->rows), j = index_arg(L, 3, m->cols);
  lua_pushnumber(L, m->data[(size_t)i * m->cols + j]);
  return 1;
}

static int mat_set(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  int i = index_arg(L, 2, m->rows), j = index_arg(L, 3, m->cols);
  m->data[(size_t)i * m->cols + j] = checkfloatarg(L, 4);
  return 0;
}

/* totable(): nested rows (flat list for a 1-D view or when flat == true) */
static int mat_totable(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  int flat = m->vec || lua_toboolean(L, 2), i, j;
  if (flat) {
    size_t k, n = (size_t)m->rows * m->cols;
    lua_createtable(L, (int)n, 0);
    for (k = 0; k < n; k++) {
      lua_pushnumber(L, m->data[k]);
      lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    return 1;
  }
  lua_createtable(L, m->rows, 0);
  for (i = 0; i < m->rows; i++) {
    lua_createtable(L, m->cols, 0);
    for (j = 0; j < m->cols; j++) {
      lua_pushnumber(L, m->data[(size_t)i * m->cols + j]);
      lua_rawseti(L, -2, j + 1);
    }
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int mat_copy(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  lmatrix *c = lnn_lua_newmatrix(L, m->rows, m->cols);
  memcpy(c->data, m->data, (size_t)m->rows * m->cols * sizeof(float));
  return 1;
}

/* m:copy_from(src): same number of elements, any shape */
static int mat_copy_from(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  lmatrix *s = lnn_lua_checkmatrix(L, 2);
  if ((size_t)m->rows * m->cols != (size_t)s->rows * s->cols)
    return lnn_lua_argerror(L, 2, NULL, "shapes differ: %dx%d <- %dx%d", m->rows, m->cols, s->rows,
                            s->cols);
  memmove(m->data, s->data, (size_t)m->rows * m->cols * sizeof(float));
  lua_settop(L, 1);
  return 1;
}

static int mat_fill(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  float v = checkfloatarg(L, 2);
  size_t i, n = (size_t)m->rows * m->cols;
  for (i = 0; i < n; i++) m->data[i] = v;
  lua_settop(L, 1);
  return 1;
}

/* m:view(first, rows, cols): rows x cols elements from element first (1-based), shared */
static int mat_view(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  lua_Integer n = (lua_Integer)m->rows * m->cols;
  lua_Integer first = luaL_checkinteger(L, 2);
  int rows = checkdim(L, 3, "rows"), cols = checkdim(L, 4, "cols");
  if (first < 1 || first > n || (lua_Integer)rows * cols > n - first + 1)
    return lnn_lua_argerror(L, 2, NULL, "%dx%d from element %I exceeds %I elements", rows, cols,
                            first, n);
  lnn_lua_pushview(L, 1, m->data + (first - 1), rows, cols, 0);
  return 1;
}

static int mat_reshape(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  int rows = checkdim(L, 2, "rows"), cols = checkdim(L, 3, "cols");
  if ((lua_Integer)rows * cols != (lua_Integer)m->rows * m->cols)
    return lnn_lua_argerror(L, 3, NULL, "cannot reshape %dx%d to %dx%d", m->rows, m->cols, rows,
                            cols);
  lnn_lua_pushview(L, 1, m->data, rows, cols, 0);
  return 1;
}

/* maxabsdiff(a, b): largest |a - b| over elements (NaN if either has NaN) */
static int mat_maxabsdiff(lua_State *L) {
  lmatrix *a = lnn_lua_checkmatrix(L, 1);
  lmatrix *b = lnn_lua_checkmatrix(L, 2);
  size_t i, n = (size_t)a->rows * a->cols;
  double mx = 0.0;
  if (a->rows != b->rows || a->cols != b->cols)
    return lnn_lua_argerror(L, 2, NULL, "shapes differ: %dx%d vs %dx%d", a->rows, a->cols, b->rows,
                            b->cols);
  for (i = 0; i < n; i++) {
    double d = fabs((double)a->data[i] - b->data[i]);
    if (d != d) {
      mx = d;
      break;
    }
    if (d > mx) mx = d;
  }
  lua_pushnumber(L, mx);
  return 1;
}

/* sum of all elements, in double */
static int mat_sum(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  size_t i, n = (size_t)m->rows * m->cols;
  double s = 0.0;
  for (i = 0; i < n; i++) s += m->data[i];
  lua_pushnumber(L, s);
  return 1;
}

/* argmax(): 1-based index of the largest element (first on ties) */
static int mat_argmax(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  lua_pushinteger(L, lnn_argmax(m->data, (size_t)m->rows * m->cols) + 1);
  return 1;
}

/* apply(name): a new matrix of f(m) element-wise, f one of sigmoid,
 * sigmoid_prime, tanh, relu (the book's module functions on arrays) */
static int mat_apply(lua_State *L) {
  static const char *const names[] = {"sigmoid", "sigmoid_prime", "tanh", "relu", NULL};
  static const lnn_act acts[] = {LNN_ACT_SIGMOID, LNN_ACT_SIGMOID, LNN_ACT_TANH, LNN_ACT_RELU};
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  int f = luaL_checkoption(L, 2, NULL, names);
  size_t i, n = (size_t)m->rows * m->cols;
  lmatrix *r = lnn_lua_newmatrix(L, m->rows, m->cols);
  const lnn_kernels *K = &lnn_kernels_naive;
  K->act_forward(acts[f], r->data, m->data, n);
  if (f == 1) { /* sigmoid'(z) = s(z) (1 - s(z)) */
    for (i = 0; i < n; i++) r->data[i] = r->data[i] * (1.0f - r->data[i]);
  }
  return 1;
}

/* tojson(["rows"|"column"]): JSON text of the matrix as a list of rows
 * ("rows", the default: [[m11,m12,...],...]) or of one-element lists
 * ("column": [[m1],[m2],...], numpy's column vector, for every element in
 * row-major order).  Numbers are the shortest text that reads back as the
 * same float32; NaN and Inf, which JSON lacks, are an error. */
static int mat_tojson(lua_State *L) {
  static const char *const modes[] = {"rows", "column", NULL};
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  int column = luaL_checkoption(L, 2, "rows", modes);
  size_t i, n = (size_t)m->rows * m->cols, per = column ? 1 : (size_t)m->cols;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addchar(&b, '[');
  for (i = 0; i < n; i++) {
    char num[48];
    int len = lnn_json_format_float(num, sizeof num, m->data[i]);
    if (len < 0)
      return lnn_lua_error(L, "tojson", "element %d is %f; JSON has no NaN or Inf", (int)i + 1,
                           (double)m->data[i]);
    if (i % per == 0) luaL_addstring(&b, i == 0 ? "[" : "],[");
    else luaL_addchar(&b, ',');
    luaL_addlstring(&b, num, (size_t)len);
  }
  luaL_addstring(&b, n > 0 ? "]]" : "]");
  luaL_pushresult(&b);
  return 1;
}

static int mat_tostring(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  luaL_Buffer b;
  int i, j, rmax = m->rows < 6 ? m->rows : 6, cmax = m->cols < 8 ? m->cols : 8;
  luaL_buffinit(L, &b);
  if (m->vec)
    lua_pushfstring(L, "lnn.Matrix(%d)", m->cols);
  else
    lua_pushfstring(L, "lnn.Matrix(%dx%d)", m->rows, m->cols);
  luaL_addvalue(&b);
  for (i = 0; i < rmax; i++) {
    luaL_addstring(&b, "\n ");
    for (j = 0; j < cmax; j++) {
      char num[32];
      snprintf(num, sizeof num, " %.6g", (double)m->data[(size_t)i * m->cols + j]);
      luaL_addstring(&b, num);
    }
    if (cmax < m->cols) luaL_addstring(&b, " ...");
  }
  if (rmax < m->rows) luaL_addstring(&b, "\n  ...");
  luaL_pushresult(&b);
  return 1;
}

static const luaL_Reg mat_meta[] = {
    {"__index", mat_index}, {"__newindex", mat_newindex}, {"__len", mat_len},
    {"__tostring", mat_tostring}, {"shape", mat_shape}, {"numel", mat_numel},
    {"get", mat_get}, {"set", mat_set}, {"totable", mat_totable}, {"copy", mat_copy},
    {"copy_from", mat_copy_from}, {"fill", mat_fill}, {"view", mat_view},
    {"reshape", mat_reshape}, {"maxabsdiff", mat_maxabsdiff}, {"sum", mat_sum},
    {"argmax", mat_argmax}, {"apply", mat_apply}, {"tojson", mat_tojson}, {NULL, NULL}};

int lnn_lua_open_matrix(lua_State *L) {
  luaL_newmetatable(L, LNN_MATRIX);
  luaL_setfuncs(L, mat_meta, 0);
  lua_pop(L, 1);
  lua_pushcfunction(L, mat_new);
  lua_setfield(L, -2, "Matrix");
  return 0;
}
