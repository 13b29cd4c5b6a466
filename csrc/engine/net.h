/* net.h -- the one engine: a network is an ordered list of layers over one
 * parameter block; a workspace holds a mini-batch's activations and deltas.
 * A training step is four separate pieces: the gradient of a share of the
 * mini-batch (lnn_net_backward), the sum of the shares (reduce.h: a fixed tree
 * over the chunks of lnn_step_chunks inside a process, an lnn_reducer such as
 * MPI_Allreduce across processes), the step over the block (lnn_sgd_step),
 * and lnn_train_epoch (parallel.h) driving them over threads.
 * Memory is never allocated here: the bindings own it (userdata). */
#ifndef LNN_NET_H
#define LNN_NET_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/lnn.h"
#include "data.h"
#include "kernels.h"
#include "reduce.h"
#include "rng.h"

typedef enum lnn_layer_kind {
  LNN_LAYER_DENSE = 0,    /* out = f(in W^T + b) */
  LNN_LAYER_CONVPOOL = 1, /* out = f(maxpool(conv(in, W)) + b): network3.py's ConvPoolLayer */
  LNN_LAYER_DROPOUT = 2   /* out = in * mask: mask 0 or 1 (kept with 1 - p) in training,
                             1 - p at inference, as network3.py scales at inference */
} lnn_layer_kind;

typedef enum lnn_cost {
  LNN_COST_QUADRATIC = 0,     /* 0.5 ||a - y||^2, any point-wise output */
  LNN_COST_CROSS_ENTROPY = 1, /* sigmoid outputs */
  LNN_COST_LOG_LIKELIHOOD = 2 /* softmax output */
} lnn_cost;

typedef struct lnn_layer {
  int kind;        /* lnn_layer_kind */
  int act;         /* lnn_act applied to the layer's output (linear for dropout) */
  int n_in, n_out; /* features per item */
  size_t w, b;     /* offsets in the block.  dense: W (n_out x n_in, W[j][k] from input k to
                      output j), b (n_out); conv-pool: W (f x c x kh x kw), b (f), one bias a
                      filter; dropout: no parameters */
  lnn_conv conv;   /* conv-pool: input image, filters and pool (n_in = c h w, n_out = f qh qw) */
  float p;         /* dropout: probability of dropping an input */
} lnn_layer;

typedef struct lnn_net {
  int nlayers;
  int cost;        /* lnn_cost */
  size_t nparams;  /* floats in the block */
  float *params;   /* the block, owned by the caller */
  lnn_layer layer[LNN_LIMIT_LAYERS];
} lnn_net;

/* Lays out the layers spec[0..n-1] in order: the caller fills kind and act,
 * and n_in, n_out (dense), conv (conv-pool) or n_in and p (dropout); the rest
 * (the other sizes, offsets, nparams) is derived here.  Each layer's input
 * must be the previous one's output; errors name the layer.  Sets everything
 * but params. */
int lnn_net_layout(lnn_net *net, const lnn_layer *spec, int n, lnn_cost cost, lnn_error *err);

/* Number of weights (decayed by L2) and biases of a layer. */
size_t lnn_layer_nweights(const lnn_layer *L);
size_t lnn_layer_nbiases(const lnn_layer *L);

/* Lays out a fully connected network sizes[0] -> ... -> sizes[nsizes-1]:
 * hidden layers use hidden_act, the last out_act.  Sets everything but params. */
int lnn_net_layout_dense(lnn_net *net, const int *sizes, int nsizes, lnn_act hidden_act,
                         lnn_act out_act, lnn_cost cost, lnn_error *err);

