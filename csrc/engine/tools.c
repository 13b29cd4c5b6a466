/* tools.c -- kernels under lnn's tool scripts: one-pixel shifts, average
 * darkness, a one-vs-rest linear SVM (dual coordinate descent over the
 * engine's SIMD kernel table, prediction through its product lnn_gemm), random
 * Fourier features for the RBF SVM, confusion counts and a few pictures drawn
 * into RGB buffers.  No allocation, no I/O, no Lua. */
#include "tools.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* ---- expand_mnist ---- */

void lnn_shift_image_naive(uint8_t *dst, const uint8_t *src, int rows, int cols, int dr, int dc) {
  int r, c;
  for (r = 0; r < rows; r++)
    for (c = 0; c < cols; c++) {
      int sr = r - dr, sc = c - dc;
      dst[r * cols + c] = sr >= 0 && sr < rows && sc >= 0 && sc < cols ? src[sr * cols + sc] : 0;
    }
}

void lnn_shift_image(uint8_t *dst, const uint8_t *src, int rows, int cols, int dr, int dc) {
  /* each destination row is a zero run, a copied run and a zero run */
  int r, lo = dc > 0 ? dc : 0, run = cols - (dc > 0 ? dc : -dc);
  assert(dr > -rows && dr < rows && dc > -cols && dc < cols);
  for (r = 0; r < rows; r++) {
    uint8_t *d = dst + (size_t)r * cols;
    int sr = r - dr;
    if (sr < 0 || sr >= rows) {
      memset(d, 0, (size_t)cols);
      continue;
    }
    memset(d, 0, (size_t)lo);
    memcpy(d + lo, src + (size_t)sr * cols + (dc < 0 ? -dc : 0), (size_t)run);
    memset(d + lo + run, 0, (size_t)(cols - lo - run));
  }
}

