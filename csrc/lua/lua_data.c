/* lua_data.c -- lnn.Data: data sets as compact userdata that read like the
 * book's lists of (x, y) pairs.  Pixels stay bytes; an item becomes a float
 * matrix only when a script asks for it.  Slices are views sharing memory.
 * Building from Lua tables loops in Lua's C API once, at construction. */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "formats/idx.h"
#include "sys/fileio.h"
#include "lua_lnn.h"

/* A view of s sharing its blobs (s at index arg). */
static ldata *pushview(lua_State *L, int arg, const ldata *s) {
  ldata *v;
  lua_getiuservalue(L, arg, 1);
  lua_getiuservalue(L, arg, 2);
  v = lnn_lua_newdata(L, -2, -1);
  *v = *s;
  lua_replace(L, -3);
  lua_pop(L, 1);
  return v;
}

/* pushes the view of items first..last (1-based, inclusive, in range) of the
 * data set at arg */
static void pushslice(lua_State *L, int arg, const ldata *s, lua_Integer first, lua_Integer last) {
  ldata *v = pushview(L, arg, s);
  v->d.n = (size_t)(last - first + 1);
  if (v->d.x8) v->d.x8 += (size_t)(first - 1) * v->d.d;
  if (v->d.xf) v->d.xf += (size_t)(first - 1) * v->d.d;
  if (v->d.label) v->d.label += (size_t)(first - 1);
  if (v->d.y) v->d.y += (size_t)(first - 1) * v->d.k;
}

static size_t vec_len(lua_State *L, int idx) {
  lmatrix *m = (lmatrix *)luaL_testudata(L, idx, LNN_MATRIX);
  if (m != NULL) return (size_t)m->rows * m->cols;
  if (lua_istable(L, idx)) return (size_t)luaL_len(L, idx);
  return 0;
}

/* Copies a vector (Matrix or table of numbers, possibly nested 1-element rows)
 * into dst[n]; it is item i of argument arg, called what in messages. */
static void read_vec(lua_State *L, int idx, float *dst, size_t n, int arg, const char *what,
                     lua_Integer i) {
  lmatrix *m = (lmatrix *)luaL_testudata(L, idx, LNN_MATRIX);
  size_t k;
  if (m != NULL) {
    memcpy(dst, m->data, n * sizeof *dst);
    return;
  }
  idx = lua_absindex(L, idx);
  for (k = 0; k < n; k++) {
    int t = lua_geti(L, idx, (lua_Integer)k + 1), ok;
    lua_Number v;
    if (t == LUA_TTABLE && luaL_len(L, -1) == 1) { /* a column vector [[v1], [v2], ...] */
      lua_geti(L, -1, 1);
      lua_remove(L, -2);
    }
    v = lua_tonumberx(L, -1, &ok);
    if (!ok)
      lnn_lua_argerror(L, arg, NULL, "%s %I, element %I: number expected, got %s", what, i,
                       (lua_Integer)k + 1, luaL_typename(L, -1));
    if (!lnn_lua_fitsfloat(v))
      lnn_lua_argerror(L, arg, NULL, "%s %I, element %I: %f is beyond float32's range", what, i,
                       (lua_Integer)k + 1, v);
    dst[k] = (float)v;
    lua_pop(L, 1);
  }
}

/* Data(xs, ys [, classes]): xs a list of input vectors (Matrix or tables) or
 * an n x d Matrix; ys a list of target vectors, a list of class numbers
 * (0-based, as the book's digits; classes defaults to the largest + 1), or an
 * n x k Matrix of targets. */
