/* conv.c -- convolution + max-pool kernels: the naive form (the definition
 * written as loops) and the fast one (direct SIMD forward, a backward that
 * follows the pool's argmax).  Specs compare the two on odd shapes.
 * K = c kh kw inputs of a window, P = oh ow windows per item.  No BLAS: at
 * these sizes (K = 25..500, f = 20..40) the direct loops beat im2col + sgemm. */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "conv.h"

size_t lnn_conv_scratch_floats(const lnn_conv *s) {
  const size_t K = (size_t)s->c * s->kh * s->kw, P = (size_t)lnn_conv_oh(s) * lnn_conv_ow(s);
  const size_t F16 = (size_t)(s->f + 15) / 16 * 16;
  const size_t fwd = K * F16 + P * F16, bwd = 2 * P * K; /* wt and cv; rows and their delta */
  return fwd > bwd ? fwd : bwd;
}

/* ---- naive twins ---- */

/* one convolution output: filter f at window (y, x) of item img (c x h x w) */
static float conv_at(const float *img, const float *W, int f, int y, int x, const lnn_conv *s) {
  const float *wf = W + (size_t)f * s->c * s->kh * s->kw;
  float acc = 0.0f;
  int c, ky, kx;
  for (c = 0; c < s->c; c++)
    for (ky = 0; ky < s->kh; ky++)
      for (kx = 0; kx < s->kw; kx++)
        acc += img[((size_t)c * s->h + y + ky) * s->w + x + kx] *
               wf[((size_t)c * s->kh + ky) * s->kw + kx];
  return acc;
}

void lnn_conv_forward_naive(float *out, int32_t *arg, float *scratch, const float *in,
                            const float *W, size_t m, const lnn_conv *s) {
  const int ow = lnn_conv_ow(s), qh = lnn_conv_qh(s), qw = lnn_conv_qw(s);
  const size_t chw = (size_t)s->c * s->h * s->w;
  size_t i, o = 0;
  int f, qy, qx, dy, dx;
  (void)scratch;
  for (i = 0; i < m; i++)
    for (f = 0; f < s->f; f++)
      for (qy = 0; qy < qh; qy++)
        for (qx = 0; qx < qw; qx++, o++) {
          float best = -FLT_MAX;
          int32_t at = 0;
          for (dy = 0; dy < s->ph; dy++)
            for (dx = 0; dx < s->pw; dx++) {
              int y = qy * s->ph + dy, x = qx * s->pw + dx;
              float v = conv_at(in + i * chw, W, f, y, x, s);
              if (v > best || (dy == 0 && dx == 0)) {
                best = v;
                at = y * ow + x;
              }
            }
          out[o] = best;
          arg[o] = at;
        }
}

void lnn_conv_backward_naive(float *gW, float *din, float *scratch, const float *dz,
                             const int32_t *arg, const float *in, const float *W, size_t m,
                             const lnn_conv *s) {
  const int ow = lnn_conv_ow(s), nq = lnn_conv_qh(s) * lnn_conv_qw(s);
  const size_t chw = (size_t)s->c * s->h * s->w, fk = (size_t)s->c * s->kh * s->kw;
  size_t i, o = 0;
  int f, q, c, ky, kx;
  (void)scratch;
  if (din != NULL) memset(din, 0, m * chw * sizeof *din);
  for (i = 0; i < m; i++)
    for (f = 0; f < s->f; f++)
      for (q = 0; q < nq; q++, o++) {
        const float g = dz[o];
        const int y = arg[o] / ow, x = arg[o] % ow;
        for (c = 0; c < s->c; c++)
          for (ky = 0; ky < s->kh; ky++)
            for (kx = 0; kx < s->kw; kx++) {
              size_t wi = (size_t)f * fk + ((size_t)c * s->kh + ky) * s->kw + kx;
              size_t xi = i * chw + ((size_t)c * s->h + y + ky) * s->w + x + kx;
              gW[wi] += g * in[xi];
              if (din != NULL) din[xi] += g * W[wi];
            }
      }
}

