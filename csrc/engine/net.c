/* net.c -- forward, backward, cost and step of the layered network, on whole
 * mini-batches (rows = items) with lnn_gemm for every product.
 * Layers and costs are switch cases here, KANN-style: adding a layer kind
 * means a layout case, a forward case and a backward case side by side.
 * The convolution itself is a kernel (conv.c); bias, activation, dropout and
 * the steps are here. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "net.h"

static const char *act_name(int a) {
  static const char *names[] = {"linear", "sigmoid", "tanh", "relu", "softmax"};
  return a >= 0 && a < LNN_ACT_COUNT ? names[a] : "?";
}

size_t lnn_layer_nweights(const lnn_layer *L) {
  switch (L->kind) {
    case LNN_LAYER_DENSE: return (size_t)L->n_in * (size_t)L->n_out;
    case LNN_LAYER_CONVPOOL:
      return (size_t)L->conv.f * (size_t)L->conv.c * (size_t)L->conv.kh * (size_t)L->conv.kw;
    default: return 0;
  }
}

size_t lnn_layer_nbiases(const lnn_layer *L) {
  switch (L->kind) {
    case LNN_LAYER_DENSE: return (size_t)L->n_out;
    case LNN_LAYER_CONVPOOL: return (size_t)L->conv.f;
    default: return 0;
  }
}

static int bad_layer(lnn_error *err, int l, const char *what, int v, int lo, int hi) {
  return lnn_error_set(err, LNN_EINVAL, "layer %d: %s is %d (expected %d to %d)", l + 1, what, v,
                       lo, hi);
}

/* the sizes of layer l (0-based) of kind L->kind; fills n_in, n_out */
static int layer_shape(lnn_layer *L, int l, int last, lnn_error *err) {
  lnn_conv *c = &L->conv;
  if (L->act < 0 || L->act >= LNN_ACT_COUNT)
    return lnn_error_set(err, LNN_EINVAL, "layer %d: unknown activation %d", l + 1, L->act);
  if (L->act == LNN_ACT_SOFTMAX && !last)
    return lnn_error_set(err, LNN_EINVAL, "softmax can only be the output layer");
  switch (L->kind) {
    case LNN_LAYER_DENSE:
      if (L->n_in < 1 || L->n_in > LNN_LIMIT_LAYER)
        return bad_layer(err, l, "n_in", L->n_in, 1, LNN_LIMIT_LAYER);
      if (L->n_out < 1 || L->n_out > LNN_LIMIT_LAYER)
        return bad_layer(err, l, "n_out", L->n_out, 1, LNN_LIMIT_LAYER);
      return LNN_OK;
    case LNN_LAYER_CONVPOOL:
      if (c->c < 1 || c->c > LNN_LIMIT_CONV)
        return bad_layer(err, l, "channels", c->c, 1, LNN_LIMIT_CONV);
      if (c->h < 1 || c->h > LNN_LIMIT_CONV)
        return bad_layer(err, l, "image height", c->h, 1, LNN_LIMIT_CONV);
      if (c->w < 1 || c->w > LNN_LIMIT_CONV)
        return bad_layer(err, l, "image width", c->w, 1, LNN_LIMIT_CONV);
      if (c->f < 1 || c->f > LNN_LIMIT_CONV)
        return bad_layer(err, l, "filters", c->f, 1, LNN_LIMIT_CONV);
      if (c->kh < 1 || c->kh > c->h) return bad_layer(err, l, "filter height", c->kh, 1, c->h);
      if (c->kw < 1 || c->kw > c->w) return bad_layer(err, l, "filter width", c->kw, 1, c->w);
      if (c->ph < 1 || c->ph > lnn_conv_oh(c))
        return bad_layer(err, l, "pool height", c->ph, 1, lnn_conv_oh(c));
      if (c->pw < 1 || c->pw > lnn_conv_ow(c))
        return bad_layer(err, l, "pool width", c->pw, 1, lnn_conv_ow(c));
      if (L->act == LNN_ACT_SOFTMAX)
        return lnn_error_set(err, LNN_EINVAL, "layer %d: a conv-pool layer cannot be softmax",
                             l + 1);
      if ((size_t)c->c * c->h * c->w > LNN_LIMIT_LAYER ||
          lnn_conv_scratch_floats(c) > ((size_t)1 << 28))
        return lnn_error_set(err, LNN_EINVAL, "layer %d: convolution too large (more than 2^24 "
                             "inputs, or 2^28 floats of scratch)", l + 1);
      L->n_in = c->c * c->h * c->w;
      L->n_out = c->f * lnn_conv_qh(c) * lnn_conv_qw(c);
      return LNN_OK;
    case LNN_LAYER_DROPOUT:
      if (L->n_in < 1 || L->n_in > LNN_LIMIT_LAYER)
        return bad_layer(err, l, "n_in", L->n_in, 1, LNN_LIMIT_LAYER);
      if (!(L->p >= 0.0f && L->p < 1.0f))
        return lnn_error_set(err, LNN_EINVAL, "layer %d: dropout probability %g is not in [0, 1)",
                             l + 1, (double)L->p);
      if (last)
        return lnn_error_set(err, LNN_EINVAL, "layer %d: dropout cannot be the output layer",
                             l + 1);
      L->act = LNN_ACT_LINEAR;
      L->n_out = L->n_in;
      return LNN_OK;
    default:
      return lnn_error_set(err, LNN_EINVAL, "layer %d: unknown kind %d", l + 1, L->kind);
  }
}

