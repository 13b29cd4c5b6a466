/* lua_tools.c -- lnn.core.tools: the bindings under scripts/expand_mnist.lua,
 * the baselines and visualize.lua.  Every argument is checked here; the work
 * (per pixel, per item) runs in tools.c.  Buffers are userdata, so an error
 * half-way leaks nothing; files go through the atomic writers of idx.c/png.c. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/tools.h"
#include "formats/idx.h"
#include "formats/png.h"
#include "lua_lnn.h"

#define LNN_DIRBOX "lnn.tools.Dir"

static int fail_at(lua_State *L, int arg, const char *fname, const char *fmt, const char *got) {
  return lnn_lua_argerror(L, arg, fname, "%s, got %s", fmt, got);
}

/* A data set of byte images with class labels (what IDX files hold). */
static ldata *check_bytes_data(lua_State *L, int arg, const char *fname) {
  ldata *s = lnn_lua_checkdata(L, arg);
  if (s->d.x8 == NULL) fail_at(L, arg, fname, "a data set of byte images", "one of floats");
  if (s->d.label == NULL) fail_at(L, arg, fname, "class labels", "target vectors");
  return s;
}

static int check_side(lua_State *L, int arg, const char *what) {
  lua_Integer v = luaL_checkinteger(L, arg);
  if (v < 1 || v > 65535) lnn_lua_argerror(L, arg, NULL, "%s must be 1 to 65535, got %I", what, v);
  return (int)v;
}

static void check_geometry(lua_State *L, int arg, const char *fname, const ldata *s, int rows,
                           int cols) {
  if ((size_t)rows * (size_t)cols != s->d.d)
    lnn_lua_argerror(L, arg, fname, "%d x %d = %d pixels per image expected, got %d", rows, cols,
                     rows * cols, (int)s->d.d);
}

/* expand(data, rows, cols [, rng [, naive [, progress]]]): expand_mnist.py's
 * 5n images -- each image, then its shifts down, up, right, left -- shuffled
 * by rng (unshuffled without it), as a new data set of bytes.  progress(j), if
 * given, is called after every EXPAND_EVERY source images with j done (the
 * seed's "Expanding image number j"); the images are expanded a chunk at a
 * time, so the calls come as the work advances, not after it. */
#define EXPAND_EVERY 1000
static int tl_expand(lua_State *L) {
  ldata *s = check_bytes_data(L, 1, "expand"), *e;
  int rows = check_side(L, 2, "rows"), cols = check_side(L, 3, "cols");
  lnn_rng *r = lua_isnoneornil(L, 4) ? NULL : lnn_lua_checkrng(L, 4);
  int naive = lua_toboolean(L, 5);
  int progress = !lua_isnoneornil(L, 6);
  size_t n = s->d.n, m, i0;
  lblob *xb, *yb, *pb = NULL;
  if (progress) luaL_checktype(L, 6, LUA_TFUNCTION);
  check_geometry(L, 2, "expand", s, rows, cols);
  if (rows < 2 || cols < 2)
    lnn_lua_argerror(L, 2, NULL, "images of at least 2 x 2 pixels expected");
  if (n > ((size_t)1 << 31) / LNN_EXPAND_FACTOR)
    lnn_lua_argerror(L, 1, NULL, "too many items (at most 2^31 / 5)");
  m = n * LNN_EXPAND_FACTOR;
  if (r) {
    pb = lnn_lua_newblob(L, m * sizeof(uint32_t));
    lnn_rng_permutation(r, (uint32_t *)(void *)pb->data, m);
  }
  xb = lnn_lua_newblob(L, m * s->d.d);
  yb = lnn_lua_newblob(L, m);
  for (i0 = 0; i0 < n; i0 += EXPAND_EVERY) {
    /* images i0.. go to items 5 i0.. (or where the permutation sends them) */
    size_t c = n - i0 < EXPAND_EVERY ? n - i0 : EXPAND_EVERY, j = LNN_EXPAND_FACTOR * i0;
    const uint32_t *perm = pb ? (const uint32_t *)(const void *)pb->data + j : NULL;
    lnn_expand_shifts(perm ? xb->data : xb->data + j * s->d.d, perm ? yb->data : yb->data + j,
                      s->d.x8 + i0 * s->d.d, s->d.label + i0, c, rows, cols, perm, naive);
    if (progress && c == EXPAND_EVERY) {
      lua_pushvalue(L, 6);
      lua_pushinteger(L, (lua_Integer)(i0 + c));
      lua_call(L, 1, 0);
    }
  }
  e = lnn_lua_newdata(L, -2, -1);
  e->d = s->d;
  e->d.n = m;
  e->d.x8 = xb->data;
  e->d.label = yb->data;
  e->onehot = s->onehot;
  return 1;
}