/* Mini-batch buffers carved from one block of lnn_work_floats() floats. */
typedef struct lnn_work {
  size_t cap;                        /* rows (items) it holds */
  float *a[LNN_LIMIT_LAYERS + 1];    /* a[0] input batch; a[l+1] output of layer l (cap x n_out) */
  float *d[LNN_LIMIT_LAYERS + 1];    /* d[l+1]: dC/dz of layer l (cap x n_out); d[0] unused */
  float *y;                          /* targets (cap x outputs) */
  float *grad;                       /* nparams, same layout as the block */
  /* per layer, NULL where the kind needs none: */
  int32_t *arg[LNN_LIMIT_LAYERS];    /* conv-pool: argmax of each output (cap x n_out) */
  float *scratch[LNN_LIMIT_LAYERS];  /* conv-pool: the kernels' (lnn_conv_scratch_floats) */
  float *mask[LNN_LIMIT_LAYERS];     /* dropout: multiplier of each input (cap x n_in) */
  /* lnn_net_backward calls on_layer(on_layer_ctx, l) once layer l's part of
   * grad is final (layers go from the last down): a data-parallel step starts
   * summing it over the processes while the layers below are computed.  NULL
   * (lnn_work_carve's) for none. */
  void (*on_layer)(void *ctx, int l);
  void *on_layer_ctx;
} lnn_work;

size_t lnn_work_floats(const lnn_net *net, size_t cap);
void lnn_work_carve(lnn_work *w, const lnn_net *net, size_t cap, float *mem);

/* w->a[1..] from w->a[0] for m <= cap rows.  drop: the generator of dropout
 * masks (training, lnn_net_draw_masks into w->mask); NULL runs at inference
 * (inputs scaled by 1 - p). */
void lnn_net_forward(const lnn_net *net, lnn_work *w, size_t m, lnn_rng *drop,
                     const lnn_kernels *K);
/* The same with the dropout masks already in w->mask (drawn != 0), or at
 * inference (drawn == 0). */
void lnn_net_forward_drawn(const lnn_net *net, lnn_work *w, size_t m, int drawn,
                           const lnn_kernels *K);
/* mask[l] (m x n_in of each dropout layer l; other entries unused) = 1 with
 * probability 1 - p, else 0: layer after layer, row after row, from drop.  A
 * whole mini-batch is drawn at once before it is cut into chunks, so the
 * masks never depend on the chunks or the threads. */
void lnn_net_draw_masks(const lnn_net *net, float *const *mask, size_t m, lnn_rng *drop);
int lnn_net_has_dropout(const lnn_net *net);
/* w->grad += gradient of the summed cost of m rows (right after forward, whose
 * dropout masks it uses; targets in w->y). */
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
/* The same for the parameters lo..hi-1 of the block only: every parameter's
 * step depends on its own gradient (and velocity) alone, so threads can step
 * disjoint ranges without changing a bit. */
void lnn_sgd_step_range(const lnn_net *net, const float *grad, float *vel, size_t m,
                        const lnn_sgd *s, size_t lo, size_t hi);

/* backward and a plain SGD step (mu = 0) fused: each layer's weights are
 * updated as soon as the delta below them is known, so no gradient block is
 * written or read.  Same arithmetic as backward + lnn_sgd_step with vel NULL,
 * summed in another order.  A data-parallel run (gradients all-reduced between
 * backward and step) uses the two separate calls instead. */
void lnn_net_backward_step(const lnn_net *net, lnn_work *w, size_t m, const lnn_sgd *s,
                           const lnn_kernels *K);

/* Multiply-adds x 2 of one item's training step (forward, weight gradient,
 * input delta below the first layer; a conv-pool layer counted dense). */
double lnn_net_item_flops(const lnn_net *net);

/* The cut of a share of m items of a mini-batch into chunks, the unit of work
 * of a training step: returns nc, and chunk c holds items [m c / nc,
 * m (c + 1) / nc).  It depends on the network and m only -- never on the
 * threads -- so the chunk gradients and their fixed-tree sum (reduce.h) give
 * the same bits on any number of threads.  nc is the largest power of two (so
 * that 2 or 4 threads share the items evenly) within 1..min(m, LNN_MAX_CHUNKS)
 * that leaves every chunk LNN_CHUNK_FLOPS of work and LNN_CHUNK_FLOPS_PER_PARAM
 * per parameter (each chunk writes and sums a gradient block): a step too
 * small to share is one chunk, computed (and stepped) as one pass on one
 * thread. */
