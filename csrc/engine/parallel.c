/* parallel.c -- training (lnn_train_epoch: the chunks of each mini-batch, the
 * fixed-tree sum, the step) and evaluation over POSIX threads; see parallel.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

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
  eval_job job[LNN_LIMIT_RUN_THREADS];
  pthread_t tid[LNN_LIMIT_RUN_THREADS];
  int started[LNN_LIMIT_RUN_THREADS] = {0};
  size_t cap = ws[0].cap, nchunks = (count + cap - 1) / cap, c, correct = 0;
  int t;
  if (nthreads < 1) nthreads = 1;
  if (nthreads > LNN_LIMIT_RUN_THREADS) nthreads = LNN_LIMIT_RUN_THREADS;
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

/* ---- training ---- */

/* A barrier whose count is set once the threads that did start are known.
 * A step of a small network lasts well under a millisecond, and waking a
 * sleeping thread costs tens of microseconds (more on a virtual machine, where
 * the wake-up is an interrupt to another virtual CPU), three times a step: so
 * a waiter first spins on the generation for up to SPIN_NS, and only then
 * sleeps on the condition variable (a step shared inside the layers, the
 * 6.7 net's, leaves the other threads idle about a millisecond while thread
 * 0 runs the dense layers: 2 ms here measured 1.09-1.11x against 1.03-1.04x
 * on a quiet machine, but a waiter spinning 2 ms while its partner waits for
 * a core another job holds made a loaded machine's run 10 times slower;
 * docs/parallel.md).  The last to arrive resets the count, then publishes
 * the next generation (release), then wakes any sleepers. */
typedef struct barrier {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int n;
  atomic_int waiting;
  atomic_uint gen;
} barrier;

#ifndef LNN_SPIN_NS /* -D for measuring; the results never depend on it */
#define LNN_SPIN_NS 200000.0
#endif
#define SPIN_NS LNN_SPIN_NS

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return 1e9 * (double)t.tv_sec + (double)t.tv_nsec;
}

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static void barrier_wait(barrier *b) {
  const unsigned gen = atomic_load_explicit(&b->gen, memory_order_acquire);
  double until;
  int i;
  if (atomic_fetch_add_explicit(&b->waiting, 1, memory_order_acq_rel) + 1 >= b->n) {
    atomic_store_explicit(&b->waiting, 0, memory_order_relaxed);
    pthread_mutex_lock(&b->mu);
    atomic_fetch_add_explicit(&b->gen, 1, memory_order_release);
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    return;
  }
  until = now_ns() + SPIN_NS;
  do
    for (i = 0; i < 64; i++) {
      if (atomic_load_explicit(&b->gen, memory_order_acquire) != gen) return;
      cpu_relax();
    }
  while (now_ns() < until);
  pthread_mutex_lock(&b->mu);
  while (atomic_load_explicit(&b->gen, memory_order_acquire) == gen) pthread_cond_wait(&b->cv, &b->mu);
  pthread_mutex_unlock(&b->mu);
}

typedef struct train_ctx {
  const lnn_net *net;
  const lnn_data *data;
  const uint32_t *perm;
  const lnn_sgd *s;
  float *vel;
  const lnn_reducer *red;
  const lnn_kernels *K;
  lnn_work *ws;                      /* one per thread */
  float *grads[LNN_MAX_CHUNKS];      /* one per chunk */
  float *mask[LNN_LIMIT_LAYERS];     /* the mini-batch's masks per dropout layer */
  int drawn;                         /* masks drawn (training with dropout) */
  int T;                             /* threads running */
  barrier bar;
  /* the step under way, set by thread 0 between steps */
  size_t first, m, lo, hi;           /* mini-batch perm[first..first+m-1], share lo..hi-1 */
  int nc, stop, status;
  int layered;                       /* the step is one chunk shared inside the layers */
  lnn_error *err;
} train_ctx;

/* the workspace of thread t for items a..b-1 of the mini-batch: inputs,
 * targets, the masks' rows */
static size_t load_chunk(train_ctx *x, lnn_work *w, size_t a, size_t b) {
  const uint32_t *idx = x->perm + x->first + a;
  int l;
  lnn_data_gather_x(x->data, idx, 0, b - a, w->a[0], x->K);
  lnn_data_gather_y(x->data, idx, 0, b - a, w->y);
  if (x->drawn)
    for (l = 0; l < x->net->nlayers; l++)
      if (x->mask[l] != NULL) w->mask[l] = x->mask[l] + a * (size_t)x->net->layer[l].n_in;
  return b - a;
}