/* ---- the fast form: direct SIMD forward, sparse backward ----
 * The forward keeps W transposed and padded, wt (K x F16) with F16 = f rounded
 * up to 16, and sums broadcast input pixels times rows of wt into XB x NF
 * vectors of 16 filters (XB outputs along a row, NF vectors of filters), so
 * every product is a full-width FMA and no im2col is written: cv (P x F16)
 * per item, pooled along f.  The backward uses the max-pool: only the
 * argmax of each window carries a delta, and ReLU zeroes many of those, so
 * instead of two dense products it adds g * (window) to the filter's
 * gradient and g * (filter) to the window's input delta, once per non-zero
 * delta, along the window's row of an im2row: a quarter of the work or less.
 * The bodies are written once with vector types and compiled per instruction
 * set (AVX2, AVX-512) by the wrappers at the end. */

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define INLINE static inline __attribute__((always_inline))

typedef float v16 __attribute__((vector_size(64), aligned(4)));

static int f16_of(const lnn_conv *s) { return (s->f + 15) / 16 * 16; }

/* wt (K x F16): wt[k][f] = W[f][k], zero for f >= F (F16: f rounded up to the
 * vector width, 16 or 8) */
INLINE void transpose_pad(float *wt, const float *W, const lnn_conv *s, const size_t F16) {
  const size_t K = (size_t)s->c * s->kh * s->kw;
  size_t k;
  int f;
  for (k = 0; k < K; k++) {
    for (f = 0; f < s->f; f++) wt[k * F16 + (size_t)f] = W[(size_t)f * K + k];
    for (; f < (int)F16; f++) wt[k * F16 + (size_t)f] = 0.0f;
  }
}

/* cv rows y ow + x0 .. + XB - 1, filters fv .. fv + 16 NF - 1, of one item img */
INLINE void conv_block(float *cv, const float *img, const float *wt, int y, int x0, int fv,
                       const lnn_conv *s, const int XB, const int NF) {
  const size_t F16 = (size_t)f16_of(s);
  v16 acc[8][3];
  int c, ky, kx, b, j;
  for (b = 0; b < XB; b++)
    for (j = 0; j < NF; j++) acc[b][j] = (v16){0};
  for (c = 0; c < s->c; c++)
    for (ky = 0; ky < s->kh; ky++) {
      const float *src = img + ((size_t)c * s->h + (size_t)(y + ky)) * s->w + x0;
      const float *wk = wt + ((size_t)c * s->kh + ky) * s->kw * F16 + fv;
      for (kx = 0; kx < s->kw; kx++, wk += F16) {
        v16 wv[3];
        for (j = 0; j < NF; j++) wv[j] = *(const v16 *)(const void *)(wk + 16 * j);
        for (b = 0; b < XB; b++) {
          const float a = src[b + kx];
          for (j = 0; j < NF; j++) acc[b][j] += a * wv[j];
        }
      }
    }
  for (b = 0; b < XB; b++)
    for (j = 0; j < NF; j++)
      *(v16 *)(void *)(cv + ((size_t)y * lnn_conv_ow(s) + (size_t)(x0 + b)) * F16 + fv + 16 * j) =
          acc[b][j];
}

/* cv rows y ow + x .. + XB - 1, every filter, in groups of up to 3 vectors */
INLINE void conv_run(float *cv, const float *img, const float *wt, int y, int x,
                     const lnn_conv *s, const int XB) {
  const int F16 = f16_of(s);
  int fv;
  for (fv = 0; fv < F16; fv += 48) {
    int nv = (F16 - fv) / 16;
    if (nv >= 3) conv_block(cv, img, wt, y, x, fv, s, XB, 3);
    else if (nv == 2) conv_block(cv, img, wt, y, x, fv, s, XB, 2);
    else conv_block(cv, img, wt, y, x, fv, s, XB, 1);
  }
}

/* cv (P x F16) = the convolution of one item, XB outputs at a time along a
 * row: the last block of a row overlaps the one before rather than run
 * short; a row narrower than a block goes one output at a time */