int lnn_net_layout(lnn_net *net, const lnn_layer *spec, int n, lnn_cost cost, lnn_error *err) {
  int l, out_act;
  size_t off = 0;
  memset(net, 0, sizeof *net);
  if (n < 1 || n > LNN_LIMIT_LAYERS)
    return lnn_error_set(err, LNN_EINVAL, "a network needs 1 to %d layers, got %d",
                         LNN_LIMIT_LAYERS, n);
  for (l = 0; l < n; l++) {
    lnn_layer *L = &net->layer[l];
    int rc;
    *L = spec[l];
    if ((rc = layer_shape(L, l, l + 1 == n, err)) != LNN_OK) return rc;
    if (l > 0 && L->n_in != net->layer[l - 1].n_out)
      return lnn_error_set(err, LNN_EINVAL, "layer %d takes %d inputs but layer %d gives %d",
                           l + 1, L->n_in, l, net->layer[l - 1].n_out);
    L->w = off;
    off += lnn_layer_nweights(L);
    L->b = off;
    off += lnn_layer_nbiases(L);
    if (off > ((size_t)1 << 32))
      return lnn_error_set(err, LNN_EINVAL, "network too large: more than 2^32 parameters");
  }
  out_act = net->layer[n - 1].act;
  if (cost == LNN_COST_CROSS_ENTROPY && out_act != LNN_ACT_SIGMOID)
    return lnn_error_set(err, LNN_EINVAL, "cross-entropy cost needs a sigmoid output, not %s",
                         act_name(out_act));
  if (cost == LNN_COST_LOG_LIKELIHOOD && out_act != LNN_ACT_SOFTMAX)
    return lnn_error_set(err, LNN_EINVAL, "log-likelihood cost needs a softmax output, not %s",
                         act_name(out_act));
  if (cost == LNN_COST_QUADRATIC && out_act == LNN_ACT_SOFTMAX)
    return lnn_error_set(err, LNN_EINVAL, "quadratic cost needs a point-wise output, not softmax");
  if (cost < 0 || cost > LNN_COST_LOG_LIKELIHOOD)
    return lnn_error_set(err, LNN_EINVAL, "unknown cost %d", (int)cost);
  net->nlayers = n;
  net->cost = cost;
  net->nparams = off;
  return LNN_OK;
}

int lnn_net_layout_dense(lnn_net *net, const int *sizes, int nsizes, lnn_act hidden_act,
                         lnn_act out_act, lnn_cost cost, lnn_error *err) {
  lnn_layer spec[LNN_LIMIT_LAYERS];
  int l;
  memset(net, 0, sizeof *net);
  if (nsizes < 2 || nsizes - 1 > LNN_LIMIT_LAYERS)
    return lnn_error_set(err, LNN_EINVAL, "a network needs 2 to %d sizes, got %d",
                         LNN_LIMIT_LAYERS + 1, nsizes);
  for (l = 0; l < nsizes; l++)
    if (sizes[l] < 1 || sizes[l] > LNN_LIMIT_LAYER)
      return lnn_error_set(err, LNN_EINVAL, "size %d is %d (expected 1 to %d)", l + 1, sizes[l],
                           LNN_LIMIT_LAYER);
  memset(spec, 0, sizeof spec);
  for (l = 0; l + 1 < nsizes; l++) {
    spec[l].kind = LNN_LAYER_DENSE;
    spec[l].act = (l + 2 == nsizes) ? out_act : hidden_act;
    spec[l].n_in = sizes[l];
    spec[l].n_out = sizes[l + 1];
  }
  return lnn_net_layout(net, spec, nsizes - 1, cost, err);
}