/* the range of the parameter block thread t of T steps (cache-line aligned) */
static void param_range(size_t n, int t, int T, size_t *lo, size_t *hi) {
  *lo = (n * (size_t)t / (size_t)T) & ~(size_t)15;
  *hi = t + 1 == T ? n : (n * (size_t)(t + 1) / (size_t)T) & ~(size_t)15;
}

#define STEP_BLOCK 2048

/* thread t's part of a step of several chunks; the step's fields are read
 * before the first barrier, as thread 0 changes them only after the last */
static void chunked_step(train_ctx *x, int t) {
  const lnn_net *net = x->net;
  const size_t share = x->hi - x->lo, lo = x->lo, m = x->m;
  const int nc = x->nc, T = x->T;
  lnn_work *w = &x->ws[t];
  size_t p0, p1;
  int c;
  /* thread t takes a contiguous run of chunks: with nc a power of two, 2 or 4
   * threads get the same number of items */
  for (c = nc * t / T; c < nc * (t + 1) / T; c++) {
    size_t a = lo + share * (size_t)c / (size_t)nc, b = lo + share * (size_t)(c + 1) / (size_t)nc;
    size_t n = load_chunk(x, w, a, b);
    w->grad = x->grads[c];
    memset(w->grad, 0, net->nparams * sizeof(float));
    lnn_net_forward_drawn(net, w, n, x->drawn, x->K);
    lnn_net_backward(net, w, n, x->K);
  }
  barrier_wait(&x->bar);
  param_range(net->nparams, t, T, &p0, &p1);
  if (x->red != NULL) {
    lnn_reduce_tree(x->grads, nc, p0, p1);
    barrier_wait(&x->bar);
    if (t == 0) x->status = x->red->sum(x->red->ctx, x->grads[0], net->nparams, x->err);
    barrier_wait(&x->bar);
    if (x->status == LNN_OK) lnn_sgd_step_range(net, x->grads[0], x->vel, m, x->s, p0, p1);
    return;
  }
  /* sum and step a block at a time, while the block's sums are in cache */
  for (; p0 < p1; p0 += STEP_BLOCK) {
    size_t b = p1 - p0 < STEP_BLOCK ? p1 : p0 + STEP_BLOCK;
    lnn_reduce_tree(x->grads, nc, p0, b);
    lnn_sgd_step_range(net, x->grads[0], x->vel, m, x->s, p0, b);
  }
}

/* a step of one chunk, on thread 0 alone: as one pass, the plain step fused
 * into backward when nothing sits between them */
static void single_step(train_ctx *x) {
  const lnn_net *net = x->net;
  lnn_work *w = &x->ws[0];
  size_t n = x->hi > x->lo ? load_chunk(x, w, x->lo, x->hi) : 0;
  if (n > 0) lnn_net_forward_drawn(net, w, n, x->drawn, x->K);
  if (x->vel == NULL && x->red == NULL) {
    lnn_net_backward_step(net, w, n, x->s, x->K);
    return;
  }
  w->grad = x->grads[0];
  memset(w->grad, 0, net->nparams * sizeof(float));
  if (n > 0) lnn_net_backward(net, w, n, x->K);
  if (x->red != NULL) x->status = x->red->sum(x->red->ctx, w->grad, net->nparams, x->err);
  if (x->status == LNN_OK) lnn_sgd_step(net, w->grad, x->vel, x->m, x->s);
}

/* after a piece of the step that every thread ran (all_prev) or that runs
 * next on every thread (all_now), the threads wait for each other; pieces on
 * thread 0 alone follow each other without a wait */
static void sync_between(train_ctx *x, int *all_prev, int all_now) {
  if (*all_prev || all_now) barrier_wait(&x->bar);
  *all_prev = all_now;
}

/* thread t's part of a step of one chunk shared inside the layers
 * (lnn_layer_splits decides which; the others run on thread 0).  Thread 0
 * loaded the items before the step began; the caller's barrier ends it. */