/* shift(bytes, rows, cols, dr, dc [, naive]): one image moved dr rows down and
 * dc columns right, vacated pixels 0 (the kernel expand uses, and its twin) */
static int tl_shift(lua_State *L) {
  size_t len;
  const char *src = luaL_checklstring(L, 1, &len);
  int rows = check_side(L, 2, "rows"), cols = check_side(L, 3, "cols");
  lua_Integer dr = luaL_checkinteger(L, 4), dc = luaL_checkinteger(L, 5);
  int naive = lua_toboolean(L, 6);
  lblob *b;
  if (len != (size_t)rows * (size_t)cols)
    return lnn_lua_argerror(L, 1, NULL, "%d bytes (%d x %d) expected, got %d", rows * cols, rows,
                            cols, (int)len);
  lnn_lua_argcheck(L, dr > -rows && dr < rows, 4, "row shift must be within the image");
  lnn_lua_argcheck(L, dc > -cols && dc < cols, 5, "column shift must be within the image");
  b = lnn_lua_newblob(L, len);
  if (naive)
    lnn_shift_image_naive(b->data, (const uint8_t *)src, rows, cols, (int)dr, (int)dc);
  else
    lnn_shift_image(b->data, (const uint8_t *)src, rows, cols, (int)dr, (int)dc);
  lua_pushlstring(L, (const char *)b->data, len);
  return 1;
}

/* write_idx_pair(data, images_path, labels_path, rows, cols [, gz_level = 6]): a
 * byte data set as an IDX image file and its label file, each written atomically
 * (core.write_idx writes one IDX file from bytes) */
static int tl_write_idx_pair(lua_State *L) {
  ldata *s = check_bytes_data(L, 1, "write_idx_pair");
  const char *ip = luaL_checkstring(L, 2), *lp = luaL_checkstring(L, 3);
  int rows = check_side(L, 4, "rows"), cols = check_side(L, 5, "cols");
  lua_Integer level = luaL_optinteger(L, 6, 6);
  uint32_t dims[3];
  lnn_error e;
  check_geometry(L, 4, "write_idx_pair", s, rows, cols);
  lnn_lua_argcheck(L, level >= 0 && level <= 9, 6, "gzip level must be 0 to 9");
  if (s->d.n > 0x7fffffff) return lnn_lua_argerror(L, 1, NULL, "too many items for IDX");
  dims[0] = (uint32_t)s->d.n;
  dims[1] = (uint32_t)rows;
  dims[2] = (uint32_t)cols;
  if (lnn_idx_write(ip, LNN_IDX_IMAGES, 3, dims, s->d.x8, (int)level, &e) != LNN_OK ||
      lnn_idx_write(lp, LNN_IDX_LABELS, 1, dims, s->d.label, (int)level, &e) != LNN_OK)
    return lnn_lua_fail(L, "write_idx_pair", &e);
  return 0;
}