size_t lnn_work_floats(const lnn_net *net, size_t cap) {
  size_t total = cap * (size_t)net->layer[0].n_in;
  int l;
  for (l = 0; l < net->nlayers; l++) {
    const lnn_layer *L = &net->layer[l];
    total += 2 * cap * (size_t)L->n_out;                     /* a and d */
    if (L->kind == LNN_LAYER_CONVPOOL)                       /* arg, scratch */
      total += cap * (size_t)L->n_out + lnn_conv_scratch_floats(&L->conv);
    else if (L->kind == LNN_LAYER_DROPOUT)                   /* mask */
      total += cap * (size_t)L->n_in;
  }
  total += cap * (size_t)net->layer[net->nlayers - 1].n_out; /* y */
  return total + net->nparams;                               /* grad */
}

void lnn_work_carve(lnn_work *w, const lnn_net *net, size_t cap, float *mem) {
  int l;
  memset(w, 0, sizeof *w);
  w->cap = cap;
  w->a[0] = mem;
  mem += cap * (size_t)net->layer[0].n_in;
  for (l = 0; l < net->nlayers; l++) {
    const lnn_layer *L = &net->layer[l];
    size_t n = cap * (size_t)L->n_out;
    w->a[l + 1] = mem;
    mem += n;
    w->d[l + 1] = mem;
    mem += n;
    if (L->kind == LNN_LAYER_CONVPOOL) {
      /* the block is raw memory from the binding: its ints are only ever read as ints */
      w->arg[l] = (int32_t *)(void *)mem;
      mem += n;
      w->scratch[l] = mem;
      mem += lnn_conv_scratch_floats(&L->conv);
    } else if (L->kind == LNN_LAYER_DROPOUT) {
      w->mask[l] = mem;
      mem += cap * (size_t)L->n_in;
    }
  }
  w->y = mem;
  mem += cap * (size_t)net->layer[net->nlayers - 1].n_out;
  w->grad = mem;
}

/* The part t of T of n units (rows, columns, filters): [lo, hi), cut at
 * multiples of `align` (the kernels' vector blocks) where n allows; T = 1
 * gives the whole.  Every unit's bits are the same whichever part holds it. */
static void part_of(size_t n, size_t align, int t, int T, size_t *lo, size_t *hi) {
  if (T == 1) { /* the whole, without a division: W1's layers are a few microseconds */
    *lo = 0, *hi = n;
    return;
  }
  if (n < align * (size_t)T) align = 1;
  *lo = (n * (size_t)t / (size_t)T + align / 2) / align * align;
  *hi = t + 1 == T ? n : (n * (size_t)(t + 1) / (size_t)T + align / 2) / align * align;
}

#define COL_ALIGN 32 /* floats: a 512-bit gemm_xn block */
#define ROW_ALIGN 4  /* rows of a gemm_xn block */

/* y = f(x) on columns j0..j1-1 of m rows of n */
static void act_cols(const lnn_kernels *K, int act, float *y, size_t m, size_t n, size_t j0,
                     size_t j1) {
  size_t r;
  if (j0 == 0 && j1 == n) {
    K->act_forward((lnn_act)act, y, y, m * n);
    return;
  }
  for (r = 0; r < m; r++) K->act_forward((lnn_act)act, y + r * n + j0, y + r * n + j0, j1 - j0);
}

/* dx = dx f'(y) on columns j0..j1-1 of m rows of n */
static void act_back_cols(const lnn_kernels *K, int act, float *dx, const float *y, size_t m,
                          size_t n, size_t j0, size_t j1) {
  size_t r;
  if (j0 == 0 && j1 == n) {
    K->act_backward((lnn_act)act, dx, dx, y, m * n);
    return;
  }
  for (r = 0; r < m; r++)
    K->act_backward((lnn_act)act, dx + r * n + j0, dx + r * n + j0, y + r * n + j0, j1 - j0);
}

/* out (m x n_out) = f(in (m x n_in) W^T + b), its columns j0..j1-1 (a softmax
 * layer: all of them, the softmax needs whole rows) */
static void dense_forward(const lnn_net *net, const lnn_layer *L, const float *in, float *out,
                          size_t m, size_t j0, size_t j1, const lnn_kernels *K) {
  const float *W = net->params + L->w, *b = net->params + L->b;
  size_t r, n = (size_t)L->n_out;
  for (r = 0; r < m; r++) memcpy(out + r * n + j0, b + j0, (j1 - j0) * sizeof *out);
  lnn_gemm_block(K, LNN_GEMM_NT, m, n, (size_t)L->n_in, 1.0f, in, W, 1.0f, out, 0, m, j0, j1);
  if (L->act == LNN_ACT_SOFTMAX)
    lnn_softmax_rows(out, m, n);
  else
    act_cols(K, L->act, out, m, n, j0, j1);
}

