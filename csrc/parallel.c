/* parallel.c -- evaluation over POSIX threads; see parallel.h. */
#include <pthread.h>

#include "parallel.h"

typedef struct eval_job {
  const lnn_net *net;
  lnn_work *w;
  const lnn_data *data;
  const lnn_kernels *K;
  size_t first, count, chunk0, step; /* chunks chunk0, chunk0 + step, ... */
  int *pred;
  double *chunk_cost;                /* NULL: no cost */
  size_t correct;
} eval_job;

static void *eval_run(void *arg) {
  eval_job *j = (eval_job *)arg;
  size_t cap = j->w->cap, c, nchunks = (j->count + cap - 1) / cap;
  j->correct = 0;
  for (c = j->chunk0; c < nchunks; c += j->step) {
    size_t at = c * cap, m = j->count - at < cap ? j->count - at : cap;
    j->correct += lnn_net_evaluate(j->net, j->w, j->data, j->first + at, m,
                                   j->pred ? j->pred + at : NULL,
                                   j->chunk_cost ? j->chunk_cost + c : NULL, j->K);
  }
  return NULL;
}

size_t lnn_net_evaluate_parallel(const lnn_net *net, lnn_work *ws, int nthreads,
                                 const lnn_data *data, size_t first, size_t count, int *pred,
                                 double *cost, double *chunk_cost, const lnn_kernels *K) {
  eval_job job[LNN_MAX_THREADS];
  pthread_t tid[LNN_MAX_THREADS];
  int started[LNN_MAX_THREADS] = {0};
  size_t cap = ws[0].cap, nchunks = (count + cap - 1) / cap, c, correct = 0;
  int t;
  if (nthreads < 1) nthreads = 1;
  if (nthreads > LNN_MAX_THREADS) nthreads = LNN_MAX_THREADS;
  if ((size_t)nthreads > nchunks) nthreads = nchunks > 0 ? (int)nchunks : 1;
  for (t = 0; t < nthreads; t++) {
    job[t].net = net;
    job[t].w = &ws[t];
    job[t].data = data;
    job[t].K = K;
    job[t].first = first;
    job[t].count = count;
    job[t].chunk0 = (size_t)t;
    job[t].step = (size_t)nthreads;
    job[t].pred = pred;
    job[t].chunk_cost = cost ? chunk_cost : NULL;
  }
  /* threads 1.. run beside this one; a thread that fails to start has its
   * chunks done here afterwards, so the result never depends on it */
  for (t = 1; t < nthreads; t++) started[t] = pthread_create(&tid[t], NULL, eval_run, &job[t]) == 0;
  eval_run(&job[0]);
  for (t = 1; t < nthreads; t++) {
    if (started[t])
      pthread_join(tid[t], NULL);
    else
      eval_run(&job[t]);
  }
  for (t = 0; t < nthreads; t++) correct += job[t].correct;
  if (cost) {
    double s = 0.0;
    for (c = 0; c < nchunks; c++) s += chunk_cost[c];
    *cost = s;
  }
  return correct;
}