static void layered_step(train_ctx *x, int t) {
  const lnn_net *net = x->net;
  const lnn_kernels *K = x->K;
  const int T = x->T, fused = x->vel == NULL && x->red == NULL;
  const size_t n = x->hi - x->lo;
  lnn_work *w = &x->ws[0];
  const lnn_work *own = &x->ws[t];
  size_t p0, p1;
  int l, all = 0, now;
  param_range(net->nparams, t, T, &p0, &p1);
  if (!fused) { /* the gradient block, zeroed by ranges before backward writes it */
    memset(x->grads[0] + p0, 0, (p1 - p0) * sizeof(float));
    all = 1;
  }
  for (l = 0; l < net->nlayers; l++) {
    now = lnn_layer_splits(net, l, n);
    sync_between(x, &all, now);
    if (now || t == 0) lnn_layer_forward_part(net, w, own, l, n, x->drawn, now ? t : 0, now ? T : 1, K);
  }
  sync_between(x, &all, 0);
  if (t == 0) lnn_output_delta(net, w, n, K);
  for (l = net->nlayers - 1; l >= 0; l--) {
    now = lnn_layer_splits(net, l, n);
    sync_between(x, &all, now);
    if (!now && t != 0) continue;
    if (!fused) {
      lnn_layer_backward_part(net, w, own, l, n, now ? t : 0, now ? T : 1, K);
    } else if (lnn_layer_backward_step_part(net, w, own, l, n, x->s, now ? t : 0, now ? T : 1, K)) {
      if (now) barrier_wait(&x->bar); /* every part's delta below read the old weights */
      lnn_layer_step_part(net, w, l, n, x->s, now ? t : 0, now ? T : 1, K);
    }
  }
  if (fused) return;
  barrier_wait(&x->bar);
  if (x->red != NULL) {
    if (t == 0) x->status = x->red->sum(x->red->ctx, x->grads[0], net->nparams, x->err);
    barrier_wait(&x->bar);
  }
  if (x->status == LNN_OK) lnn_sgd_step_range(net, x->grads[0], x->vel, x->m, x->s, p0, p1);
}

typedef struct train_arg {
  train_ctx *x;
  int t;
} train_arg;

/* threads 1..T-1: a chunked step each time thread 0 releases the barrier,
 * then the barrier that ends it */
static void *train_run(void *arg) {
  train_arg *a = (train_arg *)arg;
  /* the barrier's count is set under the mutex once every thread started */
  pthread_mutex_lock(&a->x->bar.mu);
  pthread_mutex_unlock(&a->x->bar.mu);
  for (;;) {
    barrier_wait(&a->x->bar);
    if (a->x->stop) return NULL;
    if (a->x->layered)
      layered_step(a->x, a->t);
    else
      chunked_step(a->x, a->t);
    barrier_wait(&a->x->bar);
  }
}

/* the largest chunk of any mini-batch of up to `batch` items */
static size_t max_chunk(const lnn_net *net, size_t batch) {
  size_t m, most = 0;
  for (m = 1; m <= batch; m++) {
    size_t nc = (size_t)lnn_step_chunks(net, m), c = (m + nc - 1) / nc;
    most = c > most ? c : most;
  }
  return most;
}

/* whether some layer of a step of m items is worth sharing */
static int any_split(const lnn_net *net, size_t m) {
  int l;
  for (l = 0; l < net->nlayers; l++)
    if (lnn_layer_splits(net, l, m)) return 1;
  return 0;
}

/* every thread when a step of the batch is one chunk shared inside the
 * layers; else one a chunk at most */
static int train_threads(const lnn_net *net, size_t batch, int nthreads) {
  int nc = lnn_step_chunks(net, batch);
  if (nthreads > LNN_LIMIT_RUN_THREADS) nthreads = LNN_LIMIT_RUN_THREADS;
  if (nthreads < 1) return 1;
  if (nc == 1 && any_split(net, batch)) return nthreads;
  return nthreads < nc ? nthreads : nc;
}

static size_t mask_floats(const lnn_net *net, size_t batch) {
  size_t f = 0;
  int l;
  for (l = 0; l < net->nlayers; l++)
    if (net->layer[l].kind == LNN_LAYER_DROPOUT) f += batch * (size_t)net->layer[l].n_in;
  return f;
}