/* out (m x f x qh x qw) = f(maxpool(conv(in, W)) + b), the bias one per
 * filter, for items i0..i1-1 (scratch: the kernels', lnn_conv_scratch_floats) */
static void convpool_forward(const lnn_net *net, const lnn_layer *L, lnn_work *w, int l,
                             float *scratch, size_t i0, size_t i1, const lnn_kernels *K) {
  const float *b = net->params + L->b;
  const size_t q = (size_t)lnn_conv_qh(&L->conv) * lnn_conv_qw(&L->conv), no = (size_t)L->n_out;
  float *out = w->a[l + 1] + i0 * no;
  size_t i, j;
  int f;
  K->conv_forward(out, w->arg[l] + i0 * no, scratch, w->a[l] + i0 * (size_t)L->n_in,
                  net->params + L->w, i1 - i0, &L->conv);
  for (i = 0; i < i1 - i0; i++)
    for (f = 0; f < L->conv.f; f++) {
      float *o = out + (i * (size_t)L->conv.f + (size_t)f) * q;
      for (j = 0; j < q; j++) o[j] += b[f];
    }
  K->act_forward((lnn_act)L->act, out, out, (i1 - i0) * no);
}

/* out = in * mask, mask (m x n_in): as drawn (training), or 1 - p everywhere
 * (inference, drawn == 0), as network3.py scales at inference */
static void dropout_forward(const lnn_layer *L, float *mask, const float *in, float *out, size_t m,
                            int drawn) {
  const float keep = 1.0f - L->p;
  size_t i, n = m * (size_t)L->n_in;
  if (!drawn)
    for (i = 0; i < n; i++) mask[i] = keep;
  for (i = 0; i < n; i++) out[i] = in[i] * mask[i];
}

int lnn_net_has_dropout(const lnn_net *net) {
  int l;
  for (l = 0; l < net->nlayers; l++)
    if (net->layer[l].kind == LNN_LAYER_DROPOUT) return 1;
  return 0;
}

void lnn_net_draw_masks(const lnn_net *net, float *const *mask, size_t m, lnn_rng *drop) {
  int l;
  for (l = 0; l < net->nlayers; l++) {
    const lnn_layer *L = &net->layer[l];
    const float keep = 1.0f - L->p;
    size_t i, n = m * (size_t)L->n_in;
    if (L->kind != LNN_LAYER_DROPOUT) continue;
    for (i = 0; i < n; i++) mask[l][i] = lnn_rng_uniform(drop) < keep ? 1.0f : 0.0f;
  }
}

void lnn_layer_forward_part(const lnn_net *net, lnn_work *w, const lnn_work *own, int l,
                            size_t m, int drawn, int t, int T, const lnn_kernels *K) {
  const lnn_layer *L = &net->layer[l];
  size_t lo, hi;
  switch (L->kind) {
    case LNN_LAYER_CONVPOOL:
      part_of(m, 1, t, T, &lo, &hi);
      if (lo < hi) convpool_forward(net, L, w, l, own->scratch[l], lo, hi, K);
      break;
    case LNN_LAYER_DROPOUT:
      if (t == 0) dropout_forward(L, w->mask[l], w->a[l], w->a[l + 1], m, drawn);
      break;
    default:
      if (L->act == LNN_ACT_SOFTMAX) {
        if (t == 0) dense_forward(net, L, w->a[l], w->a[l + 1], m, 0, (size_t)L->n_out, K);
        break;
      }
      part_of((size_t)L->n_out, COL_ALIGN, t, T, &lo, &hi);
      if (lo < hi) dense_forward(net, L, w->a[l], w->a[l + 1], m, lo, hi, K);
      break;
  }
}

void lnn_net_forward_drawn(const lnn_net *net, lnn_work *w, size_t m, int drawn,
                           const lnn_kernels *K) {
  int l;
  for (l = 0; l < net->nlayers; l++) lnn_layer_forward_part(net, w, w, l, m, drawn, 0, 1, K);
}

void lnn_net_forward(const lnn_net *net, lnn_work *w, size_t m, lnn_rng *drop,
                     const lnn_kernels *K) {
  if (drop != NULL) lnn_net_draw_masks(net, w->mask, m, drop);
  lnn_net_forward_drawn(net, w, m, drop != NULL, K);
}

/* Given dz (m x n_out): gW += dz^T in and gb += column sums of dz on the
 * outputs (rows of W) j0..j1-1, and, when din is not NULL, din (m x n_in) =
 * dz W on the input columns c0..c1-1 (the caller applies f' of the layer
 * below).  Rows of W, not columns, so that parts write whole cache lines. */