static int data_new(lua_State *L) {
  lmatrix *X = (lmatrix *)luaL_testudata(L, 1, LNN_MATRIX);
  lmatrix *Y = (lmatrix *)luaL_testudata(L, 2, LNN_MATRIX);
  size_t n, d, k, i;
  int labels;
  lblob *xb, *yb;
  ldata *s;
  lua_settop(L, 3);
  if (X == NULL) luaL_checktype(L, 1, LUA_TTABLE);
  if (Y == NULL) luaL_checktype(L, 2, LUA_TTABLE);
  n = X ? (size_t)X->rows : (size_t)luaL_len(L, 1);
  if ((Y ? (size_t)Y->rows : (size_t)luaL_len(L, 2)) != n)
    return lnn_lua_argerror(L, 2, NULL, "%d targets for %d inputs",
                            (int)(Y ? (size_t)Y->rows : (size_t)luaL_len(L, 2)), (int)n);
  if (n < 1 || n > ((size_t)1 << 31))
    return lnn_lua_argerror(L, 1, NULL, "1 to 2^31 items expected");
  if (X) {
    d = (size_t)X->cols;
  } else {
    lua_geti(L, 1, 1);
    d = vec_len(L, -1);
    lua_pop(L, 1);
    if (d == 0)
      return lnn_lua_argerror(L, 1, NULL, "items must be non-empty vectors (Matrix or table)");
  }
  lua_geti(L, 2, 1);
  labels = Y == NULL && lua_isinteger(L, -1);
  k = Y ? (size_t)Y->cols : labels ? 0 : vec_len(L, -1);
  lua_pop(L, 1);
  if (!labels && k == 0)
    return lnn_lua_argerror(L, 2, NULL, "targets must be vectors or class numbers");
  if (n * d > ((size_t)1 << 33)) return lnn_lua_argerror(L, 1, NULL, "data set too large");
  xb = lnn_lua_newblob(L, n * d * sizeof(float));
  if (X) {
    memcpy(xb->data, X->data, n * d * sizeof(float));
  } else {
    for (i = 0; i < n; i++) {
      lua_geti(L, 1, (lua_Integer)i + 1);
      if (vec_len(L, -1) != d)
        return lnn_lua_argerror(L, 1, NULL, "input %d has %d elements, expected %d", (int)i + 1,
                                (int)vec_len(L, -1), (int)d);
      read_vec(L, -1, (float *)(void *)xb->data + i * d, d, 1, "input", (lua_Integer)i + 1);
      lua_pop(L, 1);
    }
  }
  if (labels) {
    lua_Integer kk = luaL_optinteger(L, 3, -1), mx = 0;
    if (!lua_isnoneornil(L, 3) && (kk < 1 || kk > LNN_LIMIT_CLASSES))
      return lnn_lua_argerror(L, 3, NULL, "classes must be 1 to %d", LNN_LIMIT_CLASSES);
    yb = lnn_lua_newblob(L, n);
    for (i = 0; i < n; i++) {
      lua_Integer c;
      int ok;
      lua_geti(L, 2, (lua_Integer)i + 1);
      c = lua_tointegerx(L, -1, &ok);
      lua_pop(L, 1);
      if (!ok || c < 0 || c > 255 || (kk > 0 && c >= kk))
        return lnn_lua_argerror(L, 2, NULL, "label %d must be an integer 0..%d", (int)i + 1,
                                kk > 0 ? (int)kk - 1 : 255);
      yb->data[i] = (unsigned char)c;
      if (c > mx) mx = c;
    }
    k = kk > 0 ? (size_t)kk : (size_t)mx + 1;
  } else {
    yb = lnn_lua_newblob(L, n * k * sizeof(float));
    if (Y) {
      memcpy(yb->data, Y->data, n * k * sizeof(float));
    } else {
      for (i = 0; i < n; i++) {
        lua_geti(L, 2, (lua_Integer)i + 1);
        if (vec_len(L, -1) != k)
          return lnn_lua_argerror(L, 2, NULL, "target %d has %d elements, expected %d", (int)i + 1,
                                  (int)vec_len(L, -1), (int)k);
        read_vec(L, -1, (float *)(void *)yb->data + i * k, k, 2, "target", (lua_Integer)i + 1);
        lua_pop(L, 1);
      }
    }
  }
  s = lnn_lua_newdata(L, -2, -1);
  s->d.n = n;
  s->d.d = d;
  s->d.k = k;
  s->d.xf = (const float *)(const void *)xb->data;
  s->d.scale = 1.0f;
  if (labels)
    s->d.label = yb->data;
  else
    s->d.y = (const float *)(const void *)yb->data;
  s->onehot = !labels;
  return 1;
}

static int idxfail(lua_State *L, const lnn_error *e) { return lnn_lua_fail(L, "load_idx", e); }

/* load_idx(images_path, labels_path [, classes = 10]): an IDX image file
 * (count x rows x cols bytes) and its label file as one data set, pixels
 * scaled by 1/255 as the book does. */
