/* accumulate.c -- SGD with gradients accumulated over k mini-batches; see
 * accumulate.h.  It does not use threads: under MPI each rank is one thread,
 * and the point is fewer synchronisations, not a faster step. */
#include <string.h>

#include "accumulate.h"

/* The gradient blocks the tree needs at once: a stack of subtree sums of
 * distinct heights, at most log2(slots) + 1 (DEPTH for 16 slots). */
#define DEPTH 5
static int stack_blocks(int slots) {
  int d = 1;
  while ((1 << (d - 1)) < slots) d++;
  return d;
}

/* the workspace (its masks, its gradient block: the tree's first) and the
 * tree's other blocks */
size_t lnn_accumulate_floats(const lnn_net *net, size_t batch, int k, int P) {
  return lnn_work_floats(net, lnn_accumulate_cap(batch, k)) +
         (size_t)(stack_blocks(lnn_accumulate_chunks(k) / P) - 1) * net->nparams;
}

static void fill_identity(float *g, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) g[i] = -0.0f; /* x + -0.0 == x for every x, -0.0 included */
}

/* lnn_reduce_tree over the q slots (chunks) of a group, computed as the slots
 * come: a stack of subtree sums, two of the same height merged at once (lower
 * slots first, as the tree adds them); the subtrees left at the end are merged
 * from the top of the stack down, as the tree adds them to its missing
 * siblings (lnn_reduce_tree of a count that is no power of two).  The merges are listed first (a plan) and then applied to a range
 * of the block: the last mini-batch's are applied a bucket at a time, as its
 * backward pass finishes the bucket's layers. */
typedef struct tree_stack {
  float *blk[DEPTH];
  int height[DEPTH];
  int top;                                  /* entries */
  int nops, dst[2 * DEPTH], src[2 * DEPTH];
} tree_stack;

static void plan_merge(tree_stack *t) {
  t->dst[t->nops] = t->top - 2;
  t->src[t->nops++] = t->top - 1;
  t->top--;
}

/* a slot's gradient is in blk[top]: the merges its arrival makes */
static void stack_push(tree_stack *t) {
  t->height[t->top++] = 0;
  while (t->top >= 2 && t->height[t->top - 1] == t->height[t->top - 2]) {
    t->height[t->top - 2]++;
    plan_merge(t);
  }
}

/* the merges that end the group: blk[0] then holds the sum */
static void stack_close(tree_stack *t) {
  while (t->top >= 2) plan_merge(t);
}

static void plan_apply(const tree_stack *t, size_t lo, size_t hi) {
  int o;
  size_t i;
  for (o = 0; o < t->nops; o++) {
    float *a = t->blk[t->dst[o]];
    const float *b = t->blk[t->src[o]];
    for (i = lo; i < hi; i++) a[i] += b[i];
  }
}

/* Floats per bucket, at least: the layers' gradients are sent in buckets of
 * whole layers, from the last layer down (PyTorch DDP's 25 MB buckets, for
 * networks a thousand times smaller). */
#define BUCKET_FLOATS 16384

/* The overlapped sum of the last mini-batch of a group: on_layer's context */
typedef struct overlap_ctx {
  const lnn_net *net;
  const lnn_reducer *red;
  tree_stack *st;
  int closes[LNN_LIMIT_LAYERS]; /* closes[l]: a bucket ends at layer l ... */
  size_t lo[LNN_LIMIT_LAYERS];  /* ... and starts at parameter lo[l] */
  size_t hi;                    /* the end of the next bucket to send */
  int status;
  lnn_error *err;
} overlap_ctx;

static void layer_span(const lnn_net *net, int l, size_t *lo, size_t *hi) {
  const lnn_layer *L = &net->layer[l];
  *lo = L->w;
  *hi = L->b + lnn_layer_nbiases(L);
}

/* buckets of whole layers from the last down, each at least BUCKET_FLOATS
 * (the first layer's bucket whatever it holds) */
static void plan_buckets(overlap_ctx *o) {
  const lnn_net *net = o->net;
  size_t lo, hi, top = 0;
  int l, open = 0;
  for (l = net->nlayers - 1; l >= 0; l--) {
    layer_span(net, l, &lo, &hi);
    if (!open) top = hi, open = 1;
    o->closes[l] = l == 0 || top - lo >= BUCKET_FLOATS;
    o->lo[l] = lo;
    if (o->closes[l]) open = 0;
  }
}

/* the bucket's final sum on this process, then its sum over the processes
 * started; every process starts the same buckets in the same order */