static void dense_backward(const lnn_net *net, const lnn_layer *L, const float *in,
                           const float *dz, float *din, float *grad, size_t m, size_t c0,
                           size_t c1, size_t j0, size_t j1, const lnn_kernels *K) {
  const float *W = net->params + L->w;
  float *gW = grad + L->w, *gb = grad + L->b;
  size_t r, j, n = (size_t)L->n_out, k = (size_t)L->n_in;
  lnn_gemm_block(K, LNN_GEMM_TN, n, k, m, 1.0f, dz, in, 1.0f, gW, j0, j1, 0, k);
  for (r = 0; r < m; r++)
    for (j = j0; j < j1; j++) gb[j] += dz[r * n + j];
  if (din == NULL) return;
  lnn_gemm_block(K, LNN_GEMM_NN, m, k, n, 1.0f, dz, W, 0.0f, din, 0, m, c0, c1);
}

/* d of the output layer = dC/dz: with a matched cost and output the f' cancels */
static void output_delta(const lnn_net *net, lnn_work *w, size_t m, const lnn_kernels *K) {
  int top = net->nlayers - 1;
  const lnn_layer *out = &net->layer[top];
  size_t i, n = m * (size_t)out->n_out;
  float *a = w->a[top + 1], *d = w->d[top + 1];
  for (i = 0; i < n; i++) d[i] = a[i] - w->y[i];
  if (net->cost == LNN_COST_QUADRATIC) K->act_backward((lnn_act)out->act, d, d, a, n);
}

/* A conv-pool layer's backward, part t of T: grad's rows (and biases) of the
 * filters f0..f1-1 over all m items (zeroed first when `zero`), din of the
 * items i0..i1-1 over all filters (through f' of the layer below) */
static void convpool_backward(const lnn_net *net, lnn_work *w, const lnn_work *own, int l,
                              float *grad, size_t m, int zero, int t, int T,
                              const lnn_kernels *K) {
  const lnn_layer *L = &net->layer[l];
  const size_t q = (size_t)lnn_conv_qh(&L->conv) * lnn_conv_qw(&L->conv), no = (size_t)L->n_out;
  const size_t ni = (size_t)L->n_in, kf = lnn_layer_nweights(L) / (size_t)L->conv.f;
  const float *in = w->a[l], *dz = w->d[l + 1];
  float *din = l > 0 ? w->d[l] : NULL, *gb = grad + L->b;
  size_t i, j, f0, f1, i0, i1;
  size_t f;
  part_of((size_t)L->conv.f, 1, t, T, &f0, &f1);
  part_of(m, 1, t, T, &i0, &i1);
  if (zero) {
    memset(grad + L->w + f0 * kf, 0, (f1 - f0) * kf * sizeof(float));
    memset(gb + f0, 0, (f1 - f0) * sizeof(float));
  }
  if (T == 1) { /* one call does both */
    K->conv_backward(grad + L->w, din, own->scratch[l], dz, w->arg[l], in, net->params + L->w, m,
                     &L->conv, 0, L->conv.f);
  } else {
    if (f0 < f1)
      K->conv_backward(grad + L->w, NULL, own->scratch[l], dz, w->arg[l], in, net->params + L->w,
                       m, &L->conv, (int)f0, (int)f1);
    if (din != NULL && i0 < i1)
      K->conv_backward(NULL, din + i0 * ni, own->scratch[l], dz + i0 * no, w->arg[l] + i0 * no,
                       in + i0 * ni, net->params + L->w, i1 - i0, &L->conv, 0, 0);
  }
  for (i = 0; i < m; i++)
    for (f = f0; f < f1; f++) {
      const float *g = dz + (i * (size_t)L->conv.f + f) * q;
      for (j = 0; j < q; j++) gb[f] += g[j];
    }
  if (din != NULL && i0 < i1 && net->layer[l - 1].act != LNN_ACT_LINEAR)
    K->act_backward((lnn_act)net->layer[l - 1].act, din + i0 * ni, din + i0 * ni, in + i0 * ni,
                    (i1 - i0) * ni);
}

/* dC/dz of layer l (in w->d[l+1]) -> grad += its parameters' gradient and,
 * for l > 0, w->d[l] = dC/dz of layer l - 1 (through that layer's f'): part
 * t of T (a dense layer by input columns, a conv-pool one by filters and
 * items; dropout on thread 0) */