static int data_load_idx(lua_State *L) {
  const char *ip = luaL_checkstring(L, 1), *lp = luaL_checkstring(L, 2);
  lua_Integer classes = luaL_optinteger(L, 3, 10);
  lnn_idx_header ih, lh;
  lnn_error e;
  lblob *xb, *yb;
  ldata *s;
  size_t i;
  lnn_rfile *fi, *fl;
  lnn_lua_argcheck(L, classes >= 1 && classes <= LNN_LIMIT_CLASSES, 3, "classes must be 1 to %d",
                   LNN_LIMIT_CLASSES);
  /* each file through one descriptor, header and payload: one snapshot of it */
  fi = lnn_lua_openfile(L, ip, "load_idx");
  if (lnn_idx_read_header_fd(fi->fd, ip, 2051, &ih, &e) != LNN_OK) return idxfail(L, &e);
  fl = lnn_lua_openfile(L, lp, "load_idx");
  if (lnn_idx_read_header_fd(fl->fd, lp, 2049, &lh, &e) != LNN_OK) return idxfail(L, &e);
  if (ih.dims[0] != lh.dims[0])
    return lnn_lua_error(L, "load_idx", "%s has %d images but %s has %d labels", ip,
                         (int)ih.dims[0], lp, (int)lh.dims[0]);
  if (ih.dims[0] == 0) return lnn_lua_error(L, "load_idx", "%s holds no images", ip);
  xb = lnn_lua_newblob(L, ih.total);
  if (lnn_idx_read_fd(fi->fd, ip, &ih, xb->data, xb->size, &e) != LNN_OK) return idxfail(L, &e);
  yb = lnn_lua_newblob(L, lh.total);
  if (lnn_idx_read_fd(fl->fd, lp, &lh, yb->data, yb->size, &e) != LNN_OK) return idxfail(L, &e);
  lnn_rfile_close(fi);
  lnn_rfile_close(fl);
  for (i = 0; i < lh.total; i++)
    if (yb->data[i] >= classes)
      return lnn_lua_error(L, "load_idx", "%s: label %d of item %d is out of range 0..%d", lp,
                           (int)yb->data[i], (int)i + 1, (int)classes - 1);
  s = lnn_lua_newdata(L, -2, -1);
  s->d.n = ih.dims[0];
  s->d.d = ih.item_size;
  s->d.k = (size_t)classes;
  s->d.x8 = xb->data;
  s->d.scale = 1.0f / 255.0f;
  s->d.label = yb->data;
  s->onehot = 0;
  lua_pushinteger(L, ih.ndim >= 3 ? (lua_Integer)ih.dims[1] : 1);
  lua_pushinteger(L, ih.ndim >= 3 ? (lua_Integer)ih.dims[2] : (lua_Integer)ih.item_size);
  return 3;
}

static size_t item_arg(lua_State *L, int arg, const ldata *s) {
  lua_Integer i = luaL_checkinteger(L, arg);
  if (i < 1 || (size_t)i > s->d.n)
    lnn_lua_argerror(L, arg, NULL, "index %I out of range 1..%d", i, (int)s->d.n);
  return (size_t)i - 1;
}

/* pushes x (d x 1) and y (k x 1 matrix, or the class number) of item i */
static void push_item(lua_State *L, const ldata *s, size_t i) {
  lmatrix *x = lnn_lua_newmatrix(L, (int)s->d.d, 1);
  uint32_t idx = (uint32_t)i;
  lnn_data_gather_x(&s->d, &idx, 0, 1, x->data, &lnn_kernels_naive);
  if (s->onehot) {
    lmatrix *y = lnn_lua_newmatrix(L, (int)s->d.k, 1);
    lnn_data_gather_y(&s->d, &idx, 0, 1, y->data);
  } else {
    lua_pushinteger(L, lnn_data_class(&s->d, i));
  }
}

static int data_get(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  push_item(L, s, item_arg(L, 2, s));
  return 2;
}

/* data[i]: item i as the pair {x, y}, and nil past either end, as a Lua
 * sequence reads (so ipairs stops after the last item); a method by name.  An
 * index of another type (a fraction, a table, a boolean) is an error. */