INLINE void conv_item(float *cv, const float *img, const float *wt, const lnn_conv *s,
                      const int XB) {
  const int oh = lnn_conv_oh(s), ow = lnn_conv_ow(s);
  int y, x;
  for (y = 0; y < oh; y++) {
    if (ow < XB) {
      for (x = 0; x < ow; x++) conv_run(cv, img, wt, y, x, s, 1);
      continue;
    }
    for (x = 0; x < ow; x += XB) conv_run(cv, img, wt, y, x + XB <= ow ? x : ow - XB, s, XB);
  }
}

/* out, arg (f x qh x qw) of one item from cv (P x F16): each window's rows compared along f */
INLINE void pool_rows(float *out, int32_t *arg, const float *cv, const lnn_conv *s,
                      const size_t F16) {
  const int ow = lnn_conv_ow(s), qh = lnn_conv_qh(s), qw = lnn_conv_qw(s), F = s->f;
  const size_t nq = (size_t)qh * qw;
  float best[4096];
  int32_t at[4096];
  int qy, qx, dy, dx, f;
  for (qy = 0; qy < qh; qy++)
    for (qx = 0; qx < qw; qx++) {
      const size_t q = (size_t)qy * qw + qx;
      const int p0 = qy * s->ph * ow + qx * s->pw;
      const float *r0 = cv + (size_t)p0 * F16;
      for (f = 0; f < F; f++) best[f] = r0[f], at[f] = p0;
      for (dy = 0; dy < s->ph; dy++)
        for (dx = dy == 0 ? 1 : 0; dx < s->pw; dx++) {
          const int p = p0 + dy * ow + dx;
          const float *r = cv + (size_t)p * F16;
          for (f = 0; f < F; f++) {
            int gt = r[f] > best[f];
            best[f] = gt ? r[f] : best[f];
            at[f] = gt ? p : at[f];
          }
        }
      for (f = 0; f < F; f++) {
        out[(size_t)f * nq + q] = best[f];
        arg[(size_t)f * nq + q] = at[f];
      }
    }
}

/* scratch: wt (K x F16), then one item's cv (P x F16) */
INLINE void forward_body(float *out, int32_t *arg, float *scratch, const float *in,
                         const float *W, size_t m, const lnn_conv *s, const int XB) {
  const size_t chw = (size_t)s->c * s->h * s->w;
  const size_t nout = (size_t)s->f * lnn_conv_qh(s) * lnn_conv_qw(s);
  const size_t K = (size_t)s->c * s->kh * s->kw;
  float *wt = scratch, *cv = scratch + K * (size_t)f16_of(s);
  size_t i;
  transpose_pad(wt, W, s, (size_t)f16_of(s));
  for (i = 0; i < m; i++) {
    conv_item(cv, in + i * chw, wt, s, XB);
    pool_rows(out + i * nout, arg + i * nout, cv, s, (size_t)f16_of(s));
  }
}

/* rows (P x K): row y ow + x = the window at (y, x) of one item, in (c, ky, kx)
 * order; KW is the filter width when it is a constant worth unrolling, else 0 */
INLINE void im2row(float *rows, const float *img, const lnn_conv *s, const int KW) {
  const int oh = lnn_conv_oh(s), ow = lnn_conv_ow(s), kw = KW ? KW : s->kw;
  const size_t K = (size_t)s->c * s->kh * kw;
  int y, x, c, ky, kx;
  for (y = 0; y < oh; y++)
    for (c = 0; c < s->c; c++)
      for (ky = 0; ky < s->kh; ky++) {
        const float *src = img + ((size_t)c * s->h + (size_t)(y + ky)) * s->w;
        float *dst = rows + (size_t)y * ow * K + ((size_t)c * s->kh + ky) * kw;
        for (x = 0; x < ow; x++)
          for (kx = 0; kx < kw; kx++) dst[(size_t)x * K + kx] = src[x + kx];
      }
}