static void layer_backward(const lnn_net *net, lnn_work *w, const lnn_work *own, int l,
                           float *grad, size_t m, int t, int T, const lnn_kernels *K) {
  const lnn_layer *L = &net->layer[l];
  const float *in = w->a[l], *dz = w->d[l + 1];
  const size_t k = (size_t)L->n_in;
  float *din = l > 0 ? w->d[l] : NULL;
  size_t i, c0, c1, j0, j1;
  switch (L->kind) {
    case LNN_LAYER_CONVPOOL: convpool_backward(net, w, own, l, grad, m, 0, t, T, K); return;
    case LNN_LAYER_DROPOUT:
      if (t != 0) return;
      if (din != NULL)
        for (i = 0; i < m * k; i++) din[i] = dz[i] * w->mask[l][i];
      c0 = 0, c1 = k;
      break;
    default:
      part_of(k, COL_ALIGN, t, T, &c0, &c1);
      part_of((size_t)L->n_out, ROW_ALIGN, t, T, &j0, &j1);
      dense_backward(net, L, in, dz, din, grad, m, c0, c1, j0, j1, K);
      break;
  }
  if (din != NULL && c0 < c1 && net->layer[l - 1].act != LNN_ACT_LINEAR)
    act_back_cols(K, net->layer[l - 1].act, din, in, m, k, c0, c1);
}

void lnn_output_delta(const lnn_net *net, lnn_work *w, size_t m, const lnn_kernels *K) {
  output_delta(net, w, m, K);
}

void lnn_layer_backward_part(const lnn_net *net, lnn_work *w, const lnn_work *own, int l,
                             size_t m, int t, int T, const lnn_kernels *K) {
  layer_backward(net, w, own, l, w->grad, m, t, T, K);
}

void lnn_net_backward(const lnn_net *net, lnn_work *w, size_t m, const lnn_kernels *K) {
  int l;
  output_delta(net, w, m, K);
  for (l = net->nlayers - 1; l >= 0; l--) {
    layer_backward(net, w, w, l, w->grad, m, 0, 1, K);
    if (w->on_layer != NULL) w->on_layer(w->on_layer_ctx, l);
  }
}

/* network2.py's nan_to_num: nan -> 0, inf -> the largest double */
static double xlogy_safe(double y, double a) {
  double t;
  if (y == 0.0) return 0.0;
  t = -y * log(a);
  return isinf(t) ? DBL_MAX : t;
}

/* A float32 sigmoid rounds to exactly 1 once z > 16.6 (and a softmax output
 * to 0 far sooner than numpy's float64 does), where the log terms would be
 * infinite and nan_to_num's 1.8e308 would swamp every mean.  Outputs are
 * read as at least FLT_MIN and at most 1 - 2^-24, the float32 neighbours of
 * 0 and 1: the cost stays finite and is a lower bound of the true one there. */
static double clamp_output(float a) {
  const double lo = FLT_MIN, hi = 1.0 - 0x1p-24;
  return a < lo ? lo : (a > hi ? hi : (double)a);
}

double lnn_net_cost(const lnn_net *net, const float *a, const float *y, size_t m) {
  size_t i, n = m * (size_t)net->layer[net->nlayers - 1].n_out;
  double s = 0.0;
  switch (net->cost) {
    case LNN_COST_CROSS_ENTROPY:
      for (i = 0; i < n; i++) {
        double ai = clamp_output(a[i]);
        s += xlogy_safe(y[i], ai) + xlogy_safe(1.0 - (double)y[i], 1.0 - ai);
        if (s > DBL_MAX) s = DBL_MAX;
      }
      return s;
    case LNN_COST_LOG_LIKELIHOOD:
      for (i = 0; i < n; i++) {
        s += xlogy_safe(y[i], clamp_output(a[i]));
        if (s > DBL_MAX) s = DBL_MAX;
      }
      return s;
    default:
      for (i = 0; i < n; i++) s += 0.5 * ((double)a[i] - y[i]) * ((double)a[i] - y[i]);
      return s;
  }
}

double lnn_net_weight_sqsum(const lnn_net *net) {
  double s = 0.0;
  int l;
  for (l = 0; l < net->nlayers; l++) {
    const float *W = net->params + net->layer[l].w;
    size_t i, n = lnn_layer_nweights(&net->layer[l]);
    for (i = 0; i < n; i++) s += (double)W[i] * W[i];
  }
  return s;
}

/* the step (see lnn_sgd_step) of the parameters [lo, hi) of a block of
 * weights (decay 1) or biases (decay 0) starting at off, n long */