static int data_index(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  int t = lua_type(L, 2);
  if (t == LUA_TNUMBER) {
    int isint;
    lua_Integer i = lua_tointegerx(L, 2, &isint);
    if (!isint) return lnn_lua_argerror(L, 2, NULL, "item index expected (an integer), got %s", lua_tostring(L, 2));
    if (i < 1 || (size_t)i > s->d.n) {
      lua_pushnil(L);
      return 1;
    }
    lua_createtable(L, 2, 0);
    push_item(L, s, (size_t)i - 1);
    lua_rawseti(L, -3, 2);
    lua_rawseti(L, -2, 1);
    return 1;
  }
  if (t != LUA_TSTRING)
    return lnn_lua_argerror(L, 2, NULL, "item index or method name expected, got %s", luaL_typename(L, 2));
  lua_getmetatable(L, 1);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

/* the iterator batches() returns: upvalues the data set, the batch size and
 * the next item; each call gives the batch's number and its slice (a view) */
static int data_batches_next(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, lua_upvalueindex(1));
  lua_Integer size = lua_tointeger(L, lua_upvalueindex(2)), first = lua_tointeger(L, lua_upvalueindex(3));
  lua_Integer n = (lua_Integer)s->d.n, last;
  if (first > n) return 0;
  last = first + size - 1 < n ? first + size - 1 : n;
  lua_pushinteger(L, last + 1);
  lua_replace(L, lua_upvalueindex(3));
  lua_pushinteger(L, (first - 1) / size + 1);
  pushslice(L, lua_upvalueindex(1), s, first, last);
  return 2;
}

/* batches(size): for k, batch in data:batches(10): the mini-batches in
 * order, as slices (views); the last one holds what is left */
static int data_batches(lua_State *L) {
  lnn_lua_checkdata(L, 1);
  lua_Integer size = luaL_checkinteger(L, 2);
  if (size < 1) return lnn_lua_argerror(L, 2, NULL, "batch size expected (an integer >= 1), got %I", size);
  lua_settop(L, 2);
  lua_pushinteger(L, 1);
  lua_pushcclosure(L, data_batches_next, 3);
  return 1;
}

static int data_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lnn_lua_checkdata(L, 1)->d.n);
  return 1;
}

/* slice(first [, last]): items first..last (1-based, inclusive), sharing memory */
static int data_slice(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  lua_Integer n = (lua_Integer)s->d.n;
  lua_Integer first = luaL_checkinteger(L, 2), last = luaL_optinteger(L, 3, n);
  if (first < 1 || first > n)
    return lnn_lua_argerror(L, 2, NULL, "first %I out of range 1..%I", first, n);
  if (last < first || last > n)
    return lnn_lua_argerror(L, 3, NULL, "last %I out of range %I..%I", last, first, n);
  pushslice(L, 1, s, first, last);
  return 1;
}

/* onehot(flag): a view whose items give y as a one-hot vector (true) or as the class (false) */
static int data_onehot(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  int flag = lua_isnone(L, 2) ? 1 : lua_toboolean(L, 2);
  pushview(L, 1, s)->onehot = flag;
  return 1;
}

/* shape(): items, inputs per item, classes (or target length) */
static int data_shape(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  lua_pushinteger(L, (lua_Integer)s->d.n);
  lua_pushinteger(L, (lua_Integer)s->d.d);
  lua_pushinteger(L, (lua_Integer)s->d.k);
  return 3;
}

/* label(i): the class of item i (0-based digit) */
static int data_label(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  lua_pushinteger(L, lnn_data_class(&s->d, item_arg(L, 2, s)));
  return 1;
}

/* pixels(i): item i's raw bytes as a string (byte data sets only) */
static int data_pixels(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  size_t i = item_arg(L, 2, s);
  if (s->d.x8 == NULL) return lnn_lua_argerror(L, 1, NULL, "data set holds floats, not bytes");
  lua_pushlstring(L, (const char *)s->d.x8 + i * s->d.d, s->d.d);
  return 1;
}

/* crc32 of n bytes, in pieces zlib's uInt takes */
static uLong crc_bytes(uLong crc, const void *p, size_t n) {
  const unsigned char *b = (const unsigned char *)p;
  while (n > 0) {
    size_t piece = n > ((size_t)1 << 30) ? ((size_t)1 << 30) : n;
    crc = crc32(crc, b, (uInt)piece);
    b += piece;
    n -= piece;
  }
  return crc;
}