/* din (c x h x w) of one item = the sum of the rows of dcol (P x K) over the windows */
INLINE void row2im(float *din, const float *dcol, const lnn_conv *s, const int KW) {
  const int oh = lnn_conv_oh(s), ow = lnn_conv_ow(s), kw = KW ? KW : s->kw;
  const size_t K = (size_t)s->c * s->kh * kw;
  int y, x, c, ky, kx;
  memset(din, 0, (size_t)s->c * s->h * s->w * sizeof *din);
  for (y = 0; y < oh; y++)
    for (c = 0; c < s->c; c++)
      for (ky = 0; ky < s->kh; ky++) {
        float *dst = din + ((size_t)c * s->h + (size_t)(y + ky)) * s->w;
        const float *src = dcol + (size_t)y * ow * K + ((size_t)c * s->kh + ky) * kw;
        for (x = 0; x < ow; x++)
          for (kx = 0; kx < kw; kx++) dst[x + kx] += src[(size_t)x * K + kx];
      }
}

INLINE void axpy(float *y, float a, const float *x, size_t n) {
  size_t k;
  for (k = 0; k < n; k++) y[k] += a * x[k];
}

/* scratch: one item's windows as rows (P x K), then their input delta (P x K) */
INLINE void backward_body(float *gW, float *din, float *scratch, const float *dz, const int32_t *arg,
                          const float *in, const float *W, size_t m, const lnn_conv *s,
                          const int KW) {
  const size_t P = (size_t)lnn_conv_oh(s) * lnn_conv_ow(s), chw = (size_t)s->c * s->h * s->w;
  const size_t nq = (size_t)lnn_conv_qh(s) * lnn_conv_qw(s), nout = (size_t)s->f * nq;
  const size_t K = (size_t)s->c * s->kh * s->kw;
  float *rows = scratch, *dcol = scratch + P * K;
  size_t i, q;
  int f;
  for (i = 0; i < m; i++) {
    const float *g = dz + i * nout;
    const int32_t *a = arg + i * nout;
    im2row(rows, in + i * chw, s, KW);
    if (din != NULL) memset(dcol, 0, P * K * sizeof *dcol);
    for (f = 0; f < s->f; f++)
      for (q = 0; q < nq; q++) {
        const float gv = g[(size_t)f * nq + q];
        const size_t p = (size_t)a[(size_t)f * nq + q];
        if (gv == 0.0f) continue;
        axpy(gW + (size_t)f * K, gv, rows + p * K, K);
        if (din != NULL) axpy(dcol + p * K, gv, W + (size_t)f * K, K);
      }
    if (din != NULL) row2im(din + i * chw, dcol, s, KW);
  }
}

#define BACKWARD(gW, din, scratch, dz, arg, in, W, m, s)                                   \
  do {                                                                                 \
    if ((s)->kw == 5)                                                                  \
      backward_body(gW, din, scratch, dz, arg, in, W, m, s, 5);                            \
    else if ((s)->kw == 3)                                                             \
      backward_body(gW, din, scratch, dz, arg, in, W, m, s, 3);                            \
    else                                                                               \
      backward_body(gW, din, scratch, dz, arg, in, W, m, s, 0);                            \
  } while (0)

#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f,avx2,fma")))

/* The AVX2 forward is written with intrinsics on 8-float vectors: the 16-float
 * vector type above compiles for AVX2 into spills and scalar stores, ten
 * times slower.  Filters are padded to F8 = f rounded up to 8 (not 16), and
 * each product is a multiply then an add, as in the naive loops and the
 * vector-type code (none of them contracts to FMA), so every form gives the
 * same bits. */
static size_t f8_of(const lnn_conv *s) { return (size_t)(s->f + 7) / 8 * 8; }