static void part_step(const lnn_net *net, size_t off, size_t n, int decays, const float *grad,
                      float *vel, size_t m, const lnn_sgd *s, size_t lo, size_t hi) {
  const float rate = s->eta / (float)m;
  const float decay = decays && s->n > 0 ? s->eta * s->lmbda / (float)s->n : 0.0f;
  size_t i, a = off > lo ? off : lo, b = off + n < hi ? off + n : hi;
  float *W = net->params;
  if (a >= b) return;
  if (vel == NULL) {
    if (decays) {
      const float keep = 1.0f - decay;
      for (i = a; i < b; i++) W[i] = keep * W[i] - rate * grad[i];
    } else {
      for (i = a; i < b; i++) W[i] -= rate * grad[i];
    }
  } else if (decays) {
    for (i = a; i < b; i++) {
      vel[i] = s->mu * vel[i] - rate * grad[i] - decay * W[i];
      W[i] += vel[i];
    }
  } else {
    for (i = a; i < b; i++) {
      vel[i] = s->mu * vel[i] - rate * grad[i];
      W[i] += vel[i];
    }
  }
}

void lnn_sgd_step_range(const lnn_net *net, const float *grad, float *vel, size_t m,
                        const lnn_sgd *s, size_t lo, size_t hi) {
  int l;
  for (l = 0; l < net->nlayers; l++) {
    const lnn_layer *L = &net->layer[l];
    part_step(net, L->w, lnn_layer_nweights(L), 1, grad, vel, m, s, lo, hi);
    part_step(net, L->b, lnn_layer_nbiases(L), 0, grad, vel, m, s, lo, hi);
  }
}

/* the plain step of a conv-pool layer's filters f0..f1-1 (weights, biases) */
static void filters_step(const lnn_net *net, const lnn_layer *L, const float *grad, size_t m,
                         const lnn_sgd *s, size_t f0, size_t f1) {
  const size_t kf = lnn_layer_nweights(L) / (size_t)L->conv.f;
  part_step(net, L->w, lnn_layer_nweights(L), 1, grad, NULL, m, s, L->w + f0 * kf, L->w + f1 * kf);
  part_step(net, L->b, lnn_layer_nbiases(L), 0, grad, NULL, m, s, L->b + f0, L->b + f1);
}

void lnn_sgd_step(const lnn_net *net, const float *grad, float *vel, size_t m, const lnn_sgd *s) {
  lnn_sgd_step_range(net, grad, vel, m, s, 0, net->nparams);
}

/* A dense layer's backward and plain step fused: W is stepped in place by the
 * product that would have written its gradient, after the delta below has
 * read it.  Part t of T: the delta below on the input columns c0..c1-1
 * (dense_delta), then, once every part has read W, W's rows and the biases
 * j0..j1-1 (dense_step) */
static void dense_delta(const lnn_net *net, lnn_work *w, int l, size_t m, int t, int T,
                        const lnn_kernels *K) {
  const lnn_layer *L = &net->layer[l];
  const size_t n = (size_t)L->n_out, k = (size_t)L->n_in;
  size_t c0, c1;
  part_of(k, COL_ALIGN, t, T, &c0, &c1);
  if (c0 >= c1) return;
  lnn_gemm_block(K, LNN_GEMM_NN, m, k, n, 1.0f, w->d[l + 1], net->params + L->w, 0.0f, w->d[l],
                 0, m, c0, c1);
  if (net->layer[l - 1].act != LNN_ACT_LINEAR)
    act_back_cols(K, net->layer[l - 1].act, w->d[l], w->a[l], m, k, c0, c1);
}

static void dense_step(const lnn_net *net, const lnn_work *w, int l, size_t m, const lnn_sgd *s,
                       int t, int T, const lnn_kernels *K) {
  const float rate = s->eta / (float)m;
  const float keep = 1.0f - (s->n > 0 ? s->eta * s->lmbda / (float)s->n : 0.0f);
  const lnn_layer *L = &net->layer[l];
  const float *dz = w->d[l + 1];
  float *b = net->params + L->b;
  size_t r, j, n = (size_t)L->n_out, k = (size_t)L->n_in, j0, j1;
  part_of(n, ROW_ALIGN, t, T, &j0, &j1);
  lnn_gemm_block(K, LNN_GEMM_TN, n, k, m, -rate, dz, w->a[l], keep, net->params + L->w, j0, j1, 0,
                 k);
  for (r = 0; r < m; r++)
    for (j = j0; j < j1; j++) b[j] -= rate * dz[r * n + j];
}