static void send_bucket(overlap_ctx *o, size_t lo) {
  if (o->status != LNN_OK) return;
  plan_apply(o->st, lo, o->hi);
  o->status = o->red->start(o->red->ctx, o->st->blk[0] + lo, o->hi - lo, o->err);
  o->hi = lo;
}

static void on_layer(void *ctx, int l) {
  overlap_ctx *o = (overlap_ctx *)ctx;
  if (o->closes[l]) send_bucket(o, o->lo[l]);
  else o->red->poke(o->red->ctx);
}

int lnn_accumulate_chunks(int k) { return k < LNN_ACCUMULATE_CHUNKS ? k : LNN_ACCUMULATE_CHUNKS; }

int lnn_accumulate_shares(int k, int P) {
  const int c = lnn_accumulate_chunks(k), q = c / P;
  return P == 1 || (P > 1 && c % P == 0 && (q & (q - 1)) == 0);
}

size_t lnn_accumulate_cap(size_t batch, int k) {
  const size_t c = (size_t)lnn_accumulate_chunks(k);
  return ((size_t)k * batch + c - 1) / c;
}

/* the sum over the processes of a group's whole block, its buckets started
 * from the last layer down (a process with no items for its last chunk) */
static void send_all(overlap_ctx *o) {
  int l;
  o->hi = o->net->nparams, o->status = LNN_OK;
  for (l = o->net->nlayers - 1; l >= 0; l--)
    if (o->closes[l]) send_bucket(o, o->lo[l]);
}

int lnn_train_epoch_accumulate(const lnn_net *net, float *mem, const lnn_data *data,
                               const uint32_t *perm, const lnn_sgd *s, int k, int overlap,
                               float *vel, lnn_rng *drop, const lnn_reducer *red,
                               const lnn_kernels *K, lnn_error *err) {
  const int P = red != NULL ? red->size : 1, r = red != NULL ? red->rank : 0;
  const int c = lnn_accumulate_chunks(k), q = c / P, depth = stack_blocks(q);
  const size_t group = (size_t)k * s->batch, np = net->nparams;
  const size_t cap = lnn_accumulate_cap(s->batch, k);
  const int drawn = drop != NULL && lnn_net_has_dropout(net);
  tree_stack st;
  overlap_ctx ov;
  lnn_work w;
  size_t first;
  int j;
  lnn_work_carve(&w, net, cap, mem);
  mem += lnn_work_floats(net, cap);
  st.blk[0] = w.grad;
  for (j = 1; j < depth; j++, mem += np) st.blk[j] = mem;
  overlap = overlap && red != NULL;
  if (overlap) {
    memset(&ov, 0, sizeof ov);
    ov.net = net, ov.red = red, ov.st = &st, ov.err = err;
    plan_buckets(&ov);
  }
  for (first = 0; first < data->n; first += group) {
    const size_t g = data->n - first < group ? data->n - first : group;
    int status;
    st.top = 0;
    for (j = 0; j < c; j++) { /* every chunk draws its masks, on every process */
      const size_t a = g * (size_t)j / (size_t)c, mj = g * (size_t)(j + 1) / (size_t)c - a;
      const int last = j == (r + 1) * q - 1;
      if (drawn) lnn_net_draw_masks(net, w.mask, mj, drop);
      if (j < r * q || j >= (r + 1) * q) continue;
      w.grad = st.blk[st.top];
      st.nops = 0;
      stack_push(&st);
      if (last) stack_close(&st);
      if (mj == 0) { /* a group shorter than its chunks: the identity */
        fill_identity(w.grad, np);
        if (last && overlap) send_all(&ov);
        else plan_apply(&st, 0, np);
        continue;
      }
      lnn_data_gather_x(data, perm + first + a, 0, mj, w.a[0], K);
      lnn_data_gather_y(data, perm + first + a, 0, mj, w.y);
      lnn_net_forward_drawn(net, &w, mj, drawn, K);
      memset(w.grad, 0, np * sizeof(float));
      if (last && overlap) { /* the buckets go as backward finishes them */
        ov.hi = np, ov.status = LNN_OK;
        w.on_layer = on_layer, w.on_layer_ctx = &ov;
        lnn_net_backward(net, &w, mj, K);
        w.on_layer = NULL;
      } else {
        lnn_net_backward(net, &w, mj, K);
        plan_apply(&st, 0, np);
      }
    }
    if (overlap) {
      status = red->finish(red->ctx, err);
      if (ov.status != LNN_OK) return ov.status;
      if (status != LNN_OK) return status;
    } else if (red != NULL && (status = red->tree(red->ctx, st.blk[0], np, err)) != LNN_OK) {
      return status;
    }
    lnn_sgd_step(net, st.blk[0], vel, g, s);
  }
  return LNN_OK;
}
