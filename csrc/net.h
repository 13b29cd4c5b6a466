/* net.h -- the one engine: a network is an ordered list of layers over one
 * parameter block; a workspace holds a mini-batch's activations and deltas;
 * the gradient step is a separate function over the block, so a later
 * all-reduce (MPI) or another device can sit between backward and step.
 * Memory is never allocated here: the bindings own it (userdata). */
#ifndef LNN_NET_H
#define LNN_NET_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "kernels.h"
#include "lnn.h"

#define LNN_MAX_LAYERS 32

typedef enum lnn_layer_kind { LNN_LAYER_DENSE = 0 } lnn_layer_kind;

typedef enum lnn_cost {
  LNN_COST_QUADRATIC = 0,     /* 0.5 ||a - y||^2, any point-wise output */
  LNN_COST_CROSS_ENTROPY = 1, /* sigmoid outputs */
  LNN_COST_LOG_LIKELIHOOD = 2 /* softmax output */
} lnn_cost;

typedef struct lnn_layer {
  int kind;        /* lnn_layer_kind */
  int act;         /* lnn_act applied to the layer's output */
  int n_in, n_out; /* features per item */
  size_t w, b;     /* offsets in the block: W (n_out x n_in, W[j][k] from input k to output j), b (n_out) */
} lnn_layer;

typedef struct lnn_net {
  int nlayers;
  int cost;        /* lnn_cost */
  size_t nparams;  /* floats in the block */
  float *params;   /* the block, owned by the caller */
  lnn_layer layer[LNN_MAX_LAYERS];
} lnn_net;

/* Lays out a fully connected network sizes[0] -> ... -> sizes[nsizes-1]:
 * hidden layers use hidden_act, the last out_act.  Sets everything but params. */
int lnn_net_layout_dense(lnn_net *net, const int *sizes, int nsizes, lnn_act hidden_act,
                         lnn_act out_act, lnn_cost cost, lnn_error *err);

/* Mini-batch buffers carved from one block of lnn_work_floats() floats. */
typedef struct lnn_work {
  size_t cap;                        /* rows (items) it holds */
  float *a[LNN_MAX_LAYERS + 1];      /* a[0] input batch; a[l+1] output of layer l (cap x n_out) */
  float *d[LNN_MAX_LAYERS + 1];      /* d[l+1]: dC/dz of layer l (cap x n_out); d[0] unused */
  float *y;                          /* targets (cap x outputs) */
  float *grad;                       /* nparams, same layout as the block */
} lnn_work;

size_t lnn_work_floats(const lnn_net *net, size_t cap);
void lnn_work_carve(lnn_work *w, const lnn_net *net, size_t cap, float *mem);

/* w->a[1..] from w->a[0] for m <= cap rows. */
void lnn_net_forward(const lnn_net *net, lnn_work *w, size_t m, const lnn_kernels *K);
/* w->grad += gradient of the summed cost of m rows (after forward; targets in w->y). */
void lnn_net_backward(const lnn_net *net, lnn_work *w, size_t m, const lnn_kernels *K);
/* Summed cost of m rows of outputs a against targets y (no L2 term). */
double lnn_net_cost(const lnn_net *net, const float *a, const float *y, size_t m);
/* Sum of the squares of every weight (not biases): the L2 term's sum. */
double lnn_net_weight_sqsum(const lnn_net *net);

typedef struct lnn_sgd {
  float eta;     /* learning rate */
  float lmbda;   /* L2 strength; 0 = none */
  float mu;      /* momentum coefficient; 0 = plain SGD */
  size_t n;      /* training set size, for the L2 decay eta*lmbda/n */
  size_t batch;  /* mini-batch size */
} lnn_sgd;

/* One step for a mini-batch of m items whose summed gradient is grad:
 *   v = mu v - (eta/m) grad - (eta lmbda/n) w   (no decay on biases)
 *   w = w + v           (vel NULL when mu == 0: w = (1 - eta lmbda/n) w - (eta/m) grad) */
void lnn_sgd_step(const lnn_net *net, const float *grad, float *vel, size_t m, const lnn_sgd *s);

/* backward and a plain SGD step (mu = 0) fused: each layer's weights are
 * updated as soon as the delta below them is known, so no gradient block is
 * written or read.  Same arithmetic as backward + lnn_sgd_step with vel NULL,
 * summed in another order.  A data-parallel run (gradients all-reduced between
 * backward and step) uses the two separate calls instead. */
void lnn_net_backward_step(const lnn_net *net, lnn_work *w, size_t m, const lnn_sgd *s,
                           const lnn_kernels *K);

/* One epoch over data in the order perm[0..n-1]: gather, forward, backward,
 * step, one mini-batch after another (the last one may be shorter). */
void lnn_train_epoch(const lnn_net *net, lnn_work *w, const lnn_data *data, const uint32_t *perm,
                     const lnn_sgd *s, float *vel, const lnn_kernels *K);

/* Classes predicted for items first..first+count-1 (pred may be NULL); returns
 * how many equal lnn_data_class.  *cost (if not NULL) gets the summed cost. */
size_t lnn_net_evaluate(const lnn_net *net, lnn_work *w, const lnn_data *data, size_t first,
                        size_t count, int *pred, double *cost, const lnn_kernels *K);

#endif