int lnn_layer_backward_step_part(const lnn_net *net, lnn_work *w, const lnn_work *own, int l,
                                 size_t m, const lnn_sgd *s, int t, int T, const lnn_kernels *K) {
  const lnn_layer *L = &net->layer[l];
  switch (L->kind) {
    case LNN_LAYER_DENSE:
      if (l == 0) { /* no delta below: nothing else reads W */
        dense_step(net, w, l, m, s, t, T, K);
        return 0;
      }
      dense_delta(net, w, l, m, t, T, K);
      return 1;
    case LNN_LAYER_CONVPOOL: /* its filters' slot of the gradient block */
      convpool_backward(net, w, own, l, w->grad, m, 1, t, T, K);
      return 1;
    default: layer_backward(net, w, own, l, w->grad, m, t, T, K); return 0;
  }
}

void lnn_layer_step_part(const lnn_net *net, const lnn_work *w, int l, size_t m,
                         const lnn_sgd *s, int t, int T, const lnn_kernels *K) {
  const lnn_layer *L = &net->layer[l];
  size_t f0, f1;
  if (L->kind == LNN_LAYER_DENSE) {
    dense_step(net, w, l, m, s, t, T, K);
    return;
  }
  part_of((size_t)L->conv.f, 1, t, T, &f0, &f1);
  filters_step(net, L, w->grad, m, s, f0, f1);
}

void lnn_net_backward_step(const lnn_net *net, lnn_work *w, size_t m, const lnn_sgd *s,
                           const lnn_kernels *K) {
  int l;
  output_delta(net, w, m, K);
  for (l = net->nlayers - 1; l >= 0; l--)
    if (lnn_layer_backward_step_part(net, w, w, l, m, s, 0, 1, K))
      lnn_layer_step_part(net, w, l, m, s, 0, 1, K);
}

int lnn_layer_splits(const lnn_net *net, int l, size_t m) {
  const lnn_layer *L = &net->layer[l];
  double f;
  switch (L->kind) {
    case LNN_LAYER_DENSE:
      if (L->act == LNN_ACT_SOFTMAX) return 0;
      f = 2.0 * (double)L->n_in * L->n_out;
      break;
    case LNN_LAYER_CONVPOOL:
      f = 2.0 * (double)lnn_layer_nweights(L) * lnn_conv_oh(&L->conv) * lnn_conv_ow(&L->conv);
      break;
    default: return 0;
  }
  return (double)m * f >= LNN_SPLIT_FLOPS && lnn_layer_nweights(L) <= LNN_SPLIT_WEIGHTS;
}

double lnn_net_item_flops(const lnn_net *net) {
  double f = 0.0;
  int l;
  for (l = 0; l < net->nlayers; l++) {
    const lnn_layer *L = &net->layer[l];
    double passes = l > 0 ? 3.0 : 2.0; /* forward, weight gradient, input delta */
    if (L->kind == LNN_LAYER_DENSE)
      f += passes * 2.0 * L->n_in * L->n_out;
    else if (L->kind == LNN_LAYER_CONVPOOL)
      f += passes * 2.0 * (double)lnn_layer_nweights(L) * lnn_conv_oh(&L->conv) *
           lnn_conv_ow(&L->conv);
    else
      f += 2.0 * L->n_in;
  }
  return f;
}

int lnn_step_chunks(const lnn_net *net, size_t m) {
  const double work = (double)m * lnn_net_item_flops(net);
  double c = floor(work / LNN_CHUNK_FLOPS);
  const double by_params = floor(work / (LNN_CHUNK_FLOPS_PER_PARAM * (double)net->nparams));
  int nc = 1;
  c = c < by_params ? c : by_params;
  c = c < (double)m ? c : (double)m;
  while (2.0 * nc <= c && 2 * nc <= LNN_MAX_CHUNKS) nc *= 2;
  return nc;
}

size_t lnn_net_evaluate(const lnn_net *net, lnn_work *w, const lnn_data *data, size_t first,
                        size_t count, int *pred, double *cost, const lnn_kernels *K) {
  const size_t k = (size_t)net->layer[net->nlayers - 1].n_out;
  const float *out = w->a[net->nlayers];
  size_t at, r, correct = 0;
  double c = 0.0;
  for (at = 0; at < count; at += w->cap) {
    size_t m = count - at < w->cap ? count - at : w->cap;
    lnn_data_gather_x(data, NULL, first + at, m, w->a[0], K);
    lnn_net_forward(net, w, m, NULL, K);
    for (r = 0; r < m; r++) {
      int p = lnn_argmax(out + r * k, k);
      if (pred != NULL) pred[at + r] = p;
      if (p == lnn_data_class(data, first + at + r)) correct++;
    }
    if (cost != NULL) {
      lnn_data_gather_y(data, NULL, first + at, m, w->y);
      c += lnn_net_cost(net, out, w->y, m);
    }
  }
  if (cost != NULL) *cost = c;
  return correct;
}
