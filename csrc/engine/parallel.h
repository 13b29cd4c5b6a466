/* parallel.h -- training and evaluation over POSIX threads, bit-identical for
 * any thread count.  Evaluation reads the parameters and writes only its own
 * buffers, so items split cleanly: the data is cut into the same chunks (one
 * work buffer's capacity each) and the chunks' costs are added in order,
 * exactly as lnn_net_evaluate adds them.  Training cuts each mini-batch into
 * the chunks of lnn_step_chunks (net.h), which threads take in turn; the chunk
 * gradients are summed in a fixed tree (reduce.h) and stepped, each thread a
 * range of the parameter block.  Threads start once an epoch. */
#ifndef LNN_PARALLEL_H
#define LNN_PARALLEL_H

#include "net.h"

/* lnn_net_evaluate over items first..first+count-1 with nthreads threads,
 * thread t using ws[t] (all of the same capacity).  chunk_cost (if cost is not
 * NULL) has room for ceil(count / ws[0].cap) doubles.  Falls back to fewer
 * threads (down to the caller's alone) if threads cannot be started. */
size_t lnn_net_evaluate_parallel(const lnn_net *net, lnn_work *ws, int nthreads,
                                 const lnn_data *data, size_t first, size_t count, int *pred,
                                 double *cost, double *chunk_cost, const lnn_kernels *K);

/* Floats of memory lnn_train_epoch needs for mini-batches of `batch` items on
 * nthreads threads (the workspaces, the chunks' gradients, the masks). */
size_t lnn_train_floats(const lnn_net *net, size_t batch, int nthreads);

/* What lnn_train_epoch did (added to: zero it once, pass it to several calls):
 * how its steps ran, so a spec can tell that threads did share the work. */
typedef struct lnn_train_stats {
  size_t steps;   /* mini-batches stepped */
  size_t chunked; /* cut into chunks (lnn_step_chunks > 1) */
  size_t layered; /* one chunk shared by every thread inside the layers */
  int threads;    /* the most threads that ran an epoch */
} lnn_train_stats;

/* One epoch of mini-batch SGD over data in the order perm[0..n-1]: for each
 * mini-batch of s->batch items (the last may be shorter) the dropout masks are
 * drawn from drop (NULL: dropout layers run as at inference), each chunk's
 * gradient computed, the chunks summed, then red->sum applied (red NULL: one
 * process; else this worker computes its share, reduce.h), then the step
 * (momentum in vel, NULL when s->mu == 0).  mem: lnn_train_floats(net,
 * s->batch, nthreads) floats.  Uses at most nthreads threads (fewer when a
 * mini-batch has fewer chunks, or threads cannot start); the parameters are the
 * same bits for any count.  A mini-batch of several chunks is cut, one of one
 * chunk runs on thread 0 unless a layer is worth sharing (lnn_layer_splits):
 * then every thread takes part of each such layer.  st (NULL: none) gets the
 * counts.  Returns LNN_OK, or red->sum's status (err filled),
 * the epoch stopped before that step. */
int lnn_train_epoch(const lnn_net *net, float *mem, int nthreads, const lnn_data *data,
                    const uint32_t *perm, const lnn_sgd *s, float *vel, lnn_rng *drop,
                    const lnn_reducer *red, const lnn_kernels *K, lnn_train_stats *st,
                    lnn_error *err);

#endif
