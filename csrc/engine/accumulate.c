/* accumulate.c -- SGD with gradients accumulated over k mini-batches; see
 * accumulate.h.  It does not use threads: under MPI each rank is one thread,
 * and the point is fewer synchronisations, not a faster step. */
#include <string.h>

#include "accumulate.h"

/* The gradient blocks the tree needs at once: a stack of subtree sums of
 * distinct heights, at most log2(slots) + 1. */
static int stack_blocks(int slots) {
  int d = 1;
  while ((1 << (d - 1)) < slots) d++;
  return d;
}

/* the workspace (its masks, its gradient block: the tree's first) and the
 * tree's other blocks */
size_t lnn_accumulate_floats(const lnn_net *net, size_t batch, int slots) {
  return lnn_work_floats(net, batch) + (size_t)(stack_blocks(slots) - 1) * net->nparams;
}

static void fill_identity(float *g, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) g[i] = -0.0f; /* x + -0.0 == x for every x, -0.0 included */
}

static void add(float *a, const float *b, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) a[i] += b[i];
}

/* lnn_reduce_tree over the q slots of a group, computed as
 * the slots come: a stack of subtree sums, two of the same height merged at
 * once (lower slots first, as the tree adds them).  A slot past the end of the
 * data is -0.0, the identity, so it is skipped; the subtrees left at the end
 * are merged from the top of the stack down, as the tree would add them to
 * identity-filled siblings. */
typedef struct tree_stack {
  float *blk[LNN_LIMIT_ACCUMULATE_DEPTH];
  int height[LNN_LIMIT_ACCUMULATE_DEPTH];
  int top; /* entries */
} tree_stack;

static void stack_push(tree_stack *t, size_t n) {
  t->height[t->top++] = 0;
  while (t->top >= 2 && t->height[t->top - 1] == t->height[t->top - 2]) {
    add(t->blk[t->top - 2], t->blk[t->top - 1], n);
    t->height[t->top - 2]++;
    t->top--;
  }
}

static float *stack_sum(tree_stack *t, size_t n) {
  if (t->top == 0) {
    fill_identity(t->blk[0], n);
    return t->blk[0];
  }
  for (; t->top >= 2; t->top--) add(t->blk[t->top - 2], t->blk[t->top - 1], n);
  return t->blk[0];
}

int lnn_train_epoch_accumulate(const lnn_net *net, float *mem, const lnn_data *data,
                               const uint32_t *perm, const lnn_sgd *s, int k, float *vel,
                               lnn_rng *drop, const lnn_reducer *red, const lnn_kernels *K,
                               lnn_error *err) {
  const int P = red != NULL ? red->size : 1, r = red != NULL ? red->rank : 0, q = k / P;
  const size_t m = s->batch, group = (size_t)k * m, np = net->nparams;
  const int drawn = drop != NULL && lnn_net_has_dropout(net), depth = stack_blocks(q);
  tree_stack st;
  lnn_work w;
  size_t first;
  int j;
  lnn_work_carve(&w, net, m, mem);
  mem += lnn_work_floats(net, m);
  st.blk[0] = w.grad;
  for (j = 1; j < depth; j++, mem += np) st.blk[j] = mem;
  for (first = 0; first < data->n; first += group) {
    const size_t g = data->n - first < group ? data->n - first : group;
    const int nb = (int)((g + m - 1) / m);
    float *sum;
    int status;
    st.top = 0;
    for (j = 0; j < nb; j++) {
      const size_t at = first + (size_t)j * m, mj = g - (size_t)j * m < m ? g - (size_t)j * m : m;
      if (drawn) lnn_net_draw_masks(net, w.mask, mj, drop); /* every process, every mini-batch */
      if (j < r * q || j >= (r + 1) * q) continue;
      lnn_data_gather_x(data, perm + at, 0, mj, w.a[0], K);
      lnn_data_gather_y(data, perm + at, 0, mj, w.y);
      lnn_net_forward_drawn(net, &w, mj, drawn, K);
      w.grad = st.blk[st.top];
      memset(w.grad, 0, np * sizeof(float));
      lnn_net_backward(net, &w, mj, K);
      stack_push(&st, np);
    }
    sum = stack_sum(&st, np);
    if (red != NULL && (status = red->tree(red->ctx, sum, np, err)) != LNN_OK) return status;
    lnn_sgd_step(net, sum, vel, g, s);
  }
  return LNN_OK;
}