/* pushes the list {v[0], ..., v[n-1]} (class numbers per item, 1-based in Lua) */
static void push_classes(lua_State *L, const int *v, size_t n) {
  size_t i;
  lua_createtable(L, n < 0x7fffffff ? (int)n : 0, 0);
  for (i = 0; i < n; i++) {
    lua_pushinteger(L, v[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* avg_darknesses(data): table digit -> mean summed darkness of that digit's
 * items (keys 0..k-1 as the book's dict; classes without items absent) */
static int tl_avg_darknesses(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  double avg[LNN_LIMIT_CLASSES];
  size_t c;
  if (s->d.k > LNN_LIMIT_CLASSES)
    return lnn_lua_argerror(L, 1, NULL, "at most %d classes expected", LNN_LIMIT_CLASSES);
  lnn_avg_darkness(avg, &s->d);
  lua_createtable(L, 0, (int)s->d.k);
  for (c = 0; c < s->d.k; c++) {
    if (isnan(avg[c])) continue;
    lua_pushnumber(L, avg[c]);
    lua_rawseti(L, -2, (lua_Integer)c);
  }
  return 1;
}

/* reads avgs {digit = darkness} (keys 0..k-1) at arg into avg[k], NaN when absent */
static void check_avgs(lua_State *L, int arg, const char *fname, double *avg, size_t k) {
  size_t c, found = 0;
  luaL_checktype(L, arg, LUA_TTABLE);
  for (c = 0; c < k; c++) {
    int t = lua_geti(L, arg, (lua_Integer)c);
    avg[c] = NAN;
    if (t == LUA_TNUMBER) {
      avg[c] = lua_tonumber(L, -1);
      found++;
    } else if (t != LUA_TNIL) {
      lnn_lua_argerror(L, arg, fname, "average of digit %d: number expected, got %s", (int)c,
                       luaL_typename(L, -1));
    }
    lua_pop(L, 1);
  }
  if (found == 0)
    lnn_lua_argerror(L, arg, fname, "averages of digits 0..%d expected, got none", (int)k - 1);
}

/* guess_digits(data, avgs): how many items guess_digit classifies correctly,
 * and the table of guesses (1-based item -> digit) */
static int tl_guess_digits(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  double avg[LNN_LIMIT_CLASSES];
  lblob *gb;
  int *guess;
  size_t correct;
  if (s->d.k > LNN_LIMIT_CLASSES)
    return lnn_lua_argerror(L, 1, NULL, "at most %d classes expected", LNN_LIMIT_CLASSES);
  check_avgs(L, 2, "guess_digits", avg, s->d.k);
  gb = lnn_lua_newblob(L, s->d.n * sizeof(int));
  guess = (int *)(void *)gb->data;
  correct = lnn_guess_darkness(guess, &s->d, avg);
  lua_pushinteger(L, (lua_Integer)correct);
  push_classes(L, guess, s->d.n);
  return 2;
}

/* svm_train(data, {C = 0.03, epochs = 20, tol = 0.1, seed = 0, kernels = "best",
 * multiclass = "ovr"}): W (k x (d+1), last column the biases; with multiclass
 * "ovo" one row per pair of classes, k (k-1)/2, in lnn_svm_predict's order),
 * passes made (the most of any pair), final gap (the largest) */
static int tl_svm_train(lua_State *L) {
  static const char *const opts[] = {"C", "epochs", "tol", "seed", "kernels", "multiclass", NULL};
  ldata *s = lnn_lua_checkdata(L, 1);
  lnn_svm_opts o;
  lua_Integer epochs, seed;
  const lnn_kernels *K = lnn_kernels_best();
  lnn_rng r;
  lblob *work;
  lmatrix *W;
  double gap = 0.0;
  int passes = 0, p, ovo = 0;
  void *aligned;
  if (lua_isnoneornil(L, 2)) {
    lua_settop(L, 1);
    lua_newtable(L);
  }
  luaL_checktype(L, 2, LUA_TTABLE);
  lnn_lua_checkoptions(L, 2, "svm_train", opts);
  o.C = lnn_lua_optnumfield(L, 2, "svm_train", "C", 0.03);
  o.tol = lnn_lua_optnumfield(L, 2, "svm_train", "tol", 0.1);
  epochs = lnn_lua_optintfield(L, 2, "svm_train", "epochs", 20);
  seed = lnn_lua_optintfield(L, 2, "svm_train", "seed", 0);
  if (!(o.C > 0.0) || !isfinite(o.C))
    return lnn_lua_opterror(L, "svm_train", "C", "positive number expected, got %f", o.C);
  if (!(o.tol >= 0.0)) return lnn_lua_opterror(L, "svm_train", "tol", "number >= 0 expected");
  if (epochs < 1 || epochs > 100000)
    return lnn_lua_opterror(L, "svm_train", "epochs", "1 to 100000 expected, got %d", (int)epochs);
  if (lua_getfield(L, 2, "kernels") != LUA_TNIL) K = lnn_lua_checkkernels(L, -1);
  lua_pop(L, 1);
  if (lua_getfield(L, 2, "multiclass") != LUA_TNIL) {
    const char *m = lua_tostring(L, -1);
    if (lua_type(L, -1) != LUA_TSTRING || (strcmp(m, "ovr") != 0 && strcmp(m, "ovo") != 0))
      return lnn_lua_opterror(L, "svm_train", "multiclass", "'ovr' or 'ovo' expected");
    ovo = strcmp(m, "ovo") == 0;
  }
  lua_pop(L, 1);
  o.epochs = (int)epochs;
  o.pair = 0;
  if (s->d.k < 2 || s->d.k > LNN_LIMIT_CLASSES)
    return lnn_lua_argerror(L, 1, NULL, "2 to %d classes expected", LNN_LIMIT_CLASSES);
  if (s->d.n > ((size_t)1 << 28) / s->d.k) return lnn_lua_argerror(L, 1, NULL, "too many items");
  if (!ovo) {
    lnn_rng_seed(&r, (uint64_t)seed, 0x5f6d);
    W = lnn_lua_newmatrix(L, (int)s->d.k, (int)s->d.d + 1);
    work = lnn_lua_newblob(L, lnn_svm_work_size(s->d.n, s->d.d, s->d.k) + 16);
    aligned = (void *)(((uintptr_t)work->data + 15) & ~(uintptr_t)15);
    passes = lnn_svm_train(W->data, &s->d, &o, &r, aligned, &gap, K);
  } else {
    /* every pair (a, b), a < b, in order (lnn_svm_train_pairs), over lnn's threads */
    const int k = (int)s->d.k, np = k * (k - 1) / 2;
    int nt = lnn_lua_threads(L), t;
    void *works[LNN_LIMIT_RUN_THREADS];
    const size_t wsize = lnn_svm_work_size(s->d.n, s->d.d, 1) + 16;
    int *pp;
    double *pg;
    nt = nt < np ? nt : np;
    W = lnn_lua_newmatrix(L, np, (int)s->d.d + 1);
    work = lnn_lua_newblob(L, (size_t)nt * wsize + (size_t)np * (sizeof(int) + sizeof(double)));
    for (t = 0; t < nt; t++)
      works[t] = (void *)(((uintptr_t)work->data + (size_t)t * wsize + 15) & ~(uintptr_t)15);
    pg = (double *)(void *)((char *)work->data + (size_t)nt * wsize); /* wsize is a multiple of 16 */
    pp = (int *)(void *)(pg + np);
    lnn_svm_train_pairs(W->data, &s->d, &o, (uint64_t)seed, nt, works, pp, pg, K);
    for (p = 0; p < np; p++) {
      passes = pp[p] > passes ? pp[p] : passes;
      gap = pg[p] > gap ? pg[p] : gap;
    }
  }
  lua_pop(L, 1);
  lua_pushinteger(L, passes);
  lua_pushnumber(L, gap);
  return 3;
}

/* rff_map(seed, D, d, gamma): the random Fourier features' parameters for an
 * RBF kernel exp(-gamma |x - y|^2) on d inputs: omega (D x d, each entry from
 * N(0, 2 gamma)) and b (D x 1, from U[0, 2 pi)), drawn from a generator seeded
 * with seed (stream 0x7ff, apart from every other use) */
static int tl_rff_map(lua_State *L) {
  const lua_Integer seed = luaL_checkinteger(L, 1), D = luaL_checkinteger(L, 2), d = luaL_checkinteger(L, 3);
  const lua_Number gamma = luaL_checknumber(L, 4);
  lmatrix *omega, *b;
  lnn_rng r;
  lua_Integer i;
  lnn_lua_argcheck(L, D >= 1 && D <= 1000000, 2, "1 to 1000000 features expected");
  lnn_lua_argcheck(L, d >= 1 && d <= 1000000, 3, "1 to 1000000 inputs expected");
  lnn_lua_argcheck(L, gamma > 0.0 && isfinite(gamma), 4, "a positive gamma expected");
  lnn_lua_argcheck(L, D * d <= ((lua_Integer)1 << 31), 2, "D x d is too large");
  lnn_rng_seed(&r, (uint64_t)seed, 0x7ff);
  omega = lnn_lua_newmatrix(L, (int)D, (int)d);
  lnn_rng_fill_normal(&r, omega->data, (size_t)(D * d), 0.0f, (float)sqrt(2.0 * gamma));
  b = lnn_lua_newmatrix(L, (int)D, 1);
  for (i = 0; i < D; i++) b->data[i] = (float)(6.283185307179586 * (double)lnn_rng_uniform(&r));
  return 2;
}

/* rff_features(data, omega, b): a data set of the same items and labels whose
 * inputs are the random Fourier features sqrt(2/D) cos(omega x + b) (tools.h):
 * omega a D x d Matrix, b a Matrix of D values */
static int tl_rff_features(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  lmatrix *omega = lnn_lua_checkmatrix(L, 2), *b = lnn_lua_checkmatrix(L, 3);
  const size_t block = 256, D = (size_t)omega->rows, n = s->d.n;
  lblob *zb, *yb, *xb;
  ldata *out;
  size_t i;
  if ((size_t)omega->cols != s->d.d)
    return lnn_lua_argerror(L, 2, "rff_features", "D x %d Matrix expected for %d inputs, got %dx%d",
                            (int)s->d.d, (int)s->d.d, omega->rows, omega->cols);
  if ((size_t)b->rows * (size_t)b->cols != D)
    return lnn_lua_argerror(L, 3, "rff_features", "%d values expected (one per feature), got %dx%d",
                            (int)D, b->rows, b->cols);
  if (s->d.label == NULL)
    return lnn_lua_argerror(L, 1, "rff_features", "a data set with class labels expected");
  if (D < 1 || n * D > ((size_t)1 << 33))
    return lnn_lua_argerror(L, 2, "rff_features", "%d items x %d features is too large", (int)n, (int)D);
  zb = lnn_lua_newblob(L, n * D * sizeof(float));
  yb = lnn_lua_newblob(L, n);
  memcpy(yb->data, s->d.label, n);
  xb = lnn_lua_newblob(L, block * (s->d.d + LNN_RFF_BLOCK) * sizeof(float));
  for (i = 0; i < n; i += block)
    lnn_rff((float *)(void *)zb->data + i * D, &s->d, i, n - i < block ? n - i : block, omega->data,
            b->data, D, (float *)(void *)xb->data, lnn_kernels_best());
  lua_pop(L, 1);
  out = lnn_lua_newdata(L, -2, -1);
  out->d.n = n;
  out->d.d = D;
  out->d.k = s->d.k;
  out->d.xf = (const float *)(const void *)zb->data;
  out->d.scale = 1.0f;
  out->d.label = yb->data;
  return 1;
}

/* svm_predict(W, data [, classes]): how many items W classifies correctly,
 * and the predictions (1-based item -> class): by W's largest score
 * (one-vs-rest), or with classes, by the vote of W's rows, one per pair of
 * classes (svm_train's multiclass "ovo") */
static int tl_svm_predict(lua_State *L) {
  lmatrix *W = lnn_lua_checkmatrix(L, 1);
  ldata *s = lnn_lua_checkdata(L, 2);
  const lua_Integer classes = luaL_optinteger(L, 3, 0);
  const size_t block = 256;
  lblob *buf, *pb;
  size_t correct, k = (size_t)W->rows;
  int *pred;
  if ((size_t)W->cols != s->d.d + 1)
    return lnn_lua_argerror(L, 1, "svm_predict", "k x %d weights for %d inputs expected, got %dx%d",
                            (int)s->d.d + 1, (int)s->d.d, W->rows, W->cols);
  lnn_lua_argcheck(L, classes == 0 || (classes >= 2 && classes <= LNN_LIMIT_CLASSES), 3, "2 to %d classes expected",
                   LNN_LIMIT_CLASSES);
  if (classes != 0 && (lua_Integer)k != classes * (classes - 1) / 2)
    return lnn_lua_argerror(L, 1, "svm_predict", "%d rows (one per pair of %d classes) expected, got %d",
                            (int)(classes * (classes - 1) / 2), (int)classes, W->rows);
  buf = lnn_lua_newblob(L, block * (s->d.d + 1 + k) * sizeof(float));
  pb = lnn_lua_newblob(L, s->d.n * sizeof(int));
  pred = (int *)(void *)pb->data;
  correct = lnn_svm_predict(pred, W->data, k, (size_t)classes, &s->d, (float *)(void *)buf->data, block,
                            lnn_kernels_best());
  lua_pushinteger(L, (lua_Integer)correct);
  push_classes(L, pred, s->d.n);
  return 2;
}

/* confusion(data, predictions [, k = classes]): counts (a k x k table, [label+1][pred+1]),
 * the number correct, and the list of misclassified items (1-based) */
static int tl_confusion(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  lua_Integer k = luaL_optinteger(L, 3, (lua_Integer)s->d.k);
  lblob *pb, *cb;
  int *pred;
  uint32_t *counts;
  size_t i, r, c, correct, nfail = 0;
  luaL_checktype(L, 2, LUA_TTABLE);
  lnn_lua_argcheck(L, k >= 1 && k <= LNN_LIMIT_CLASSES, 3, "classes must be 1 to %d", LNN_LIMIT_CLASSES);
  if ((size_t)luaL_len(L, 2) != s->d.n)
    return lnn_lua_argerror(L, 2, "confusion", "%d predictions expected, got %d", (int)s->d.n,
                            (int)luaL_len(L, 2));
  pb = lnn_lua_newblob(L, s->d.n * sizeof(int));
  pred = (int *)(void *)pb->data;
  for (i = 0; i < s->d.n; i++) {
    int ok;
    lua_Integer v;
    lua_geti(L, 2, (lua_Integer)i + 1);
    v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < 0 || v >= k)
      return lnn_lua_argerror(L, 2, "confusion", "prediction %d: class 0..%d expected, got %s",
                              (int)i + 1, (int)k - 1, luaL_tolstring(L, -1, NULL));
    pred[i] = (int)v;
    lua_pop(L, 1);
  }
  cb = lnn_lua_newblob(L, (size_t)(k * k) * sizeof(uint32_t));
  counts = (uint32_t *)(void *)cb->data;
  memset(counts, 0, cb->size);
  correct = lnn_confusion(counts, (size_t)k, pred, &s->d);
  lua_createtable(L, (int)k, 0);
  for (r = 0; r < (size_t)k; r++) {
    lua_createtable(L, (int)k, 0);
    for (c = 0; c < (size_t)k; c++) {
      lua_pushinteger(L, counts[r * (size_t)k + c]);
      lua_rawseti(L, -2, (lua_Integer)c + 1);
    }
    lua_rawseti(L, -2, (lua_Integer)r + 1);
  }
  lua_pushinteger(L, (lua_Integer)correct);
  lua_newtable(L);
  for (i = 0; i < s->d.n; i++)
    if (pred[i] != lnn_data_class(&s->d, i)) {
      lua_pushinteger(L, (lua_Integer)i + 1);
      lua_rawseti(L, -2, (lua_Integer)++nfail);
    }
  return 3;
}

/* vote(predictions, k): predictions is a list of m lists of n classes
 * (0..k-1, as Net:predict gives them); returns the list of n plurality votes,
 * ties to the smallest class (network3.ensemble) */
static int tl_vote(lua_State *L) {
  lua_Integer k = luaL_checkinteger(L, 2);
  size_t m, n, i, j;
  lblob *pb, *cb;
  int *pred, *out;
  luaL_checktype(L, 1, LUA_TTABLE);
  lnn_lua_argcheck(L, k >= 1 && k <= LNN_LIMIT_CLASSES, 2, "classes must be 1 to %d", LNN_LIMIT_CLASSES);
  m = (size_t)luaL_len(L, 1);
  if (m < 1 || m > 4096) return fail_at(L, 1, "vote", "1 to 4096 prediction lists", "none or too many");
  if (lua_geti(L, 1, 1) != LUA_TTABLE)
    return fail_at(L, 1, "vote", "lists of predictions", luaL_typename(L, -1));
  n = (size_t)luaL_len(L, -1);
  lua_pop(L, 1);
  if (n > ((size_t)1 << 31) / m) return lnn_lua_argerror(L, 1, NULL, "too many predictions");
  pb = lnn_lua_newblob(L, (m * n + n) * sizeof(int));
  pred = (int *)(void *)pb->data;
  out = pred + m * n;
  for (j = 0; j < m; j++) {
    if (lua_geti(L, 1, (lua_Integer)j + 1) != LUA_TTABLE)
      return lnn_lua_argerror(L, 1, "vote", "list %d: table expected, got %s", (int)j + 1,
                              luaL_typename(L, -1));
    if ((size_t)luaL_len(L, -1) != n)
      return lnn_lua_argerror(L, 1, "vote", "list %d has %d predictions, list 1 has %d", (int)j + 1,
                              (int)luaL_len(L, -1), (int)n);
    for (i = 0; i < n; i++) {
      int ok;
      lua_Integer v;
      lua_geti(L, -1, (lua_Integer)i + 1);
      v = lua_tointegerx(L, -1, &ok);
      if (!ok || v < 0 || v >= k)
        return lnn_lua_argerror(L, 1, "vote",
                                "list %d, prediction %d: class 0..%d expected, got %s", (int)j + 1,
                                (int)i + 1, (int)k - 1, luaL_tolstring(L, -1, NULL));
      pred[j * n + i] = (int)v;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  cb = lnn_lua_newblob(L, (size_t)k * sizeof(uint32_t));
  lnn_vote(out, pred, m, n, (size_t)k, (uint32_t *)(void *)cb->data);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushinteger(L, out[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* gather(data, indices): the bytes of items indices[1..n] (1-based), one after another */
static int tl_gather(lua_State *L) {
  ldata *s = lnn_lua_checkdata(L, 1);
  size_t n, i;
  lblob *b;
  if (s->d.x8 == NULL) return fail_at(L, 1, "gather", "a data set of byte images", "one of floats");
  luaL_checktype(L, 2, LUA_TTABLE);
  n = (size_t)luaL_len(L, 2);
  if (n > ((size_t)1 << 32) / s->d.d) return lnn_lua_argerror(L, 2, NULL, "too many items");
  b = lnn_lua_newblob(L, n * s->d.d);
  for (i = 0; i < n; i++) {
    int ok;
    lua_Integer v;
    lua_geti(L, 2, (lua_Integer)i + 1);
    v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < 1 || (size_t)v > s->d.n)
      return lnn_lua_argerror(L, 2, "gather", "index %d: item 1..%d expected, got %s", (int)i + 1,
                              (int)s->d.n, luaL_tolstring(L, -1, NULL));
    lua_pop(L, 1);
    memcpy(b->data + i * s->d.d, s->d.x8 + (size_t)(v - 1) * s->d.d, s->d.d);
  }
  lua_pushlstring(L, (const char *)b->data, b->size);
  return 1;
}

static int opt_int(lua_State *L, int t, const char *key, int def, int lo, int hi) {
  lua_Integer v = lnn_lua_optintfield(L, t, "write_sheet", key, def);
  if (v < lo || v > hi)
    lnn_lua_opterror(L, "write_sheet", key, "%d to %d expected, got %d", lo, hi, (int)v);
  return (int)v;
}

/* write_sheet(path, bytes, n, height, width [, {columns = 20, scale = 1, pad = 2,
 * captions = {..}, invert = false}]): n gray images in a grid, as an RGB PNG;
 * captions (n strings of digits, space and > - . / : %) under each, the part
 * after '>' in red.  Returns the picture's width and height. */
static int tl_write_sheet(lua_State *L) {
  static const char *const opts[] = {"columns", "scale", "pad", "captions", "invert", NULL};
  const char *path = luaL_checkstring(L, 1);
  size_t len, i;
  const char *bytes = luaL_checklstring(L, 2, &len);
  lua_Integer n = luaL_checkinteger(L, 3);
  lnn_sheet g;
  const char **caps = NULL;
  lblob *cb, *pix;
  int w, h;
  lnn_error e;
  g.ih = check_side(L, 4, "height");
  g.iw = check_side(L, 5, "width");
  lnn_lua_argcheck(L, n >= 1 && n <= 1000000, 3, "1 to 10^6 images expected");
  g.n = (int)n;
  if ((size_t)n * (size_t)g.ih * (size_t)g.iw != len)
    return lnn_lua_argerror(L, 2, NULL, "%d bytes (%d images of %d x %d) expected, got %d",
                            (int)(n * g.ih * g.iw), (int)n, g.ih, g.iw, (int)len);
  if (lua_isnoneornil(L, 6)) {
    lua_settop(L, 5);
    lua_newtable(L);
  }
  luaL_checktype(L, 6, LUA_TTABLE);
  lnn_lua_checkoptions(L, 6, "write_sheet", opts);
  g.columns = opt_int(L, 6, "columns", 20, 1, 10000);
  g.scale = opt_int(L, 6, "scale", 1, 1, 16);
  g.pad = opt_int(L, 6, "pad", 2, 0, 64);
  lua_getfield(L, 6, "invert");
  g.invert = lua_toboolean(L, -1);
  lua_pop(L, 1);
  g.captions = lua_getfield(L, 6, "captions") != LUA_TNIL; /* stays at index 7 */
  if (g.captions) {
    if (!lua_istable(L, 7))
      return lnn_lua_opterror(L, "write_sheet", "captions", "table of strings expected, got %s",
                              luaL_typename(L, 7));
    if (luaL_len(L, 7) != n)
      return lnn_lua_opterror(L, "write_sheet", "captions", "%d strings expected, got %d", (int)n,
                              (int)luaL_len(L, 7));
    cb = lnn_lua_newblob(L, (size_t)n * sizeof *caps);
    caps = (const char **)(void *)cb->data;
    for (i = 0; i < (size_t)n; i++) {
      lua_geti(L, 7, (lua_Integer)i + 1);
      caps[i] = lua_tostring(L, -1);
      if (lua_type(L, -1) != LUA_TSTRING || !lnn_font_supports(caps[i]))
        return lnn_lua_opterror(L, "write_sheet", "captions",
                                "caption %d: digits, space and > - . / : %% expected, got %s",
                                (int)i + 1, luaL_tolstring(L, -1, NULL));
      lua_pop(L, 1); /* the string stays alive in the captions table */
    }
  }
  lnn_sheet_size(&g, &w, &h);
  if (w > 65535 || h > 65535 || (uint64_t)w * (uint64_t)h > LNN_PNG_MAX_PIXELS)
    return lnn_lua_error(L, "write_sheet",
                         "a %d x %d picture is too large (fewer images or columns)", w, h);
  pix = lnn_lua_newblob(L, (size_t)w * (size_t)h * 3);
  lnn_sheet_draw(pix->data, &g, (const uint8_t *)bytes, caps);
  if (lnn_png_write(path, pix->data, w, h, 3, &e) != LNN_OK) return lnn_lua_fail(L, "write_sheet", &e);
  lua_pushinteger(L, w);
  lua_pushinteger(L, h);
  return 2;
}

/* write_confusion_png(path, counts): counts a k x k table ([label+1][pred+1]) as
 * confusion() returns it, drawn as a picture.  Returns its width and height. */
static int tl_write_confusion_png(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_Integer k, r, c;
  lblob *cb, *pix;
  uint32_t *counts;
  int w, h;
  lnn_error e;
  luaL_checktype(L, 2, LUA_TTABLE);
  k = luaL_len(L, 2);
  lnn_lua_argcheck(L, k >= 1 && k <= 100, 2, "a table of 1 to 100 rows expected");
  cb = lnn_lua_newblob(L, (size_t)(k * k) * sizeof(uint32_t));
  counts = (uint32_t *)(void *)cb->data;
  for (r = 0; r < k; r++) {
    if (lua_geti(L, 2, r + 1) != LUA_TTABLE || luaL_len(L, -1) != k)
      return lnn_lua_argerror(L, 2, "write_confusion_png", "row %d: %d counts expected", (int)r + 1,
                              (int)k);
    for (c = 0; c < k; c++) {
      int ok;
      lua_Integer v;
      lua_geti(L, -1, c + 1);
      v = lua_tointegerx(L, -1, &ok);
      if (!ok || v < 0 || v > 0xffffffffLL)
        return lnn_lua_argerror(L, 2, "write_confusion_png",
                                "count [%d][%d]: integer >= 0 expected", (int)r + 1, (int)c + 1);
      counts[r * k + c] = (uint32_t)v;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lnn_confusion_size(counts, (size_t)k, &w, &h);
  pix = lnn_lua_newblob(L, (size_t)w * (size_t)h * 3);
  lnn_confusion_draw(pix->data, counts, (size_t)k);
  if (lnn_png_write(path, pix->data, w, h, 3, &e) != LNN_OK)
    return lnn_lua_fail(L, "write_confusion_png", &e);
  lua_pushinteger(L, w);
  lua_pushinteger(L, h);
  return 2;
}

/* rows_to_bytes(M): each row of M mapped from its min..max to bytes 0..255 */
static int tl_rows_to_bytes(lua_State *L) {
  lmatrix *m = lnn_lua_checkmatrix(L, 1);
  lblob *b = lnn_lua_newblob(L, (size_t)m->rows * (size_t)m->cols);
  lnn_rows_to_bytes(b->data, m->data, (size_t)m->rows, (size_t)m->cols);
  lua_pushlstring(L, (const char *)b->data, b->size);
  return 1;
}

static int dirbox_gc(lua_State *L) {
  DIR **box = (DIR **)luaL_checkudata(L, 1, LNN_DIRBOX);
  if (*box) closedir(*box);
  *box = NULL;
  return 0;
}

/* dir(path): the regular files in folder path as a list of {name =, mtime =,
 * size =} (mtime in seconds, with fractions), in no particular order */
static int tl_dir(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  DIR **box = (DIR **)lua_newuserdatauv(L, sizeof(DIR *), 0);
  struct dirent *ent;
  lua_Integer n = 0;
  *box = NULL;
  luaL_setmetatable(L, LNN_DIRBOX);
  *box = opendir(path);
  if (*box == NULL) return lnn_lua_error(L, "dir", "%s: %s", path, strerror(errno));
  lua_newtable(L);
  while ((ent = readdir(*box)) != NULL) {
    struct stat st;
    const char *full;
    if (ent->d_name[0] == '.') continue;
    full = lua_pushfstring(L, "%s/%s", path, ent->d_name);
    if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
      lua_pop(L, 1);
      continue;
    }
    lua_pop(L, 1);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, ent->d_name);
    lua_setfield(L, -2, "name");
    lua_pushnumber(L, (lua_Number)st.st_mtim.tv_sec + 1e-9 * (lua_Number)st.st_mtim.tv_nsec);
    lua_setfield(L, -2, "mtime");
    lua_pushinteger(L, (lua_Integer)st.st_size);
    lua_setfield(L, -2, "size");
    lua_rawseti(L, -2, ++n);
  }
  closedir(*box);
  *box = NULL;
  return 1;
}

/* one folder; its parent exists.  Fine if it is there already as a folder. */
static void make_one(lua_State *L, const char *path) {
  struct stat st;
  if (mkdir(path, 0777) != 0 && errno != EEXIST)
    lnn_lua_error(L, "mkdir", "%s: %s", path, strerror(errno));
  if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
    lnn_lua_error(L, "mkdir", "%s exists and is not a folder", path);
}

/* mkdir(path): creates folder path and any missing parents (mkdir -p); an
 * error names the first part that cannot be a folder */
static int tl_mkdir(lua_State *L) {
  size_t len, i;
  const char *path = luaL_checklstring(L, 1, &len);
  char *p = (char *)lua_newuserdatauv(L, len + 1, 0);
  lnn_lua_argcheck(L, len > 0 && strlen(path) == len, 1, "a folder name expected");
  memcpy(p, path, len + 1);
  for (i = 1; i < len; i++)
    if (p[i] == '/' && p[i - 1] != '/') {
      p[i] = '\0';
      make_one(L, p);
      p[i] = '/';
    }
  make_one(L, p);
  return 0;
}

static const luaL_Reg tools_funcs[] = {
    {"expand", tl_expand}, {"shift", tl_shift}, {"write_idx_pair", tl_write_idx_pair},
    {"avg_darknesses", tl_avg_darknesses}, {"guess_digits", tl_guess_digits},
    {"svm_train", tl_svm_train}, {"svm_predict", tl_svm_predict}, {"rff_features", tl_rff_features}, {"rff_map", tl_rff_map},
    {"confusion", tl_confusion}, {"vote", tl_vote}, {"gather", tl_gather}, {"write_sheet", tl_write_sheet},
    {"write_confusion_png", tl_write_confusion_png}, {"rows_to_bytes", tl_rows_to_bytes},
    {"dir", tl_dir}, {"mkdir", tl_mkdir}, {NULL, NULL}};

int lnn_lua_open_tools(lua_State *L) {
  luaL_newmetatable(L, LNN_DIRBOX);
  lua_pushcfunction(L, dirbox_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newlib(L, tools_funcs);
  lua_setfield(L, -2, "tools");
  return 0;
}
