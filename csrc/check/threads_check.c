/* threads_check.c -- the threaded trainer without Lua, for ThreadSanitizer
 * (scripts/test-threads-tsan.sh builds it with -fsanitize=thread and runs it).
 * Trains a dense net with momentum and a conv-pool net with dropout on random
 * data on 1, 2, 3 and 8 threads (at batch 10 too, where a step is one chunk
 * the threads share inside the layers), and two "ranks" as two threads summing
 * through a shared-memory lnn_reducer; exits non-zero if any parameter block
 * differs from the one-thread run (ranks: from each other). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "engine/parallel.h"

static lnn_data make_data(size_t n, size_t d, size_t k, uint8_t *x, uint8_t *label) {
  lnn_data s;
  lnn_rng r;
  size_t i;
  lnn_rng_seed(&r, 3, 1);
  for (i = 0; i < n * d; i++) x[i] = (uint8_t)lnn_rng_below(&r, 256);
  for (i = 0; i < n; i++) label[i] = (uint8_t)lnn_rng_below(&r, (uint32_t)k);
  memset(&s, 0, sizeof s);
  s.n = n, s.d = d, s.k = k, s.x8 = x, s.scale = 1.0f / 255.0f, s.label = label;
  return s;
}

/* trains net (params p0 copied in) for 2 epochs; the result in out */
static int train(lnn_net *net, const float *p0, float *out, const lnn_data *data, const lnn_sgd *s,
                 int threads, const lnn_reducer *red) {
  size_t floats = lnn_train_floats(net, s->batch, threads), i;
  float *mem = malloc(floats * sizeof(float)), *vel = calloc(net->nparams, sizeof(float));
  uint32_t *perm = malloc(data->n * sizeof(uint32_t));
  lnn_rng r;
  lnn_error e;
  int ep, rc = LNN_OK;
  if (mem == NULL || vel == NULL || perm == NULL) return LNN_ENOMEM;
  net->params = out;
  memcpy(out, p0, net->nparams * sizeof(float));
  lnn_rng_seed(&r, 7, 0);
  for (ep = 0; ep < 2 && rc == LNN_OK; ep++) {
    for (i = 0; i < data->n; i++) perm[i] = (uint32_t)i;
    rc = lnn_train_epoch(net, mem, threads, data, perm, s, s->mu > 0 ? vel : NULL, &r, red,
                         lnn_kernels_best(), NULL, &e);
  }
  free(mem), free(vel), free(perm);
  return rc;
}

/* two ranks in one process: a barrier-synchronised sum of two blocks */
typedef struct shared_sum {
  pthread_barrier_t bar;
  float *buf[2];
} shared_sum;

typedef struct rank_ctx {
  shared_sum *sh;
  int rank;
} rank_ctx;

static int rank_sum(void *ctx, float *buf, size_t n, lnn_error *err) {
  rank_ctx *c = (rank_ctx *)ctx;
  size_t i;
  (void)err;
  c->sh->buf[c->rank] = buf;
  pthread_barrier_wait(&c->sh->bar);
  if (c->rank == 0)
    for (i = 0; i < n; i++) c->sh->buf[0][i] += c->sh->buf[1][i];
  pthread_barrier_wait(&c->sh->bar);
  if (c->rank == 1) memcpy(buf, c->sh->buf[0], n * sizeof(float));
  pthread_barrier_wait(&c->sh->bar);
  return LNN_OK;
}

typedef struct rank_job {
  lnn_net net;
  const float *p0;
  float *out;
  const lnn_data *data;
  const lnn_sgd *s;
  rank_ctx ctx;
  lnn_reducer red;
  int rc;
} rank_job;

static void *rank_run(void *arg) {
  rank_job *j = (rank_job *)arg;
  j->rc = train(&j->net, j->p0, j->out, j->data, j->s, 2, &j->red);
  return NULL;
}

