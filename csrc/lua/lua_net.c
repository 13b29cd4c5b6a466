/* lua_net.c -- lnn.Net: the one engine as a Lua object.  A network is one
 * userdata, header then parameter block; its mini-batch workspace and momentum
 * buffer are cached in user values.  Every argument is checked here so the
 * core can trust it.  One call to train_epoch runs a whole epoch in C. */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/accumulate.h"
#include "engine/parallel.h"
#include "lua_lnn.h"

/* rows per forward pass when evaluating: large enough that each product
 * (lnn_gemm) reads the weights once for many rows, small enough to stay in L2 with its activations; and
 * no more than EVAL_BYTES of workspace per thread (a conv net's rows are big) */
#define EVAL_ROWS 512
#define EVAL_BYTES ((size_t)8 << 20)

static const char *const act_names[] = {"linear", "sigmoid", "tanh", "relu", "softmax", NULL};
static const char *const cost_names[] = {"quadratic", "cross-entropy", "log-likelihood", NULL};

static int enum_field(lua_State *L, int t, const char *key, const char *def,
                      const char *const names[], const char *fname) {
  const char *s;
  int i;
  lua_getfield(L, t, key);
  if (lua_isnil(L, -1)) {
    s = def;
  } else if (lua_type(L, -1) == LUA_TSTRING) {
    s = lua_tostring(L, -1);
  } else {
    return lnn_lua_opterror(L, fname, key, "string expected, got %s", luaL_typename(L, -1));
  }
  for (i = 0; names[i]; i++)
    if (strcmp(names[i], s) == 0) break;
  if (names[i] == NULL) {
    luaL_Buffer b;
    int j;
    luaL_buffinit(L, &b);
    for (j = 0; names[j]; j++) {
      luaL_addstring(&b, j ? ", " : "");
      luaL_addstring(&b, names[j]);
    }
    luaL_pushresult(&b);
    return lnn_lua_opterror(L, fname, key, "one of %s expected, got '%s'", lua_tostring(L, -1), s);
  }
  lua_pop(L, 1);
  return i;
}

static const char *const kind_names[] = {"dense", "convpool", "dropout", NULL};

/* the value on top of the stack as a size 1 to 2^24 (popped); what names it in errors */
static int pop_size(lua_State *L, int l, const char *what) {
  int ok;
  lua_Integer v = lua_tointegerx(L, -1, &ok);
  if (!ok || v < 1 || v > LNN_LIMIT_LAYER)
    lnn_lua_opterror(L, "Net", "layers", "layer %d: %s must be an integer 1 to 2^24, got %s", l,
                     what, luaL_tolstring(L, -1, NULL));
  lua_pop(L, 1);
  return (int)v;
}

/* integer field key of the layer table at t */
static int layer_int(lua_State *L, int t, int l, const char *key) {
  const char *what = lua_pushfstring(L, "'%s'", key);
  int v;
  lua_getfield(L, t, key);
  v = pop_size(L, l, what);
  lua_pop(L, 1);
  return v;
}