/* checksum(): the CRC-32 (8 hex digits) of the data set's shape, inputs and
 * targets as they are held: two sets give the same checksum when they hold the
 * same items (what MPI ranks compare before they train together) */
static int data_checksum(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  const lnn_data *d = &s->d;
  unsigned long long shape[3];
  uLong crc = crc32(0L, Z_NULL, 0);
  char hex[9];
  shape[0] = d->n;
  shape[1] = d->d;
  shape[2] = d->k;
  crc = crc_bytes(crc, shape, sizeof shape);
  if (d->x8 != NULL) crc = crc_bytes(crc, d->x8, d->n * d->d);
  else crc = crc_bytes(crc, d->xf, d->n * d->d * sizeof(float));
  if (d->label != NULL) crc = crc_bytes(crc, d->label, d->n);
  else crc = crc_bytes(crc, d->y, d->n * d->k * sizeof(float));
  snprintf(hex, sizeof hex, "%08lx", (unsigned long)crc & 0xffffffffUL);
  lua_pushstring(L, hex);
  return 1;
}

/* find_nonfinite(): nil when every input and target is finite, else the first
 * item holding NaN or an infinity, "input" or "target", and the element (1-based) */
static int data_find_nonfinite(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  size_t item, elem;
  int in_target;
  if (!lnn_data_find_nonfinite(&s->d, &item, &in_target, &elem)) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushinteger(L, (lua_Integer)item + 1);
  lua_pushstring(L, in_target ? "target" : "input");
  lua_pushinteger(L, (lua_Integer)elem + 1);
  return 3;
}

/* matrices([first [, last]]): items first..last (default: all) as an input
 * matrix X (items x inputs, floats) and a target matrix Y (items x classes,
 * one-hot for labelled sets): what core.Net:gradient and :update take */
static int data_matrices(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  lua_Integer first = luaL_optinteger(L, 2, 1), last = luaL_optinteger(L, 3, (lua_Integer)s->d.n);
  lmatrix *X, *Y;
  size_t m;
  lnn_lua_argcheck(L, first >= 1 && first <= (lua_Integer)s->d.n, 2,
                   "first item 1..%d expected, got %d", (int)s->d.n, (int)first);
  lnn_lua_argcheck(L, last >= first && last <= (lua_Integer)s->d.n, 3,
                   "last item %d..%d expected, got %d", (int)first, (int)s->d.n, (int)last);
  m = (size_t)(last - first + 1);
  if (m > (size_t)1 << 30 || s->d.d * m > ((size_t)1 << 31) || s->d.k * m > ((size_t)1 << 31))
    return lnn_lua_error(L, "matrices", "%d items are too many for one matrix", (int)m);
  X = lnn_lua_newmatrix(L, (int)m, (int)s->d.d);
  lnn_data_gather_x(&s->d, NULL, (size_t)first - 1, m, X->data, lnn_kernels_best());
  Y = lnn_lua_newmatrix(L, (int)m, (int)s->d.k);
  lnn_data_gather_y(&s->d, NULL, (size_t)first - 1, m, Y->data);
  return 2;
}

static int data_tostring(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  lua_pushfstring(L, "lnn.Data(%d items, %d inputs, %d %s)", (int)s->d.n, (int)s->d.d,
                  (int)s->d.k, s->d.label ? "classes" : "targets");
  return 1;
}

static const luaL_Reg data_meta[] = {
    {"__index", data_index}, {"__len", data_len}, {"__tostring", data_tostring},
    {"get", data_get}, {"slice", data_slice}, {"onehot", data_onehot},
    {"shape", data_shape}, {"label", data_label}, {"pixels", data_pixels},
    {"find_nonfinite", data_find_nonfinite}, {"checksum", data_checksum}, {"matrices", data_matrices},
    {"batches", data_batches}, {NULL, NULL}};

int lnn_lua_open_data(lua_State *L) {
  luaL_newmetatable(L, LNN_BLOB);
  lua_pop(L, 1);
  luaL_newmetatable(L, LNN_DATA);
  luaL_setfuncs(L, data_meta, 0);
  lua_pop(L, 1);
  lua_pushcfunction(L, data_new);
  lua_setfield(L, -2, "Data");
  lua_pushcfunction(L, data_load_idx);
  lua_setfield(L, -2, "load_idx");
  return 0;
}