static int check(const char *name, lnn_net *net, const lnn_data *data, const lnn_sgd *s) {
  static const int counts[] = {2, 3, 8};
  size_t n = net->nparams;
  float *p0 = malloc(n * sizeof(float)), *ref = malloc(n * sizeof(float));
  float *got = malloc(n * sizeof(float)), *got1 = malloc(n * sizeof(float));
  lnn_rng r;
  int i, bad = 0;
  pthread_t tid[2];
  shared_sum sh;
  rank_job job[2];
  lnn_rng_seed(&r, 11, 0);
  lnn_rng_fill_normal(&r, p0, n, 0.0f, 0.1f);
  if (train(net, p0, ref, data, s, 1, NULL) != LNN_OK) return 1;
  for (i = 0; i < 3; i++) {
    if (train(net, p0, got, data, s, counts[i], NULL) != LNN_OK) return 1;
    if (memcmp(ref, got, n * sizeof(float)) != 0) {
      fprintf(stderr, "%s: %d threads differ from 1\n", name, counts[i]);
      bad = 1;
    }
  }
  pthread_barrier_init(&sh.bar, NULL, 2);
  for (i = 0; i < 2; i++) {
    job[i].net = *net, job[i].p0 = p0, job[i].out = i ? got1 : got, job[i].data = data;
    job[i].s = s, job[i].ctx.sh = &sh, job[i].ctx.rank = i;
    job[i].red.rank = i, job[i].red.size = 2, job[i].red.sum = rank_sum, job[i].red.ctx = &job[i].ctx;
    pthread_create(&tid[i], NULL, rank_run, &job[i]);
  }
  for (i = 0; i < 2; i++) pthread_join(tid[i], NULL);
  pthread_barrier_destroy(&sh.bar);
  if (job[0].rc != LNN_OK || job[1].rc != LNN_OK || memcmp(got, got1, n * sizeof(float)) != 0) {
    fprintf(stderr, "%s: two ranks end with different parameters\n", name);
    bad = 1;
  }
  printf("%s: %d chunks a step, threads 1/2/3/8 %s, two ranks %s\n", name,
         lnn_step_chunks(net, s->batch), bad ? "DIFFER" : "identical",
         bad ? "checked" : "agree");
  free(p0), free(ref), free(got), free(got1);
  return bad;
}

int main(void) {
  static uint8_t x[240 * 400], label[240];
  lnn_data data = make_data(240, 400, 10, x, label);
  lnn_net dense, conv;
  lnn_layer spec[6];
  lnn_sgd s1 = {0.5f, 1.0f, 0.7f, 240, 200}, s2 = {0.05f, 0.1f, 0.5f, 240, 40};
  lnn_sgd s3 = {0.05f, 0.0f, 0.0f, 240, 10}, s4 = {0.05f, 0.1f, 0.5f, 240, 10};
  int sizes[3] = {400, 100, 10}, sizes2[3] = {400, 150, 10}, bad = 0;
  lnn_net dense2;
  lnn_error e;
  if (lnn_net_layout_dense(&dense, sizes, 3, LNN_ACT_SIGMOID, LNN_ACT_SIGMOID,
                           LNN_COST_CROSS_ENTROPY, &e) != LNN_OK)
    return fprintf(stderr, "%s\n", e.msg), 2;
  memset(spec, 0, sizeof spec);
  spec[0].kind = LNN_LAYER_CONVPOOL, spec[0].act = LNN_ACT_RELU;
  spec[0].conv = (lnn_conv){1, 20, 20, 10, 5, 5, 2, 2};
  spec[1].kind = LNN_LAYER_DROPOUT, spec[1].n_in = 640, spec[1].p = 0.3f;
  spec[2].kind = LNN_LAYER_CONVPOOL, spec[2].act = LNN_ACT_RELU;
  spec[2].conv = (lnn_conv){10, 8, 8, 16, 3, 3, 2, 2};
  spec[3].kind = LNN_LAYER_DENSE, spec[3].act = LNN_ACT_RELU, spec[3].n_in = 144, spec[3].n_out = 50;
  spec[4].kind = LNN_LAYER_DROPOUT, spec[4].n_in = 50, spec[4].p = 0.5f;
  spec[5].kind = LNN_LAYER_DENSE, spec[5].act = LNN_ACT_SOFTMAX, spec[5].n_in = 50, spec[5].n_out = 10;
  if (lnn_net_layout(&conv, spec, 6, LNN_COST_LOG_LIKELIHOOD, &e) != LNN_OK)
    return fprintf(stderr, "%s\n", e.msg), 2;
  bad |= check("dense [400,100,10], momentum, batch 200", &dense, &data, &s1);
  bad |= check("conv-pool + dropout, momentum, batch 40", &conv, &data, &s2);
  /* one chunk a step: the layers are shared (the fused plain step, and the
   * gradient block with momentum) */
  bad |= check("conv-pool + dropout, batch 10", &conv, &data, &s3);
  bad |= check("conv-pool + dropout, momentum, batch 10", &conv, &data, &s4);
  if (lnn_net_layout_dense(&dense2, sizes2, 3, LNN_ACT_SIGMOID, LNN_ACT_SIGMOID,
                           LNN_COST_CROSS_ENTROPY, &e) != LNN_OK)
    return fprintf(stderr, "%s\n", e.msg), 2;
  bad |= check("dense [400,150,10], batch 10", &dense2, &data, &s3);
  bad |= check("dense [400,150,10], momentum, batch 10", &dense2, &data, &s4);
  return bad;
}