void lnn_expand_shifts(uint8_t *x, uint8_t *y, const uint8_t *src, const uint8_t *labels,
                       size_t n, int rows, int cols, const uint32_t *perm, int naive) {
  static const int shifts[LNN_EXPAND_FACTOR - 1][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
  size_t i, d = (size_t)rows * (size_t)cols;
  int s;
  for (i = 0; i < n; i++) {
    const uint8_t *img = src + i * d;
    size_t j = LNN_EXPAND_FACTOR * i, at = perm ? perm[j] : j;
    memcpy(x + at * d, img, d);
    y[at] = labels[i];
    for (s = 0; s < LNN_EXPAND_FACTOR - 1; s++) {
      at = perm ? perm[j + 1 + (size_t)s] : j + 1 + (size_t)s;
      if (naive)
        lnn_shift_image_naive(x + at * d, img, rows, cols, shifts[s][0], shifts[s][1]);
      else
        lnn_shift_image(x + at * d, img, rows, cols, shifts[s][0], shifts[s][1]);
      y[at] = labels[i];
    }
  }
}

/* ---- average darkness ---- */

static double item_sum(const lnn_data *s, size_t i) {
  size_t j;
  if (s->x8) {
    const uint8_t *p = s->x8 + i * s->d;
    uint64_t t = 0;
    for (j = 0; j < s->d; j++) t += p[j];
    return (double)t;
  } else {
    const float *p = s->xf + i * s->d;
    double t = 0.0;
    for (j = 0; j < s->d; j++) t += (double)p[j];
    return t;
  }
}

static double item_scale(const lnn_data *s) { return s->x8 ? (double)s->scale : 1.0; }

void lnn_avg_darkness(double *avg, const lnn_data *s) {
  size_t i, c;
  for (c = 0; c < s->k; c++) avg[c] = 0.0;
  /* class sums of byte images stay exact in a double (< 2^53) */
  {
    size_t count[LNN_LIMIT_CLASSES] = {0};
    assert(s->k <= LNN_LIMIT_CLASSES);
    for (i = 0; i < s->n; i++) {
      int cls = lnn_data_class(s, i);
      avg[cls] += item_sum(s, i);
      count[cls]++;
    }
    for (c = 0; c < s->k; c++)
      avg[c] = count[c] ? avg[c] * item_scale(s) / (double)count[c] : NAN;
  }
}

size_t lnn_guess_darkness(int *guess, const lnn_data *s, const double *avg) {
  size_t i, c, correct = 0;
  for (i = 0; i < s->n; i++) {
    double dark = item_sum(s, i) * item_scale(s), best = INFINITY;
    int g = -1;
    for (c = 0; c < s->k; c++) {
      double dist = fabs(avg[c] - dark);
      if (!isnan(avg[c]) && dist < best) {
        best = dist;
        g = (int)c;
      }
    }
    if (guess) guess[i] = g;
    if (g == lnn_data_class(s, i)) correct++;
  }
  return correct;
}

/* ---- linear SVM ---- */

/* x (d + 1) = item i's inputs, then the bias input 1 */
static void load_row(float *x, const lnn_data *s, size_t i, const lnn_kernels *K) {
  if (s->x8)
    K->u8_to_float(x, s->x8 + i * s->d, s->d, s->scale);
  else
    memcpy(x, s->xf + i * s->d, s->d * sizeof(float));
  x[s->d] = 1.0f;
}

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

size_t lnn_svm_work_size(size_t n, size_t d, size_t k) {
  return ALIGN16(n * k * sizeof(float)) + ALIGN16(n * sizeof(uint32_t)) +
         ALIGN16((d + 1) * sizeof(float)) + ALIGN16(k * sizeof(float));
}

int lnn_svm_train(float *W, const lnn_data *s, const lnn_svm_opts *o, lnn_rng *r, void *work,
                  double *gap, const lnn_kernels *K) {
  size_t n = s->n, d = s->d, k = o->pair ? 1 : s->k, dd = d + 1, i, t;
  unsigned char *p = (unsigned char *)work;
  float *alpha = (float *)(void *)p;
  uint32_t *perm = (uint32_t *)(void *)(p += ALIGN16(n * k * sizeof(float)));
  float *x = (float *)(void *)(p += ALIGN16(n * sizeof(uint32_t)));
  float *score = (float *)(void *)(p + ALIGN16(dd * sizeof(float)));
  const float C = (float)o->C;
  int pass;
  double spread = INFINITY;
  memset(alpha, 0, n * k * sizeof(float));
  memset(W, 0, k * dd * sizeof(float));
  for (pass = 0; pass < o->epochs; pass++) {
    float maxpg = -INFINITY, minpg = INFINITY;
    lnn_rng_permutation(r, perm, n);
    for (t = 0; t < n; t++) {
      size_t c;
      float q = 0.0f;
      int cls;
      i = perm[t];
      cls = lnn_data_class(s, i);
      if (o->pair && cls != o->a && cls != o->b) continue;
      load_row(x, s, i, K);
      for (c = 0; c < dd; c++) q += x[c] * x[c];
      if (q <= 0.0f) continue;
      K->gemm_nt(score, k, x, W, 1, k, dd, 0.0f); /* score (k) = W x */
      for (c = 0; c < k; c++) {
        float yc = (o->pair ? cls == o->a : (int)c == cls) ? 1.0f : -1.0f, *a = alpha + i * k + c;
        float g = yc * score[c] - 1.0f, pg = g, anew, delta;
        if (*a == 0.0f)
          pg = g < 0.0f ? g : 0.0f;
        else if (*a == C)
          pg = g > 0.0f ? g : 0.0f;
        maxpg = pg > maxpg ? pg : maxpg;
        minpg = pg < minpg ? pg : minpg;
        if (fabsf(pg) <= 1e-12f) continue;
        anew = *a - g / q;
        anew = anew < 0.0f ? 0.0f : anew > C ? C : anew;
        delta = (anew - *a) * yc;
        *a = anew;
        if (delta != 0.0f) K->gemm_xn(W + c * dd, &delta, 1, 1, x, dd, 1, dd, 1, 1.0f, 1.0f);
      }
    }
    spread = (double)maxpg - (double)minpg;
    if (spread < o->tol) {
      pass++;
      break;
    }
  }
  if (gap) *gap = spread;
  return pass;
}

/* one-vs-one: the pairs shared over threads, each taking the next pair not
 * taken; a pair's result depends on nothing but its own data and stream, so
 * the thread count changes no bit */
typedef struct pairs_job {
  float *W;
  const lnn_data *s;
  const lnn_svm_opts *o;
  uint64_t seed;
  const lnn_kernels *K;
  atomic_int next;
  int *passes;
  double *gaps;
} pairs_job;

typedef struct pairs_arg {
  pairs_job *j;
  void *work;
} pairs_arg;

static void *pairs_run(void *arg) {
  pairs_arg *a = (pairs_arg *)arg;
  pairs_job *j = a->j;
  const int k = (int)j->s->k, np = k * (k - 1) / 2;
  int p;
  while ((p = atomic_fetch_add(&j->next, 1)) < np) {
    lnn_svm_opts o = *j->o;
    lnn_rng r;
    int q = p;
    o.pair = 1;
    for (o.a = 0; q >= k - 1 - o.a; o.a++) q -= k - 1 - o.a; /* pair p is (a, a + 1 + q) */
    o.b = o.a + 1 + q;
    lnn_rng_seed(&r, j->seed, 0x5f6e0000u + (uint64_t)p);
    j->passes[p] = lnn_svm_train(j->W + (size_t)p * (j->s->d + 1), j->s, &o, &r, a->work, &j->gaps[p], j->K);
  }
  return NULL;
}

int lnn_svm_train_pairs(float *W, const lnn_data *s, const lnn_svm_opts *o, uint64_t seed, int nthreads,
                        void *const *work, int *passes, double *gaps, const lnn_kernels *K) {
  pairs_job j;
  pairs_arg args[LNN_LIMIT_RUN_THREADS];
  pthread_t tid[LNN_LIMIT_RUN_THREADS];
  int t, started = 1;
  j.W = W, j.s = s, j.o = o, j.seed = seed, j.K = K, j.passes = passes, j.gaps = gaps;
  atomic_init(&j.next, 0);
  if (nthreads > LNN_LIMIT_RUN_THREADS) nthreads = LNN_LIMIT_RUN_THREADS;
  for (t = 0; t < nthreads; t++) args[t].j = &j, args[t].work = work[t];
  /* a thread that fails to start leaves its pairs to the others */
  for (t = 1; t < nthreads && pthread_create(&tid[t], NULL, pairs_run, &args[t]) == 0; t++) started++;
  pairs_run(&args[0]);
  for (t = 1; t < started; t++) pthread_join(tid[t], NULL);
  return started;
}

/* the one-vs-one vote over the pairs' values v (classes (classes - 1) / 2) */
static int pair_vote(const float *v, size_t classes) {
  unsigned votes[LNN_LIMIT_CLASSES] = {0};
  size_t a, b, p = 0, best = 0;
  for (a = 0; a < classes; a++)
    for (b = a + 1; b < classes; b++, p++) votes[v[p] > 0.0f ? a : b]++;
  for (a = 1; a < classes; a++)
    if (votes[a] > votes[best]) best = a;
  return (int)best;
}

size_t lnn_svm_predict(int *pred, const float *W, size_t k, size_t classes, const lnn_data *s,
                       float *buf, size_t block, const lnn_kernels *K) {
  size_t d = s->d, dd = d + 1, i, j, correct = 0, nc = classes ? classes : k;
  float *X = buf, *S = buf + block * dd;
  int has_class = s->label ? 1 : s->y != NULL;
  for (i = 0; i < s->n; i += block) {
    size_t m = s->n - i < block ? s->n - i : block;
    for (j = 0; j < m; j++) load_row(X + j * dd, s, i + j, K);
    lnn_gemm(K, LNN_GEMM_NT, m, k, dd, 1.0f, X, W, 0.0f, S); /* S (m x k) = X W^T */
    for (j = 0; j < m; j++) {
      int g = classes ? pair_vote(S + j * k, classes) : lnn_argmax(S + j * k, k);
      if (pred) pred[i + j] = g;
      if (has_class && s->k == nc && g == lnn_data_class(s, i + j)) correct++;
    }
  }
  return correct;
}

/* ---- random Fourier features: an RBF kernel as a linear one ---- */

/* cos(x) for |x| < 2^20, in double from its float argument, the same bits on
 * every machine: x reduced by 2 pi in two parts (Cody-Waite), then the even
 * Taylor polynomial of degree 20 on [-pi, pi] in Horner form, +, * only
 * (glibc's cos has FMA and non-FMA builds; this one is one arithmetic). */
static double cos_canonical(double x) {
  static const double two_pi_hi = 6.28318530717958623200, two_pi_lo = 2.44929359829470635e-16;
  const double n = nearbyint(x / two_pi_hi);
  const double r = (x - n * two_pi_hi) - n * two_pi_lo, r2 = r * r;
  double p = 1.0 / 2432902008176640000.0; /* 1/20! */
  static const double c[] = {-1.0 / 6402373705728000.0, 1.0 / 20922789888000.0,
                             -1.0 / 87178291200.0,      1.0 / 479001600.0,
                             -1.0 / 3628800.0,          1.0 / 40320.0,
                             -1.0 / 720.0,              1.0 / 24.0,
                             -1.0 / 2.0,                1.0};
  size_t i;
  for (i = 0; i < sizeof c / sizeof c[0]; i++) p = p * r2 + c[i];
  return p;
}

void lnn_rff(float *Z, const lnn_data *s, size_t first, size_t m, const float *omega,
             const float *b, size_t D, float *buf, const lnn_kernels *K) {
  const double scale = sqrt(2.0 / (double)D);
  float *X = buf, *T = buf + m * s->d;
  size_t f0, i, j;
  lnn_data_gather_x(s, NULL, first, m, X, K);
  for (f0 = 0; f0 < D; f0 += LNN_RFF_BLOCK) { /* omega's block stays in cache for every item */
    const size_t nf = D - f0 < LNN_RFF_BLOCK ? D - f0 : LNN_RFF_BLOCK;
    lnn_gemm(K, LNN_GEMM_NT, m, nf, s->d, 1.0f, X, omega + f0 * s->d, 0.0f, T); /* X omega^T */
    for (i = 0; i < m; i++)
      for (j = 0; j < nf; j++)
        Z[i * D + f0 + j] = (float)(scale * cos_canonical((double)T[i * nf + j] + (double)b[f0 + j]));
  }
}

/* ---- confusion counts ---- */

size_t lnn_confusion(uint32_t *counts, size_t k, const int *pred, const lnn_data *s) {
  size_t i, correct = 0;
  for (i = 0; i < s->n; i++) {
    int cls = lnn_data_class(s, i);
    if (pred[i] < 0 || (size_t)pred[i] >= k || cls < 0 || (size_t)cls >= k) continue;
    counts[(size_t)cls * k + (size_t)pred[i]]++;
    correct += pred[i] == cls;
  }
  return correct;
}

void lnn_vote(int *out, const int *pred, size_t m, size_t n, size_t k, uint32_t *count) {
  size_t i, j, c, best;
  for (i = 0; i < n; i++) {
    memset(count, 0, k * sizeof *count);
    for (j = 0; j < m; j++) count[pred[j * n + i]]++;
    for (best = 0, c = 1; c < k; c++)
      if (count[c] > count[best]) best = c;
    out[i] = (int)best;
  }
}

/* ---- pictures ---- */

/* 5 x 7 glyphs, row by row, '#' ink */
static const struct {
  char ch;
  const char *rows;
} font[] = {
    {'0', ".###.#...##..###.#.###..##...#.###."}, {'1', "..#...##....#....#....#....#...###."},
    {'2', ".###.#...#....#...#...#...#...#####"}, {'3', "#####...#...#.....#.....##...#.###."},
    {'4', "...#...##..#.#.#..#.#####...#....#."}, {'5', "######....####.....#....##...#.###."},
    {'6', "..##..#...#....####.#...##...#.###."}, {'7', "#####....#...#...#...#....#....#..."},
    {'8', ".###.#...##...#.###.#...##...#.###."}, {'9', ".###.#...##...#.####....#...#..##.."},
    {' ', "..................................."}, {'>', ".#.....#.....#.....#...#...#...#..."},
    {'-', "...............#####..............."}, {'.', "..........................##...##.."},
    {'/', "....#....#...#...#...#...#....#...."}, {':', "......##...##........##...##......."},
    {'%', "##...##..#...#...#...#...#..##...##"}};

static const char *glyph(char ch) {
  size_t i;
  for (i = 0; i < sizeof font / sizeof font[0]; i++)
    if (font[i].ch == ch) return font[i].rows;
  return NULL;
}

int lnn_font_supports(const char *text) {
  for (; *text; text++)
    if (glyph(*text) == NULL) return 0;
  return 1;
}

static void fill_rect(uint8_t *rgb, int w, int h, int x, int y, int rw, int rh,
                      const uint8_t color[3]) {
  int r, c;
  for (r = y < 0 ? 0 : y; r < y + rh && r < h; r++)
    for (c = x < 0 ? 0 : x; c < x + rw && c < w; c++) memcpy(rgb + ((size_t)r * w + c) * 3, color, 3);
}

void lnn_draw_text(uint8_t *rgb, int w, int h, int x, int y, const char *text, int scale,
                   const uint8_t color[3]) {
  for (; *text; text++, x += (LNN_FONT_W + 1) * scale) {
    const char *g = glyph(*text);
    int r, c;
    assert(g != NULL);
    for (r = 0; r < LNN_FONT_H; r++)
      for (c = 0; c < LNN_FONT_W; c++)
        if (g[r * LNN_FONT_W + c] == '#')
          fill_rect(rgb, w, h, x + c * scale, y + r * scale, scale, scale, color);
  }
}

static int sheet_cols(const lnn_sheet *g) { return g->n < g->columns ? g->n : g->columns; }
static int cell_w(const lnn_sheet *g) { return g->iw * g->scale + 2 * g->pad; }
static int cell_h(const lnn_sheet *g) {
  return g->ih * g->scale + 2 * g->pad + (g->captions ? LNN_FONT_H + g->pad : 0);
}

void lnn_sheet_size(const lnn_sheet *g, int *w, int *h) {
  int cols = sheet_cols(g);
  *w = cols * cell_w(g);
  *h = (g->n + cols - 1) / cols * cell_h(g);
}

void lnn_sheet_draw(uint8_t *rgb, const lnn_sheet *g, const uint8_t *images,
                    const char *const *captions) {
  static const uint8_t paper[3] = {230, 230, 230}, black[3] = {0, 0, 0}, red[3] = {200, 0, 0};
  int w, h, i, cols = sheet_cols(g);
  size_t isz = (size_t)g->ih * (size_t)g->iw;
  lnn_sheet_size(g, &w, &h);
  fill_rect(rgb, w, h, 0, 0, w, h, paper);
  for (i = 0; i < g->n; i++) {
    int x0 = i % cols * cell_w(g) + g->pad, y0 = i / cols * cell_h(g) + g->pad, r, c;
    const uint8_t *img = images + (size_t)i * isz;
    for (r = 0; r < g->ih; r++)
      for (c = 0; c < g->iw; c++) {
        uint8_t v = img[(size_t)r * g->iw + c], col[3];
        col[0] = col[1] = col[2] = g->invert ? (uint8_t)(255 - v) : v;
        fill_rect(rgb, w, h, x0 + c * g->scale, y0 + r * g->scale, g->scale, g->scale, col);
      }
    if (captions && captions[i]) {
      const char *cap = captions[i], *gt = strchr(cap, '>');
      char head[64];
      size_t nh = gt ? (size_t)(gt - cap) + 1 : strlen(cap);
      int ty = y0 + g->ih * g->scale + g->pad;
      if (nh >= sizeof head) nh = sizeof head - 1;
      memcpy(head, cap, nh);
      head[nh] = '\0';
      lnn_draw_text(rgb, w, h, x0, ty, head, 1, black);
      if (gt) lnn_draw_text(rgb, w, h, x0 + (int)nh * (LNN_FONT_W + 1), ty, gt + 1, 1, red);
    }
  }
}

#define CONF_SCALE 2
#define CONF_CH (LNN_FONT_H * CONF_SCALE + 10)

static int conf_cw(const uint32_t *counts, size_t k) {
  uint32_t mx = (uint32_t)(k > 0 ? k - 1 : 0);
  size_t i;
  int digits = 1;
  for (i = 0; i < k * k; i++) mx = counts[i] > mx ? counts[i] : mx;
  for (; mx >= 10; mx /= 10) digits++;
  return (digits < 4 ? 4 : digits) * (LNN_FONT_W + 1) * CONF_SCALE + 12;
}

void lnn_confusion_size(const uint32_t *counts, size_t k, int *w, int *h) {
  *w = (int)(k + 1) * conf_cw(counts, k);
  *h = (int)(k + 1) * CONF_CH;
}

void lnn_confusion_draw(uint8_t *rgb, const uint32_t *counts, size_t k) {
  static const uint8_t white[3] = {255, 255, 255}, grid[3] = {190, 190, 190},
                       ink[3] = {0, 0, 0}, head[3] = {90, 90, 90};
  int w, h, cw = conf_cw(counts, k), ty = (CONF_CH - LNN_FONT_H * CONF_SCALE) / 2;
  size_t r, c;
  uint32_t offmax = 0;
  char buf[16];
  lnn_confusion_size(counts, k, &w, &h);
  fill_rect(rgb, w, h, 0, 0, w, h, grid);
  for (r = 0; r < k; r++)
    for (c = 0; c < k; c++)
      if (r != c && counts[r * k + c] > offmax) offmax = counts[r * k + c];
  for (r = 0; r <= k; r++)
    for (c = 0; c <= k; c++) {
      int x = (int)c * cw, y = (int)r * CONF_CH;
      uint8_t col[3] = {255, 255, 255};
      const uint8_t *text_color = ink;
      if (r == 0 || c == 0) {
        fill_rect(rgb, w, h, x + 1, y + 1, cw - 2, CONF_CH - 2, white);
        if (r == 0 && c == 0) continue;
        snprintf(buf, sizeof buf, "%d", (int)(r == 0 ? c : r) - 1);
        text_color = head;
      } else {
        uint32_t v = counts[(r - 1) * k + (c - 1)], total = 0;
        double share;
        size_t j;
        for (j = 0; j < k; j++) total += counts[(r - 1) * k + j];
        share = r == c ? (total ? (double)v / total : 0.0) : (offmax ? (double)v / offmax : 0.0);
        /* white blends to green (diagonal: share of the row) or red (off it: share of the worst) */
        col[0] = (uint8_t)lrint(255.0 - share * (r == c ? 175.0 : 35.0));
        col[1] = (uint8_t)lrint(255.0 - share * (r == c ? 55.0 : 185.0));
        col[2] = (uint8_t)lrint(255.0 - share * (r == c ? 175.0 : 185.0));
        fill_rect(rgb, w, h, x + 1, y + 1, cw - 2, CONF_CH - 2, col);
        snprintf(buf, sizeof buf, "%lu", (unsigned long)v);
      }
      lnn_draw_text(rgb, w, h, x + cw - 6 - (int)strlen(buf) * (LNN_FONT_W + 1) * CONF_SCALE,
                    y + ty, buf, CONF_SCALE, text_color);
    }
}

void lnn_rows_to_bytes(uint8_t *dst, const float *W, size_t rows, size_t cols) {
  size_t i, j;
  for (i = 0; i < rows; i++) {
    const float *w = W + i * cols;
    float lo = w[0], hi = w[0];
    for (j = 1; j < cols; j++) {
      lo = w[j] < lo ? w[j] : lo;
      hi = w[j] > hi ? w[j] : hi;
    }
    for (j = 0; j < cols; j++)
      dst[i * cols + j] =
          hi > lo ? (uint8_t)lrintf((w[j] - lo) / (hi - lo) * 255.0f) : (uint8_t)128;
  }
}