/* the list of n integers at key of the layer table at t into out */
static void layer_ints(lua_State *L, int t, int l, const char *key, int *out, int n) {
  int i;
  if (lua_getfield(L, t, key) != LUA_TTABLE || luaL_len(L, -1) != n)
    lnn_lua_opterror(L, "Net", "layers", "layer %d: '%s' must be a list of %d integers", l, key, n);
  for (i = 0; i < n; i++) {
    const char *what = lua_pushfstring(L, "'%s'[%d]", key, i + 1);
    lua_geti(L, -2, i + 1);
    out[i] = pop_size(L, l, what);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* layers = {{kind = "dense", n_in =, n_out =, activation =},
 *           {kind = "convpool", image = {c, h, w}, filters = {f, c, kh, kw}, pool = {ph, pw},
 *            activation =}, {kind = "dropout", n_in =, p =}, ...} */
static int read_layers(lua_State *L, int t, lnn_layer *spec) {
  static const char *const dense_opts[] = {"kind", "n_in", "n_out", "activation", NULL};
  static const char *const conv_opts[] = {"kind", "image", "filters", "pool", "activation", NULL};
  static const char *const drop_opts[] = {"kind", "n_in", "p", NULL};
  int n = (int)luaL_len(L, t), l;
  if (n < 1 || n > LNN_LIMIT_LAYERS)
    return lnn_lua_opterror(L, "Net", "layers", "1 to %d layers expected, got %d", LNN_LIMIT_LAYERS,
                            n);
  memset(spec, 0, (size_t)n * sizeof *spec);
  for (l = 0; l < n; l++) {
    lnn_layer *y = &spec[l];
    int top;
    if (lua_geti(L, t, l + 1) != LUA_TTABLE)
      return lnn_lua_opterror(L, "Net", "layers", "layer %d: table expected, got %s", l + 1,
                              luaL_typename(L, -1));
    top = lua_gettop(L);
    y->kind = enum_field(L, top, "kind", "dense", kind_names, "Net");
    if (y->kind == LNN_LAYER_DENSE) {
      lnn_lua_checkoptions(L, top, "Net", dense_opts);
      y->n_in = layer_int(L, top, l + 1, "n_in");
      y->n_out = layer_int(L, top, l + 1, "n_out");
      y->act = enum_field(L, top, "activation", "sigmoid", act_names, "Net");
    } else if (y->kind == LNN_LAYER_CONVPOOL) {
      int img[3], flt[4], pool[2];
      lnn_lua_checkoptions(L, top, "Net", conv_opts);
      layer_ints(L, top, l + 1, "image", img, 3);
      layer_ints(L, top, l + 1, "filters", flt, 4);
      layer_ints(L, top, l + 1, "pool", pool, 2);
      if (flt[1] != img[0])
        return lnn_lua_opterror(L, "Net", "layers",
                                "layer %d: filters of %d channels but an image of %d", l + 1,
                                flt[1], img[0]);
      y->conv.c = img[0], y->conv.h = img[1], y->conv.w = img[2];
      y->conv.f = flt[0], y->conv.kh = flt[2], y->conv.kw = flt[3];
      y->conv.ph = pool[0], y->conv.pw = pool[1];
      y->act = enum_field(L, top, "activation", "sigmoid", act_names, "Net");
    } else {
      lnn_lua_checkoptions(L, top, "Net", drop_opts);
      y->n_in = layer_int(L, top, l + 1, "n_in");
      y->p = (float)lnn_lua_optnumfield(L, top, "Net", "p", -1.0);
      y->act = LNN_ACT_LINEAR;
    }
    lua_pop(L, 1);
  }
  return n;
}

/* The layout the options table at index 1 describes (see net_new), checked
 * by the engine; raises a Lua error naming 'Net' otherwise. */
static void check_layout(lua_State *L, lnn_net *layout) {
  static const char *const opts[] = {"sizes", "hidden", "output", "cost", "layers", NULL};
  int sizes[LNN_LIMIT_LAYERS + 1], n, i, hidden, output, cost;
  lnn_error e;
  luaL_checktype(L, 1, LUA_TTABLE);
  lnn_lua_checkoptions(L, 1, "Net", opts);
  cost = enum_field(L, 1, "cost", "quadratic", cost_names, "Net");
  if (lua_getfield(L, 1, "layers") != LUA_TNIL) {
    lnn_layer spec[LNN_LIMIT_LAYERS];
    if (!lua_istable(L, -1))
      lnn_lua_opterror(L, "Net", "layers", "table expected, got %s", luaL_typename(L, -1));
    lua_getfield(L, 1, "sizes");
    lua_getfield(L, 1, "hidden");
    lua_getfield(L, 1, "output");
    if (!lua_isnil(L, -1) || !lua_isnil(L, -2) || !lua_isnil(L, -3))
      luaL_error(L, "bad options to '%s' (either 'layers' or 'sizes', 'hidden' and 'output', "
                 "not both)", lnn_lua_fname(L, "Net"));
    lua_pop(L, 3);
    n = read_layers(L, lua_gettop(L), spec);
    lua_pop(L, 1);
    if (lnn_net_layout(layout, spec, n, (lnn_cost)cost, &e) != LNN_OK) lnn_lua_fail(L, "Net", &e);
  } else {
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "sizes") != LUA_TTABLE)
      lnn_lua_opterror(L, "Net", "sizes", "table expected, got %s", luaL_typename(L, -1));
    n = (int)luaL_len(L, -1);
    if (n < 2 || n > LNN_LIMIT_LAYERS + 1)
      lnn_lua_opterror(L, "Net", "sizes", "2 to %d sizes expected, got %d", LNN_LIMIT_LAYERS + 1, n);
    for (i = 0; i < n; i++) {
      int ok;
      lua_Integer v;
      lua_geti(L, -1, i + 1);
      v = lua_tointegerx(L, -1, &ok);
      if (!ok || v < 1 || v > LNN_LIMIT_LAYER)
        lnn_lua_opterror(L, "Net", "sizes", "size %d must be an integer 1 to 2^24", i + 1);
      sizes[i] = (int)v;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    hidden = enum_field(L, 1, "hidden", "sigmoid", act_names, "Net");
    output = enum_field(L, 1, "output", "sigmoid", act_names, "Net");
    if (lnn_net_layout_dense(layout, sizes, n, (lnn_act)hidden, (lnn_act)output,
                             (lnn_cost)cost, &e) != LNN_OK)
      lnn_lua_fail(L, "Net", &e);
  }
}

/* Net{sizes = {784, 30, 10}, hidden = "sigmoid", output = "sigmoid", cost = "quadratic"}:
 * a fully connected network; or Net{layers = {...}, cost = ...}: any list of
 * layers (read_layers).  Every parameter is zero (init fills them). */
static int net_new(lua_State *L) {
  lnn_net layout;
  lnet *u;
  check_layout(L, &layout);
  u = (lnet *)lnn_lua_newudata(L, sizeof(lnet) + layout.nparams * sizeof(float) + LNN_ALIGN - 1,
                               2);
  u->net = layout;
  u->net.params = (float *)lnn_align(u + 1);
  u->K = lnn_kernels_best();
  u->busy = 0;
  memset(u->net.params, 0, layout.nparams * sizeof(float));
  luaL_setmetatable(L, LNN_NET);
  return 1;
}

/* The network at argument 1, refusing while one of its calls is running
 * (lnn_lua_exclusive): a call that does not touch the workspace can still
 * read or switch what that call is using. */
static lnet *idle_net(lua_State *L, const char *fname) {
  lnet *u = lnn_lua_checknet(L, 1);
  if (u->busy) lnn_lua_busyerror(L, fname);
  return u;
}

/* init(rng, scheme): "default" and "large" are network.py's: biases N(0,1),
 * weights N(0, 1/n_in) or N(0,1), drawn in its order (every bias vector, then
 * every weight matrix).  "network3" is network3.py's, layer by layer, weights
 * then biases: weights N(0, 1/n_out) where n_out is the layer's outputs (a
 * conv-pool layer's f kh kw / (ph pw)), biases N(0,1); a softmax layer zero. */
static int net_init(lua_State *L) {
  static const char *const schemes[] = {"default", "large", "network3", NULL};
  lnet *u = idle_net(L, "init");
  lnn_rng *r = lnn_lua_checkrng(L, 2);
  int scheme = luaL_checkoption(L, 3, "default", schemes), l;
  if (scheme == 2) {
    for (l = 0; l < u->net.nlayers; l++) {
      const lnn_layer *y = &u->net.layer[l];
      size_t nw = lnn_layer_nweights(y), nb = lnn_layer_nbiases(y);
      double fan = y->n_out;
      if (y->kind == LNN_LAYER_CONVPOOL)
        fan = (double)y->conv.f * y->conv.kh * y->conv.kw / ((double)y->conv.ph * y->conv.pw);
      if (y->act == LNN_ACT_SOFTMAX) {
        memset(u->net.params + y->w, 0, (nw + nb) * sizeof(float));
        continue;
      }
      lnn_rng_fill_normal(r, u->net.params + y->w, nw, 0.0f, (float)sqrt(1.0 / fan));
      lnn_rng_fill_normal(r, u->net.params + y->b, nb, 0.0f, 1.0f);
    }
    lua_settop(L, 1);
    return 1;
  }
  for (l = 0; l < u->net.nlayers; l++) {
    const lnn_layer *y = &u->net.layer[l];
    lnn_rng_fill_normal(r, u->net.params + y->b, lnn_layer_nbiases(y), 0.0f, 1.0f);
  }
  for (l = 0; l < u->net.nlayers; l++) {
    const lnn_layer *y = &u->net.layer[l];
    float sd = scheme == 0 ? (float)(1.0 / sqrt((double)y->n_in)) : 1.0f;
    lnn_rng_fill_normal(r, u->net.params + y->w, lnn_layer_nweights(y), 0.0f, sd);
  }
  lua_settop(L, 1);
  return 1;
}

static void set_ints(lua_State *L, const char *key, const int *v, int n) {
  int i;
  lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    lua_pushinteger(L, v[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, key);
}

/* layout(): {cost =, nparams =, layers = {{kind =, n_in =, n_out =, activation =,
 * weights = offset, biases = offset, nweights =, nbiases =}, ...}}, offsets
 * 0-based in floats; a convpool layer adds image = {c, h, w}, filters = {f, c,
 * kh, kw}, pool = {ph, pw}; a dropout layer p */
static int net_layout(lua_State *L) {
  lnet *u = lnn_lua_checknet(L, 1);
  int l;
  lua_createtable(L, 0, 3);
  lua_pushstring(L, cost_names[u->net.cost]);
  lua_setfield(L, -2, "cost");
  lua_pushinteger(L, (lua_Integer)u->net.nparams);
  lua_setfield(L, -2, "nparams");
  lua_createtable(L, u->net.nlayers, 0);
  for (l = 0; l < u->net.nlayers; l++) {
    const lnn_layer *y = &u->net.layer[l];
    lua_createtable(L, 0, 8);
    lua_pushstring(L, kind_names[y->kind]);
    lua_setfield(L, -2, "kind");
    lua_pushinteger(L, y->n_in);
    lua_setfield(L, -2, "n_in");
    lua_pushinteger(L, y->n_out);
    lua_setfield(L, -2, "n_out");
    lua_pushstring(L, act_names[y->act]);
    lua_setfield(L, -2, "activation");
    lua_pushinteger(L, (lua_Integer)y->w);
    lua_setfield(L, -2, "weights");
    lua_pushinteger(L, (lua_Integer)y->b);
    lua_setfield(L, -2, "biases");
    lua_pushinteger(L, (lua_Integer)lnn_layer_nweights(y));
    lua_setfield(L, -2, "nweights");
    lua_pushinteger(L, (lua_Integer)lnn_layer_nbiases(y));
    lua_setfield(L, -2, "nbiases");
    if (y->kind == LNN_LAYER_CONVPOOL) {
      const lnn_conv *c = &y->conv;
      int img[3], flt[4], pool[2];
      img[0] = c->c, img[1] = c->h, img[2] = c->w;
      flt[0] = c->f, flt[1] = c->c, flt[2] = c->kh, flt[3] = c->kw;
      pool[0] = c->ph, pool[1] = c->pw;
      set_ints(L, "image", img, 3);
      set_ints(L, "filters", flt, 4);
      set_ints(L, "pool", pool, 2);
    } else if (y->kind == LNN_LAYER_DROPOUT) {
      lua_pushnumber(L, (lua_Number)y->p);
      lua_setfield(L, -2, "p");
    }
    lua_rawseti(L, -2, l + 1);
  }
  lua_setfield(L, -2, "layers");
  return 1;
}

static const lnn_layer *layer_arg(lua_State *L, lnet *u, int arg) {
  lua_Integer l = luaL_checkinteger(L, arg);
  const lnn_layer *y;
  if (l < 1 || l > u->net.nlayers)
    lnn_lua_argerror(L, arg, NULL, "layer %I out of range 1..%d", l, u->net.nlayers);
  y = &u->net.layer[l - 1];
  if (y->kind == LNN_LAYER_DROPOUT)
    lnn_lua_argerror(L, arg, NULL, "layer %I is dropout, which has no parameters", l);
  return y;
}

/* weights(l): layer l's weights, a view into the block: n_out x n_in (dense)
 * or f x c kh kw (convpool) */
static int net_weights(lua_State *L) {
  lnet *u = idle_net(L, "weights");
  const lnn_layer *y = layer_arg(L, u, 2);
  int rows = y->kind == LNN_LAYER_CONVPOOL ? y->conv.f : y->n_out;
  lnn_lua_pushview(L, 1, u->net.params + y->w, rows, (int)(lnn_layer_nweights(y) / (size_t)rows), 0);
  return 1;
}

/* biases(l): layer l's biases (n_out, or f for convpool) x 1, a view into the block */
static int net_biases(lua_State *L) {
  lnet *u = idle_net(L, "biases");
  const lnn_layer *y = layer_arg(L, u, 2);
  lnn_lua_pushview(L, 1, u->net.params + y->b, (int)lnn_layer_nbiases(y), 1, 0);
  return 1;
}

/* params(): the whole block as an nparams x 1 view */
static int net_params(lua_State *L) {
  lnet *u = idle_net(L, "params");
  lnn_lua_pushview(L, 1, u->net.params, (int)u->net.nparams, 1, 0);
  return 1;
}

/* The workspace for at least cap rows, cached in user value 1. */
static lnn_work get_work(lua_State *L, int arg, lnet *u, size_t cap) {
  lnn_work w;
  lblob *b;
  size_t have = 0;
  lua_getiuservalue(L, arg, 1);
  b = (lblob *)luaL_testudata(L, -1, LNN_BLOB);
  if (b != NULL) memcpy(&have, b->data, sizeof have);
  if (b == NULL || have < cap) {
    size_t floats = lnn_work_floats(&u->net, cap);
    lua_pop(L, 1);
    b = lnn_lua_newblob(L, 64 + floats * sizeof(float));
    memcpy(b->data, &cap, sizeof cap);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, arg, 1);
    have = cap;
  }
  lua_pop(L, 1); /* still referenced by the net */
  /* carved at cap, not at what the cached block holds: evaluation chunks by
   * w.cap, and the chunks must not depend on an earlier, larger call */
  lnn_work_carve(&w, &u->net, cap, (float *)(void *)(b->data + 64));
  return w;
}

static size_t n_in(const lnet *u) { return (size_t)u->net.layer[0].n_in; }
static size_t n_out(const lnet *u) { return (size_t)u->net.layer[u->net.nlayers - 1].n_out; }

/* X argument: m x n_in rows of items, or any shape of n_in elements (one item) */
static size_t batch_rows(lua_State *L, int arg, const lnet *u, const lmatrix *X) {
  size_t numel = (size_t)X->rows * X->cols;
  if (numel == n_in(u)) return 1;
  if ((size_t)X->cols == n_in(u)) return (size_t)X->rows;
  return (size_t)lnn_lua_argerror(L, arg, NULL,
                                  "input of %d elements or m x %d expected,"
                                  " got %dx%d",
                                  (int)n_in(u), (int)n_in(u), X->rows, X->cols);
}

/* The sections below run under lnn_lua_exclusive, their arguments checked
 * by the binding that runs them: the workspace and the parameters are theirs
 * alone until they return, whatever Lua code runs meanwhile. */

/* forward(x): one item (n_in elements) -> n_out x 1; or m x n_in -> m x n_out */
static int forward_section(lua_State *L) {
  lnet *u = (lnet *)lua_touserdata(L, 1);
  lmatrix *X = (lmatrix *)lua_touserdata(L, 2), *out;
  size_t m = batch_rows(L, 2, u, X);
  lnn_work w = get_work(L, 1, u, m);
  memcpy(w.a[0], X->data, m * n_in(u) * sizeof(float));
  lnn_net_forward(&u->net, &w, m, NULL, u->K);
  out = m == 1 ? lnn_lua_newmatrix(L, (int)n_out(u), 1)
               : lnn_lua_newmatrix(L, (int)m, (int)n_out(u));
  memcpy(out->data, w.a[u->net.nlayers], m * n_out(u) * sizeof(float));
  return 1;
}

static int net_forward(lua_State *L) {
  lnet *u = lnn_lua_checknet(L, 1);
  batch_rows(L, 2, u, lnn_lua_checkmatrix(L, 2));
  lua_settop(L, 2);
  return lnn_lua_exclusive(L, &u->busy, "forward", forward_section);
}

/* Checks X (m x n_in) and Y (m x n_out) at xa and ya; returns m. */
static size_t check_batch(lua_State *L, const lnet *u, int xa, int ya) {
  lmatrix *X = lnn_lua_checkmatrix(L, xa), *Y = lnn_lua_checkmatrix(L, ya);
  size_t m = batch_rows(L, xa, u, X);
  if ((size_t)Y->rows * Y->cols != m * n_out(u))
    lnn_lua_argerror(L, ya, NULL, "%d x %d targets expected, got %dx%d", (int)m, (int)n_out(u),
                     Y->rows, Y->cols);
  return m;
}

/* Loads the checked X and Y at xa and ya into the workspace; returns m. */
static size_t load_batch(lua_State *L, lnet *u, lnn_work *w, int xa, int ya) {
  const lmatrix *X = (const lmatrix *)lua_touserdata(L, xa);
  const lmatrix *Y = (const lmatrix *)lua_touserdata(L, ya);
  size_t m = check_batch(L, u, xa, ya);
  *w = get_work(L, 1, u, m);
  memcpy(w->a[0], X->data, m * n_in(u) * sizeof(float));
  memcpy(w->y, Y->data, m * n_out(u) * sizeof(float));
  return m;
}

/* gradient(X, Y [, rng]): the gradient of the summed cost over the rows of X
 * against Y, as an nparams x 1 matrix laid out like params(); also the summed
 * cost.  With rng, dropout layers draw training masks from it (a clone of the
 * same generator gives the same masks); without, they run as at inference. */
static int gradient_section(lua_State *L) {
  lnet *u = (lnet *)lua_touserdata(L, 1);
  lnn_rng *drop = (lnn_rng *)lua_touserdata(L, 4);
  lnn_work w;
  size_t m = load_batch(L, u, &w, 2, 3);
  lmatrix *g = lnn_lua_newmatrix(L, (int)u->net.nparams, 1);
  lnn_net_forward(&u->net, &w, m, drop, u->K);
  memset(w.grad, 0, u->net.nparams * sizeof(float));
  lnn_net_backward(&u->net, &w, m, u->K);
  memcpy(g->data, w.grad, u->net.nparams * sizeof(float));
  lua_pushnumber(L, lnn_net_cost(&u->net, w.a[u->net.nlayers], w.y, m));
  return 2;
}

static int net_gradient(lua_State *L) {
  lnet *u = lnn_lua_checknet(L, 1);
  if (!lua_isnoneornil(L, 4)) lnn_lua_checkrng(L, 4);
  check_batch(L, u, 2, 3);
  lua_settop(L, 4);
  return lnn_lua_exclusive(L, &u->busy, "gradient", gradient_section);
}

static float *velocity(lua_State *L, int arg, lnet *u, float mu) {
  lblob *b;
  if (mu == 0.0f) return NULL;
  lua_getiuservalue(L, arg, 2);
  b = (lblob *)luaL_testudata(L, -1, LNN_BLOB);
  lua_pop(L, 1);
  if (b == NULL) {
    b = lnn_lua_newblob(L, u->net.nparams * sizeof(float));
    memset(b->data, 0, b->size);
    lua_setiuservalue(L, arg, 2);
  }
  return (float *)(void *)b->data;
}

/* The options table at t: its keys (before the section), then its values
 * (in the section: reading them can run an __index metamethod). */
static void check_sgd_options(lua_State *L, int t, const char *fname) {
  static const char *const opts[] = {"eta", "lmbda", "mu", "n", "batch", "shuffle", "threads",
                                     "reducer", "progress", "accumulate", "overlap", NULL};
  luaL_checktype(L, t, LUA_TTABLE);
  lnn_lua_checkoptions(L, t, fname, opts);
}

/* The rates as the engine holds them: checked after their conversion to
 * float32, where 0.99999999999 is 1 and 1e39 is infinite. */
static void sgd_options(lua_State *L, int t, const char *fname, lnn_sgd *s, size_t n_default) {
  lua_Number eta, lmbda, mu;
  lua_Integer n, batch;
  eta = lnn_lua_optnumfield(L, t, fname, "eta", -1.0);
  lmbda = lnn_lua_optnumfield(L, t, fname, "lmbda", 0.0);
  mu = lnn_lua_optnumfield(L, t, fname, "mu", 0.0);
  n = lnn_lua_optintfield(L, t, fname, "n", (lua_Integer)n_default);
  batch = lnn_lua_optintfield(L, t, fname, "batch", 10);
  s->eta = (float)eta;
  s->lmbda = (float)lmbda;
  s->mu = (float)mu;
  if (!(eta > 0.0) || !isfinite(eta)) lnn_lua_opterror(L, fname, "eta", "positive number expected");
  if (!(s->eta > 0.0f) || !isfinite(s->eta))
    lnn_lua_opterror(L, fname, "eta", "positive number in float32's range expected, got %f", eta);
  if (!(lmbda >= 0.0) || !isfinite(lmbda))
    lnn_lua_opterror(L, fname, "lmbda", "number >= 0 expected");
  if (!isfinite(s->lmbda))
    lnn_lua_opterror(L, fname, "lmbda", "number >= 0 in float32's range expected, got %f", lmbda);
  if (!(mu >= 0.0 && mu < 1.0)) lnn_lua_opterror(L, fname, "mu", "number in [0, 1) expected");
  if (!(s->mu < 1.0f))
    lnn_lua_opterror(L, fname, "mu", "number in [0, 1) expected, got %f, which is 1 in float32",
                     mu);
  if (n < 1) lnn_lua_opterror(L, fname, "n", "positive integer expected");
  if (batch < 1 || batch > LNN_LIMIT_BATCH)
    lnn_lua_opterror(L, fname, "batch", "integer 1 to 2^20 expected");
  s->n = (size_t)n;
  s->batch = (size_t)batch;
}

/* update(X, Y, {eta =, lmbda =, n =, mu =}): one gradient step on the batch X, Y
 * (dropout layers run as at inference: train_epoch is the training path) */
static int update_section(lua_State *L) {
  lnet *u = (lnet *)lua_touserdata(L, 1);
  lnn_work w;
  lnn_sgd s;
  size_t m = check_batch(L, u, 2, 3);
  float *vel;
  sgd_options(L, 4, "update", &s, m);
  if (lua_getfield(L, 4, "reducer") != LUA_TNIL)
    lnn_lua_opterror(L, "update", "reducer", "only train_epoch takes a reducer");
  if (lua_getfield(L, 4, "threads") != LUA_TNIL)
    lnn_lua_opterror(L, "update", "threads", "only train_epoch takes threads");
  if (lua_getfield(L, 4, "progress") != LUA_TNIL)
    lnn_lua_opterror(L, "update", "progress", "only train_epoch reports progress");
  if (lua_getfield(L, 4, "accumulate") != LUA_TNIL)
    lnn_lua_opterror(L, "update", "accumulate", "only train_epoch accumulates");
  if (lua_getfield(L, 4, "overlap") != LUA_TNIL)
    lnn_lua_opterror(L, "update", "overlap", "only train_epoch overlaps sums");
  lua_pop(L, 5);
  vel = velocity(L, 1, u, s.mu);
  load_batch(L, u, &w, 2, 3);
  lnn_net_forward(&u->net, &w, m, NULL, u->K);
  memset(w.grad, 0, u->net.nparams * sizeof(float));
  lnn_net_backward(&u->net, &w, m, u->K);
  lnn_sgd_step(&u->net, w.grad, vel, m, &s);
  return 0;
}

static int net_update(lua_State *L) {
  lnet *u = lnn_lua_checknet(L, 1);
  check_batch(L, u, 2, 3);
  check_sgd_options(L, 4, "update");
  lua_settop(L, 4);
  return lnn_lua_exclusive(L, &u->busy, "update", update_section);
}

static void check_data(lua_State *L, int arg, const lnet *u, const ldata *s, const char *fname) {
  if (s->d.d != n_in(u))
    lnn_lua_argerror(L, arg - 1, fname, "items of %d inputs expected, got %d", (int)n_in(u),
                     (int)s->d.d);
  if (s->d.k != n_out(u))
    lnn_lua_argerror(L, arg - 1, fname, "%d classes or targets expected, got %d", (int)n_out(u),
                     (int)s->d.k);
}

static int params_finite(const lnn_net *net) {
  size_t i;
  float acc = 0.0f;
  for (i = 0; i < net->nparams; i++) acc += net->params[i] * 0.0f; /* NaN or Inf poison it */
  return acc == 0.0f;
}

/* The reducer option of train_epoch (an lnn.Reducer, e.g. an lnn.mpi
 * communicator), or NULL.  The userdata stays referenced by the options table. */
static const lnn_reducer *reducer_option(lua_State *L, int t, const char *fname) {
  const lnn_reducer *red = NULL;
  if (lua_getfield(L, t, "reducer") != LUA_TNIL) {
    red = (const lnn_reducer *)luaL_testudata(L, -1, LNN_REDUCER);
    if (red == NULL)
      lnn_lua_opterror(L, fname, "reducer", "%s expected, got %s", LNN_REDUCER,
                       luaL_typename(L, -1));
  }
  lua_pop(L, 1);
  return red;
}

/* The accumulate option of train_epoch: k mini-batches a step, 1 to
 * LNN_LIMIT_ACCUMULATE; the reducer's processes must share its chunks
 * (lnn_accumulate_shares: each process then holds a whole subtree of the
 * fixed sum). */
static int accumulate_option(lua_State *L, int t, const lnn_reducer *red) {
  const int P = red != NULL ? red->size : 1;
  lua_Integer k = lnn_lua_optintfield(L, t, "train_epoch", "accumulate", 1);
  if (k < 1 || k > LNN_LIMIT_ACCUMULATE)
    lnn_lua_opterror(L, "train_epoch", "accumulate", "integer 1 to %d expected, got %d",
                     LNN_LIMIT_ACCUMULATE, (int)(k < 0 ? -1 : k > INT_MAX ? INT_MAX : k));
  if (k == 1) return 1;
  if (!lnn_accumulate_shares((int)k, P))
    lnn_lua_opterror(L, "train_epoch", "accumulate",
                     "%d processes cannot share its %d chunks (the processes times a power of "
                     "two, at most 16), got %d", P, lnn_accumulate_chunks((int)k), (int)k);
  if (red != NULL && red->tree == NULL)
    lnn_lua_opterror(L, "train_epoch", "accumulate", "a reducer with a fixed-order sum expected");
  return (int)k;
}

/* The overlap option of train_epoch (a boolean): the sums over the reducer
 * started in buckets during backward.  It works on the accumulate path (k > 1). */
static int overlap_option(lua_State *L, int t, int acc, const lnn_reducer *red) {
  int on;
  lua_getfield(L, t, "overlap");
  if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
    lnn_lua_opterror(L, "train_epoch", "overlap", "boolean expected, got %s", luaL_typename(L, -1));
  on = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (on && acc < 2)
    lnn_lua_opterror(L, "train_epoch", "overlap", "accumulate of 2 or more expected (overlap works "
                     "on its steps), got %d", acc);
  if (on && red != NULL && (red->start == NULL || red->poke == NULL || red->finish == NULL))
    lnn_lua_opterror(L, "train_epoch", "overlap", "a reducer with a nonblocking sum expected");
  return on;
}

/* Mini-batches between two looks at the clock when train_epoch reports
 * progress, and the least time between two reports. */
#define PROGRESS_BATCHES 32
#define PROGRESS_SECONDS 0.1

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The epoch as one lnn_train_epoch call runs it, cut into runs of whole
 * mini-batches (so every step is the same as in one call), calling the Lua
 * function at stack index fn with (items done, items) at most every
 * PROGRESS_SECONDS (the network stays busy: the function cannot re-enter it).
 * perm, mem and the velocity live in userdata: an error raised by the
 * function leaks nothing. */
/* One run of the epoch: lnn_train_epoch, or with accumulate > 1 lnn_train_epoch_accumulate. */
static int train_run(lnet *u, float *mem, int threads, const lnn_data *d, const uint32_t *perm,
                     const lnn_sgd *o, int acc, int overlap, float *vel, lnn_rng *r,
                     const lnn_reducer *red, lnn_train_stats *st, lnn_error *e) {
  if (acc > 1)
    return lnn_train_epoch_accumulate(&u->net, mem, d, perm, o, acc, overlap, vel, r, red, u->K, e);
  return lnn_train_epoch(&u->net, mem, threads, d, perm, o, vel, r, red, u->K, st, e);
}

static void train_with_progress(lua_State *L, int fn, lnet *u, float *mem, int threads,
                                const lnn_data *d, const uint32_t *perm, const lnn_sgd *o,
                                int acc, int overlap, float *vel, lnn_rng *r,
                                const lnn_reducer *red, lnn_train_stats *st) {
  const size_t run = o->batch * (size_t)acc * PROGRESS_BATCHES;
  lnn_data part = *d;
  lnn_error e;
  size_t first;
  double last = seconds_now();
  for (first = 0; first < d->n; first += run) {
    part.n = d->n - first < run ? d->n - first : run;
    if (train_run(u, mem, threads, &part, perm + first, o, acc, overlap, vel, r, red, st, &e) != LNN_OK)
      lnn_lua_fail(L, "train_epoch", &e);
    if (first + part.n < d->n && seconds_now() - last >= PROGRESS_SECONDS) {
      lua_pushvalue(L, fn);
      lua_pushinteger(L, (lua_Integer)(first + part.n));
      lua_pushinteger(L, (lua_Integer)d->n);
      lua_call(L, 2, 0);
      last = seconds_now();
    }
  }
}

/* train_epoch(data, rng, {eta =, batch =, lmbda =, mu =, n =, shuffle = true,
 * threads = core.threads(), reducer =, progress = function(done, n),
 * accumulate = 1, overlap = false}): one epoch of mini-batch SGD in C, the shuffle then the
 * dropout masks drawn from rng; the same bits on any number of threads.  With
 * a reducer, this process runs its share of every mini-batch and the
 * gradients are summed over all of them (data-parallel: every process calls
 * it with the same parameters, data and rng state).  accumulate = k > 1: one
 * step (and one sum over the reducer) per k mini-batches, of their mean
 * gradient (engine/accumulate.h: min(k, 16) chunks, shared by the
 * reducer's processes; one thread; the same bits for any number of processes
 * that share them); overlap = true
 * starts those sums in buckets during the backward pass (the same bits).
 * progress, if given, is called with the items done so far at most ten times
 * a second.
 * Returns true while every parameter is finite, and how the steps ran: {steps,
 * chunked (cut into chunks), layered (one chunk shared inside the layers by
 * every thread), threads (that ran)}; all 0 with accumulate > 1 (its own path) */
static int train_epoch_section(lua_State *L) {
  lnet *u = (lnet *)lua_touserdata(L, 1);
  ldata *s = (ldata *)lua_touserdata(L, 2);
  lnn_rng *r = (lnn_rng *)lua_touserdata(L, 3);
  const lnn_reducer *red;
  lnn_sgd o;
  lnn_error e;
  lblob *pb, *mem;
  lnn_train_stats st;
  uint32_t *perm;
  float *vel;
  int shuffle, threads, progress, acc, overlap;
  size_t i;
  sgd_options(L, 4, "train_epoch", &o, s->d.n);
  threads = (int)lnn_lua_optintfield(L, 4, "train_epoch", "threads", lnn_lua_threads(L));
  if (threads < 1 || threads > LNN_LIMIT_THREADS)
    lnn_lua_opterror(L, "train_epoch", "threads", "integer 1 to %d expected, got %d",
                     LNN_LIMIT_THREADS, threads);
  red = reducer_option(L, 4, "train_epoch");
  acc = accumulate_option(L, 4, red);
  overlap = overlap_option(L, 4, acc, red);
  lua_getfield(L, 4, "shuffle");
  shuffle = lua_isnil(L, -1) || lua_toboolean(L, -1);
  lua_settop(L, 4);
  progress = lua_getfield(L, 4, "progress") != LUA_TNIL; /* stays at index 5 */
  if (progress && !lua_isfunction(L, 5))
    lnn_lua_opterror(L, "train_epoch", "progress", "function expected, got %s", luaL_typename(L, 5));
  vel = velocity(L, 1, u, o.mu);
  mem = lnn_lua_newblob(L, ((acc > 1 ? lnn_accumulate_floats(&u->net, o.batch, acc,
                                                               red ? red->size : 1)
                                      : lnn_train_floats(&u->net, o.batch, threads)) + 16) *
                                sizeof(float));
  pb = lnn_lua_newblob(L, s->d.n * sizeof(uint32_t));
  perm = (uint32_t *)(void *)pb->data;
  if (shuffle)
    lnn_rng_permutation(r, perm, s->d.n);
  else
    for (i = 0; i < s->d.n; i++) perm[i] = (uint32_t)i;
  memset(&st, 0, sizeof st);
  if (progress)
    train_with_progress(L, 5, u, (float *)lnn_align(mem->data), threads, &s->d, perm, &o, acc,
                        overlap, vel, r, red, &st);
  else if (train_run(u, (float *)lnn_align(mem->data), threads, &s->d, perm, &o, acc, overlap, vel,
                     r, red, &st, &e) != LNN_OK)
    lnn_lua_fail(L, "train_epoch", &e);
  lua_pushboolean(L, params_finite(&u->net));
  lua_createtable(L, 0, 4);
  lua_pushinteger(L, (lua_Integer)st.steps);
  lua_setfield(L, -2, "steps");
  lua_pushinteger(L, (lua_Integer)st.chunked);
  lua_setfield(L, -2, "chunked");
  lua_pushinteger(L, (lua_Integer)st.layered);
  lua_setfield(L, -2, "layered");
  lua_pushinteger(L, st.threads);
  lua_setfield(L, -2, "threads");
  return 2;
}

static int net_train_epoch(lua_State *L) {
  lnet *u = lnn_lua_checknet(L, 1);
  ldata *s = lnn_lua_checkdata(L, 2);
  lnn_lua_checkrng(L, 3);
  check_data(L, 2, u, s, "train_epoch");
  check_sgd_options(L, 4, "train_epoch");
  lua_settop(L, 4);
  return lnn_lua_exclusive(L, &u->busy, "train_epoch", train_epoch_section);
}

/* The rows of one evaluation pass: EVAL_ROWS, fewer where a row's workspace
 * is large (at least 16).  A pass's rows do not change any item's result. */
static size_t eval_rows(const lnet *u) {
  size_t row = (lnn_work_floats(&u->net, 1) - lnn_work_floats(&u->net, 0)) * sizeof(float);
  size_t rows = EVAL_BYTES / row;
  return rows > EVAL_ROWS ? EVAL_ROWS : rows < 16 ? 16 : rows;
}

/* lnn's thread count for training and evaluation, kept in the registry:
 * core.threads(n) sets it; by default the number of online processors. */
#define THREADS_KEY "lnn.threads"

int lnn_lua_threads(lua_State *L) {
  lua_Integer n;
  long cores;
  lua_getfield(L, LUA_REGISTRYINDEX, THREADS_KEY);
  n = lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (n >= 1) return n < LNN_LIMIT_RUN_THREADS ? (int)n : LNN_LIMIT_RUN_THREADS;
  cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores < 1 ? 1 : cores < LNN_LIMIT_RUN_THREADS ? (int)cores : LNN_LIMIT_RUN_THREADS;
}

/* threads([n]): the number of threads training and evaluation use (default:
 * the number of processors; at most LNN_LIMIT_RUN_THREADS run), set to n first if
 * given.  Results never depend on it (fixed chunks, a fixed tree: reduce.h). */
static int core_threads(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) {
    lua_Integer n = luaL_checkinteger(L, 1);
    lnn_lua_argcheck(L, n >= 1 && n <= LNN_LIMIT_THREADS, 1, "thread count must be 1 to %d",
                     LNN_LIMIT_THREADS);
    lua_pushinteger(L, n);
    lua_setfield(L, LUA_REGISTRYINDEX, THREADS_KEY);
  }
  lua_pushinteger(L, lnn_lua_threads(L));
  return 1;
}