/* cv rows y ow + x0 .. + XB - 1, filters fv .. fv + 8 NY - 1 (cv is P x F8) */
AVX2 INLINE void conv_block8(float *cv, const float *img, const float *wt, int y, int x0, size_t fv,
                             const lnn_conv *s, const int XB, const int NY) {
  const size_t F8 = f8_of(s);
  __m256 acc[4][3];
  int c, ky, kx, b, j;
  for (b = 0; b < XB; b++)
    for (j = 0; j < NY; j++) acc[b][j] = _mm256_setzero_ps();
  for (c = 0; c < s->c; c++)
    for (ky = 0; ky < s->kh; ky++) {
      const float *src = img + ((size_t)c * s->h + (size_t)(y + ky)) * s->w + x0;
      const float *wk = wt + ((size_t)c * s->kh + ky) * s->kw * F8 + fv;
      for (kx = 0; kx < s->kw; kx++, wk += F8) {
        __m256 wv[3];
        for (j = 0; j < NY; j++) wv[j] = _mm256_loadu_ps(wk + 8 * j);
        for (b = 0; b < XB; b++) {
          const __m256 a = _mm256_broadcast_ss(src + b + kx);
          for (j = 0; j < NY; j++) acc[b][j] = _mm256_add_ps(acc[b][j], _mm256_mul_ps(a, wv[j]));
        }
      }
    }
  for (b = 0; b < XB; b++)
    for (j = 0; j < NY; j++)
      _mm256_storeu_ps(cv + ((size_t)y * lnn_conv_ow(s) + (size_t)(x0 + b)) * F8 + fv + 8 * j,
                       acc[b][j]);
}

/* row y of cv, filters fv .. fv + 8 NY - 1, XB outputs at a time: the last
 * block overlaps the one before rather than run short */
AVX2 INLINE void conv_row8(float *cv, const float *img, const float *wt, int y, size_t fv,
                           const lnn_conv *s, const int XB, const int NY) {
  const int ow = lnn_conv_ow(s);
  int x;
  if (ow < XB) {
    for (x = 0; x < ow; x++) conv_block8(cv, img, wt, y, x, fv, s, 1, NY);
    return;
  }
  for (x = 0; x < ow; x += XB) conv_block8(cv, img, wt, y, x + XB <= ow ? x : ow - XB, fv, s, XB, NY);
}

/* 16 registers: 3 x 3 accumulators + 3 filter vectors + a broadcast, or 4 x 2 + 2 + 1 */
AVX2 void lnn_conv_forward_avx2(float *out, int32_t *arg, float *scratch, const float *in,
                                const float *W, size_t m, const lnn_conv *s) {
  const size_t chw = (size_t)s->c * s->h * s->w, F8 = f8_of(s);
  const size_t nout = (size_t)s->f * lnn_conv_qh(s) * lnn_conv_qw(s);
  const size_t K = (size_t)s->c * s->kh * s->kw;
  float *wt = scratch, *cv = scratch + K * F8;
  const int oh = lnn_conv_oh(s);
  size_t i, fv;
  int y;
  transpose_pad(wt, W, s, F8);
  for (i = 0; i < m; i++) {
    const float *img = in + i * chw;
    for (y = 0; y < oh; y++)
      for (fv = 0; fv < F8; fv += 24) {
        size_t nv = (F8 - fv) / 8;
        if (nv >= 3) conv_row8(cv, img, wt, y, fv, s, 3, 3);
        else if (nv == 2) conv_row8(cv, img, wt, y, fv, s, 4, 2);
        else conv_row8(cv, img, wt, y, fv, s, 4, 1);
      }
    pool_rows(out + i * nout, arg + i * nout, cv, s, F8);
  }
}

AVX2 void lnn_conv_backward_avx2(float *gW, float *din, float *scratch, const float *dz,
                                 const int32_t *arg, const float *in, const float *W, size_t m,
                                 const lnn_conv *s) {
  BACKWARD(gW, din, scratch, dz, arg, in, W, m, s);
}

/* AVX-512 has 32: 8 x 3 accumulators, 3 filter vectors and a broadcast */
AVX512 void lnn_conv_forward_avx512(float *out, int32_t *arg, float *scratch, const float *in,
                                    const float *W, size_t m, const lnn_conv *s) {
  forward_body(out, arg, scratch, in, W, m, s, 8);
}

AVX512 void lnn_conv_backward_avx512(float *gW, float *din, float *scratch, const float *dz,
                                     const int32_t *arg, const float *in, const float *W,
                                     size_t m, const lnn_conv *s) {
  BACKWARD(gW, din, scratch, dz, arg, in, W, m, s);
}

#endif
