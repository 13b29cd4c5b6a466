/* reduce.h -- summing the gradients of the workers of one training step.
 * A step of lnn_train_epoch is: each worker computes the gradient of its share
 * of the mini-batch (lnn_net_backward), the shares are summed (here), every
 * worker applies the same step (lnn_sgd_step).  Two levels, each with a fixed
 * order so that results never depend on how many threads or ranks run:
 *  - inside one process the mini-batch is cut into chunks that depend on the
 *    problem only (lnn_step_chunks, net.h); the chunks' gradients are summed in
 *    the fixed pairwise tree of lnn_reduce_tree, whatever thread made each;
 *  - across processes an lnn_reducer (e.g. MPI_Allreduce, the optional lnn.mpi
 *    module) sums each worker's block once per step.
 * Nothing here allocates, starts threads or knows about MPI. */
#ifndef LNN_REDUCE_H
#define LNN_REDUCE_H

#include <stddef.h>

#include "base/lnn.h"

/* The cross-process part of a step, handed to lnn_train_epoch (NULL: one
 * process).  Every worker runs the same epoch over the same permutation and
 * dropout generator (identical seeds); worker `rank` of `size` computes the
 * gradient of items [m rank / size, m (rank + 1) / size) of every mini-batch of
 * m items (its share), then sum() must leave in buf the sum of all workers'
 * bufs, the same bits on every worker; then each applies the step with the
 * whole mini-batch's m.  sum returns LNN_OK, or a status with err filled (the
 * epoch then stops before the step).  An MPI implementation is one call:
 * MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, comm). */
typedef struct lnn_reducer {
  int rank, size; /* 0 <= rank < size */
  int (*sum)(void *ctx, float *buf, size_t n, lnn_error *err);
  void *ctx;
  /* The same sum in a fixed order: lnn_reduce_tree's over the workers' bufs
   * in rank order, so the result is the bits one process gets from the same
   * tree (lnn_train_epoch_accumulate needs it; NULL where it is not offered).
   * Two workers: any sum is bufs[0] + bufs[1], so MPI_Allreduce is one. */
  int (*tree)(void *ctx, float *buf, size_t n, lnn_error *err);
  /* The same tree sum, nonblocking, in parts (buckets): start begins the sum
   * of buf[0..n) (every worker starts the same parts in the same order),
   * poke lets the started sums progress (MPI moves a message only inside an
   * MPI call), finish waits for all of them; each part gets the bits tree
   * would give it.  At most LNN_LIMIT_LAYERS parts in flight.  NULL where not
   * offered. */
  int (*start)(void *ctx, float *buf, size_t n, lnn_error *err);
  void (*poke)(void *ctx);
  int (*finish)(void *ctx, lnn_error *err);
} lnn_reducer;

/* bufs[0][lo..hi-1] = the sum of bufs[0..nbufs-1][lo..hi-1] in a fixed
 * pairwise tree: bufs[i] += bufs[i + s] for s = 1, 2, 4, ... and i a multiple of
 * 2s.  Each element's sum depends only on nbufs, so disjoint ranges can be
 * summed by different threads without changing a bit. */
void lnn_reduce_tree(float *const *bufs, int nbufs, size_t lo, size_t hi);

#endif