/* How many threads evaluation uses: one unless there are two chunks a thread. */
static int eval_threads(lua_State *L, size_t n, size_t rows) {
  int t = lnn_lua_threads(L);
  if (n < 2 * rows || t < 2) return 1;
  return t;
}

/* Items of d through the network: the number classified right, pred (if not
 * NULL) the classes, *cost (if not NULL) the summed cost.  Same result for
 * any thread count. */
static size_t evaluate(lua_State *L, lnet *u, const lnn_data *d, int *pred, double *cost) {
  size_t rows = eval_rows(u), floats, nchunks, correct;
  int t, nt = eval_threads(L, d->n, rows);
  lnn_work ws[LNN_LIMIT_RUN_THREADS];
  lblob *mem, *costs;
  if (nt == 1) {
    ws[0] = get_work(L, 1, u, rows);
    return lnn_net_evaluate(&u->net, &ws[0], d, 0, d->n, pred, cost, u->K);
  }
  floats = lnn_work_floats(&u->net, rows);
  nchunks = (d->n + rows - 1) / rows;
  mem = lnn_lua_newblob(L, (size_t)nt * floats * sizeof(float));
  costs = lnn_lua_newblob(L, nchunks * sizeof(double));
  for (t = 0; t < nt; t++)
    lnn_work_carve(&ws[t], &u->net, rows, (float *)(void *)mem->data + (size_t)t * floats);
  correct = lnn_net_evaluate_parallel(&u->net, ws, nt, d, 0, d->n, pred, cost,
                                      (double *)(void *)costs->data, u->K);
  lua_pop(L, 2);
  return correct;
}

