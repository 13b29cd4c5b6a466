/* parallel.h -- forward-only work spread over threads.  Evaluation reads the
 * parameters and writes only its own buffers, so items split cleanly; the
 * result is bit-identical for any thread count because the data is cut into
 * the same chunks (one work buffer's capacity each) and the chunks' costs are
 * added in order, exactly as lnn_net_evaluate adds them. */
#ifndef LNN_PARALLEL_H
#define LNN_PARALLEL_H

#include "net.h"

/* The most threads lnn_net_evaluate_parallel uses. */
#define LNN_MAX_THREADS 16

/* lnn_net_evaluate over items first..first+count-1 with nthreads threads,
 * thread t using ws[t] (all of the same capacity).  chunk_cost (if cost is not
 * NULL) has room for ceil(count / ws[0].cap) doubles.  Falls back to fewer
 * threads (down to the caller's alone) if threads cannot be started. */
size_t lnn_net_evaluate_parallel(const lnn_net *net, lnn_work *ws, int nthreads,
                                 const lnn_data *data, size_t first, size_t count, int *pred,
                                 double *cost, double *chunk_cost, const lnn_kernels *K);

#endif