#ifndef LNN_CHUNK_FLOPS /* -D for measuring where the line lies; changing it changes results */
#define LNN_CHUNK_FLOPS 4e6
#endif
#ifndef LNN_CHUNK_FLOPS_PER_PARAM
#define LNN_CHUNK_FLOPS_PER_PARAM 300.0
#endif
#define LNN_MAX_CHUNKS 16
int lnn_step_chunks(const lnn_net *net, size_t m);

/* A step shared by T threads inside each layer (parallel.c, when the step is
 * one chunk): part t of T of each layer's work, every output element computed
 * by exactly one part in the same order as one thread does, so the bits are
 * those of T = 1 (which is the whole layer: lnn_net_forward_drawn and the
 * backwards above are these with t = 0, T = 1).  w is the step's workspace
 * (activations, deltas, w->grad), own thread t's (its conv scratch).  A dense
 * layer is cut by output columns forward, and backward by rows of W (its
 * gradient or step) and columns of the delta below (a softmax layer runs
 * whole on part 0), a conv-pool layer by items forward and
 * by filters (weight gradient) and items (delta below) backward, dropout runs
 * on part 0.  The parts of a layer need the layer below's whole output (and
 * the layer above's whole delta): the caller waits between layers. */
void lnn_layer_forward_part(const lnn_net *net, lnn_work *w, const lnn_work *own, int l,
                            size_t m, int drawn, int t, int T, const lnn_kernels *K);
/* w->d of the output layer from its outputs and w->y (one thread) */
void lnn_output_delta(const lnn_net *net, lnn_work *w, size_t m, const lnn_kernels *K);
/* part t of layer l's backward: w->grad += its gradient, w->d[l] its delta */
void lnn_layer_backward_part(const lnn_net *net, lnn_work *w, const lnn_work *own, int l,
                             size_t m, int t, int T, const lnn_kernels *K);
/* part t of layer l's backward with its plain step fused (lnn_net_backward_step).
 * Returns 1 when the step must wait until every part is done (the delta below
 * reads every weight), then lnn_layer_step_part. */
int lnn_layer_backward_step_part(const lnn_net *net, lnn_work *w, const lnn_work *own, int l,
                                 size_t m, const lnn_sgd *s, int t, int T, const lnn_kernels *K);
void lnn_layer_step_part(const lnn_net *net, const lnn_work *w, int l, size_t m,
                         const lnn_sgd *s, int t, int T, const lnn_kernels *K);
/* Whether layer l is worth cutting into parts at m items: a dense (not
 * softmax) or conv-pool layer of at least LNN_SPLIT_FLOPS forward (each cut
 * costs a wait of every thread) whose weights are at most LNN_SPLIT_WEIGHTS
 * floats: every part reads weights that other parts step, so each step moves
 * them between the cores' caches, which for the 6.7 net's 640x1000 and
 * 1000x1000 layers cost more than the work shared (docs/parallel.md has the
 * measurement).  A layer not cut runs on thread 0 alone. */
#ifndef LNN_SPLIT_FLOPS
#define LNN_SPLIT_FLOPS 1e6
#endif
#ifndef LNN_SPLIT_WEIGHTS
#define LNN_SPLIT_WEIGHTS 65536
#endif
int lnn_layer_splits(const lnn_net *net, int l, size_t m);

/* Classes predicted for items first..first+count-1 (pred may be NULL); returns
 * how many equal lnn_data_class.  *cost (if not NULL) gets the summed cost. */
size_t lnn_net_evaluate(const lnn_net *net, lnn_work *w, const lnn_data *data, size_t first,
                        size_t count, int *pred, double *cost, const lnn_kernels *K);

#endif