/* evaluate(data [, want_cost]): number of items whose largest output is
 * their class; with want_cost also the summed cost (no L2 term) */
static int evaluate_section(lua_State *L) {
  lnet *u = (lnet *)lua_touserdata(L, 1);
  ldata *s = (ldata *)lua_touserdata(L, 2);
  int want_cost = lua_toboolean(L, 3);
  double cost = 0.0;
  size_t correct = evaluate(L, u, &s->d, NULL, want_cost ? &cost : NULL);
  lua_pushinteger(L, (lua_Integer)correct);
  if (!want_cost) return 1;
  lua_pushnumber(L, cost);
  return 2;
}

static int net_evaluate(lua_State *L) {
  lnet *u = lnn_lua_checknet(L, 1);
  check_data(L, 2, u, lnn_lua_checkdata(L, 2), "evaluate");
  lua_settop(L, 3);
  return lnn_lua_exclusive(L, &u->busy, "evaluate", evaluate_section);
}

/* predict(data): table of the predicted class (0-based) of every item */
static int predict_section(lua_State *L) {
  lnet *u = (lnet *)lua_touserdata(L, 1);
  ldata *s = (ldata *)lua_touserdata(L, 2);
  lblob *pb = lnn_lua_newblob(L, s->d.n * sizeof(int));
  int *pred = (int *)(void *)pb->data;
  size_t i;
  evaluate(L, u, &s->d, pred, NULL);
  lua_createtable(L, (int)s->d.n, 0);
  for (i = 0; i < s->d.n; i++) {
    lua_pushinteger(L, pred[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int net_predict(lua_State *L) {
  lnet *u = lnn_lua_checknet(L, 1);
  ldata *s = lnn_lua_checkdata(L, 2);
  if (s->d.d != n_in(u))
    return lnn_lua_argerror(L, 1, "predict", "items of %d inputs expected, got %d", (int)n_in(u),
                            (int)s->d.d);
  /* classes are only compared when they exist, so a target-less set still predicts */
  if (s->d.k != n_out(u))
    return lnn_lua_argerror(L, 1, "predict", "%d classes expected, got %d", (int)n_out(u),
                            (int)s->d.k);
  lua_settop(L, 2);
  return lnn_lua_exclusive(L, &u->busy, "predict", predict_section);
}

/* chunks(m): how many chunks a training step cuts a mini-batch of m items
 * into (lnn_step_chunks; 1: the step runs as one pass on one thread) */
static int net_chunks(lua_State *L) {
  lnet *u = lnn_lua_checknet(L, 1);
  lua_Integer m = luaL_checkinteger(L, 2);
  lnn_lua_argcheck(L, m >= 1 && m <= LNN_LIMIT_BATCH, 2, "mini-batch size 1 to 2^20 expected");
  lua_pushinteger(L, lnn_step_chunks(&u->net, (size_t)m));
  return 1;
}

/* weight_sqsum(): sum of squared weights (the L2 term's sum) */
static int net_weight_sqsum(lua_State *L) {
  lua_pushnumber(L, lnn_net_weight_sqsum(&idle_net(L, "weight_sqsum")->net));
  return 1;
}

/* kernels([name]): the kernel table in use; with a name ("naive", "avx2",
 * "avx512", "best"), switch to it (the specs compare them) */
static int net_kernels(lua_State *L) {
  lnet *u = idle_net(L, "kernels");
  if (!lua_isnoneornil(L, 2)) u->K = lnn_lua_checkkernels(L, 2);
  lua_pushstring(L, u->K->name);
  return 1;
}

static int net_tostring(lua_State *L) {
  lnet *u = lnn_lua_checknet(L, 1);
  luaL_Buffer b;
  int l;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "lnn.Net(");
  for (l = 0; l < u->net.nlayers; l++) {
    lua_pushfstring(L, "%d-", u->net.layer[l].n_in);
    luaL_addvalue(&b);
  }
  lua_pushfstring(L, "%d, %s)", (int)n_out(u), cost_names[u->net.cost]);
  luaL_addvalue(&b);
  luaL_pushresult(&b);
  return 1;
}

/* net_nparams(options): how many parameters Net(options) would hold, checked
 * as Net checks them but without allocating (model.load sizes a file's layout
 * against its data block before trusting it) */
static int net_nparams(lua_State *L) {
  lnn_net layout;
  check_layout(L, &layout);
  lua_pushinteger(L, (lua_Integer)layout.nparams);
  return 1;
}

static const luaL_Reg net_meta[] = {
    {"init", net_init}, {"layout", net_layout}, {"weights", net_weights},
    {"biases", net_biases}, {"params", net_params}, {"forward", net_forward},
    {"gradient", net_gradient}, {"update", net_update}, {"train_epoch", net_train_epoch},
    {"evaluate", net_evaluate}, {"predict", net_predict}, {"weight_sqsum", net_weight_sqsum},
    {"chunks", net_chunks},
    {"kernels", net_kernels}, {"__tostring", net_tostring}, {NULL, NULL}};

/* core.limits: every limit of base/limits.h by name, so no Lua file restates one */
static void open_limits(lua_State *L) {
  static const struct {
    const char *name;
    lua_Integer value;
  } limits[] = {{"layer", LNN_LIMIT_LAYER},
                {"layers", LNN_LIMIT_LAYERS},
                {"conv", LNN_LIMIT_CONV},
                {"batch", LNN_LIMIT_BATCH},
                {"accumulate", LNN_LIMIT_ACCUMULATE},
                {"accumulate_chunks", LNN_ACCUMULATE_CHUNKS},
                {"threads", LNN_LIMIT_THREADS},
                {"run_threads", LNN_LIMIT_RUN_THREADS},
                {"classes", LNN_LIMIT_CLASSES},
                {"params", (lua_Integer)LNN_LIMIT_PARAMS}};
  size_t i;
  lua_createtable(L, 0, (int)(sizeof limits / sizeof limits[0]));
  for (i = 0; i < sizeof limits / sizeof limits[0]; i++) {
    lua_pushinteger(L, limits[i].value);
    lua_setfield(L, -2, limits[i].name);
  }
}

int lnn_lua_open_net(lua_State *L) {
  luaL_newmetatable(L, LNN_NET);
  luaL_setfuncs(L, net_meta, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_pushcfunction(L, net_new);
  lua_setfield(L, -2, "Net");
  lua_pushcfunction(L, net_nparams);
  lua_setfield(L, -2, "net_nparams");
  lua_pushcfunction(L, core_threads);
  lua_setfield(L, -2, "threads");
  open_limits(L);
  lua_setfield(L, -2, "limits");
  return 0;
}