size_t lnn_train_floats(const lnn_net *net, size_t batch, int nthreads) {
  int T = train_threads(net, batch, nthreads);
  size_t nc = (size_t)lnn_step_chunks(net, batch);
  return lnn_work_floats(net, batch) + (size_t)(T - 1) * lnn_work_floats(net, max_chunk(net, batch)) +
         nc * net->nparams + mask_floats(net, batch);
}

int lnn_train_epoch(const lnn_net *net, float *mem, int nthreads, const lnn_data *data,
                    const uint32_t *perm, const lnn_sgd *s, float *vel, lnn_rng *drop,
                    const lnn_reducer *red, const lnn_kernels *K, lnn_train_stats *st,
                    lnn_error *err) {
  lnn_work ws[LNN_LIMIT_RUN_THREADS];
  pthread_t tid[LNN_LIMIT_RUN_THREADS];
  train_arg args[LNN_LIMIT_RUN_THREADS];
  train_ctx x;
  int T = train_threads(net, s->batch, nthreads), started = 1, t, l, nc = lnn_step_chunks(net, s->batch);
  size_t cap = max_chunk(net, s->batch), first;
  memset(&x, 0, sizeof x);
  x.net = net, x.data = data, x.perm = perm, x.s = s, x.vel = vel, x.red = red, x.K = K;
  x.err = err, x.ws = ws, x.drawn = drop != NULL && lnn_net_has_dropout(net);
  lnn_work_carve(&ws[0], net, s->batch, mem);
  mem += lnn_work_floats(net, s->batch);
  for (t = 1; t < T; t++) {
    lnn_work_carve(&ws[t], net, cap, mem);
    mem += lnn_work_floats(net, cap);
  }
  for (t = 0; t < nc; t++, mem += net->nparams) x.grads[t] = mem;
  for (l = 0; l < net->nlayers; l++)
    if (net->layer[l].kind == LNN_LAYER_DROPOUT) {
      x.mask[l] = mem;
      mem += s->batch * (size_t)net->layer[l].n_in;
    }
  /* the barrier counts the threads that started; they wait on the mutex
   * until it is set */
  atomic_init(&x.bar.waiting, 0);
  atomic_init(&x.bar.gen, 0u);
  pthread_mutex_init(&x.bar.mu, NULL);
  pthread_cond_init(&x.bar.cv, NULL);
  pthread_mutex_lock(&x.bar.mu);
  for (t = 1; t < T; t++) {
    args[started].x = &x;
    args[started].t = started;
    if (pthread_create(&tid[started], NULL, train_run, &args[started]) != 0) break;
    started++;
  }
  x.T = x.bar.n = started;
  pthread_mutex_unlock(&x.bar.mu);
  if (st != NULL && started > st->threads) st->threads = started;
  for (first = 0; first < data->n && x.status == LNN_OK; first += s->batch) {
    x.first = first;
    x.m = data->n - first < s->batch ? data->n - first : s->batch;
    x.lo = red != NULL ? x.m * (size_t)red->rank / (size_t)red->size : 0;
    x.hi = red != NULL ? x.m * (size_t)(red->rank + 1) / (size_t)red->size : x.m;
    x.nc = x.hi > x.lo ? lnn_step_chunks(net, x.hi - x.lo) : 1;
    if (x.drawn) lnn_net_draw_masks(net, x.mask, x.m, drop);
    x.layered = x.T > 1 && x.nc == 1 && x.hi > x.lo && any_split(net, x.hi - x.lo);
    if (st != NULL) {
      st->steps++;
      st->chunked += x.nc > 1;
      st->layered += (size_t)x.layered;
    }
    if (x.layered) {
      load_chunk(&x, &ws[0], x.lo, x.hi);
      ws[0].grad = x.grads[0];
      barrier_wait(&x.bar);
      layered_step(&x, 0);
      barrier_wait(&x.bar);
    } else if (x.nc == 1) {
      single_step(&x);
    } else {
      barrier_wait(&x.bar);
      chunked_step(&x, 0);
      barrier_wait(&x.bar);
    }
  }
  x.stop = 1;
  barrier_wait(&x.bar);
  for (t = 1; t < started; t++) pthread_join(tid[t], NULL);
  pthread_mutex_destroy(&x.bar.mu);
  pthread_cond_destroy(&x.bar.cv);
  return x.status;
}
