/* conv.c -- convolution + max-pool kernels: the naive form (the definition
 * written as loops) and the fast one (direct SIMD forward, a backward that
 * follows the pool's argmax).  Specs compare the two on odd shapes.
 * K = c kh kw inputs of a window, P = oh ow windows per item.  No BLAS: at
 * these sizes (K = 25..500, f = 20..40) the direct loops beat im2col + sgemm. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "conv.h"

size_t lnn_conv_scratch_floats(const lnn_conv *s) {
  const size_t K = (size_t)s->c * s->kh * s->kw, P = (size_t)lnn_conv_oh(s) * lnn_conv_ow(s);
  const size_t F16 = (size_t)(s->f + 15) / 16 * 16;
  const size_t Kp = (K + 7) / 8 * 8;
  const size_t L = P > (size_t)s->f ? P : (size_t)s->f;
  /* the AVX-512 forward: wt and cv; the backward: rows and its lists (conv.c) */
  const size_t fwd = K * F16 + P * F16, bwd = 8 + P * Kp + 8 + P + 2 * L;
  return fwd > bwd ? fwd : bwd;
}

/* ---- naive twins ---- */

/* one convolution output: filter f at window (y, x) of item img (c x h x w),
 * summed in (c, ky, kx) order with fused multiply-adds (fmaf: one rounding
 * per term, as the SIMD forms' FMA instructions, so they give the same bits) */
static float conv_at(const float *img, const float *W, int f, int y, int x, const lnn_conv *s) {
  const float *wf = W + (size_t)f * s->c * s->kh * s->kw;
  float acc = 0.0f;
  int c, ky, kx;
  for (c = 0; c < s->c; c++)
    for (ky = 0; ky < s->kh; ky++)
      for (kx = 0; kx < s->kw; kx++)
        acc = fmaf(img[((size_t)c * s->h + y + ky) * s->w + x + kx],
                   wf[((size_t)c * s->kh + ky) * s->kw + kx], acc);
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
 * Two forwards, no im2col: the AVX-512 one (vector types, below) keeps W
 * transposed and padded, wt (K x F16) with F16 = f rounded up to 16, and sums
 * broadcast input pixels times rows of wt into XB x NF vectors of 16
 * filters: cv (P x F16) per item, pooled along f; the AVX2 one (intrinsics,
 * further down) runs along output rows with W as it is.  One backward for
 * both, using the max-pool: only the argmax of each window carries a delta,
 * and ReLU zeroes many of those, so instead of two dense products it adds
 * g * (window) to the filter's gradient and g * (filter) to the window's
 * input delta, once per non-zero delta: a quarter of the work or less. */

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

#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f,avx2,fma")))

/* The AVX2 forward is written with intrinsics on 8-float vectors (the 16-float
 * vector type above compiles for AVX2 into spills).  It keeps W as it is
 * (f x K) and runs along the output rows instead of along the filters: a
 * "slot" is 8 outputs side by side in one row (a row of ow outputs has
 * ceil(ow / 8) of them, the last overlapping the one before), and a block
 * sums NF filters x NB slots in registers over one loop of K steps: per
 * step, NB unaligned loads of input pixels, NF broadcast weights, NF NB
 * products.  No transposed copy of W per call (a chunk of a mini-batch is
 * often one item), one long loop per block, every lane useful on the
 * book's 24- and 8-wide maps.  The terms are fused multiply-adds in
 * (c, ky, kx) order from 0, as the naive loops' fmaf, so both forms give the
 * same bits (a multiply then an add is a third slower on Zen 1: twice the
 * instructions through the same two multiply pipes).  Maps narrower than 8
 * go through the naive loops. */

/* cv (f x oh x ow) at filters f0 .. f0 + NF - 1 and the NB slots at output
 * offsets po[] (y ow + x), input offsets pi[] (y w + x); koff[k]: the input
 * offset of step k = (c, ky, kx) of a window */
AVX2 INLINE void conv_slots(float *cv, const float *img, const float *W, const int32_t *koff,
                            size_t K, size_t P, int f0, const size_t *po, const size_t *pi,
                            const int NF, const int NB) {
  __m256 acc[3][3];
  const float *wf[3];
  size_t k;
  int f, b;
  for (f = 0; f < NF; f++) {
    wf[f] = W + (size_t)(f0 + f) * K;
    for (b = 0; b < NB; b++) acc[f][b] = _mm256_setzero_ps();
  }
  for (k = 0; k < K; k++) {
    const float *src = img + koff[k];
    __m256 x[3];
    for (b = 0; b < NB; b++) x[b] = _mm256_loadu_ps(src + pi[b]);
    for (f = 0; f < NF; f++) {
      const __m256 wv = _mm256_broadcast_ss(wf[f] + k);
      for (b = 0; b < NB; b++) acc[f][b] = _mm256_fmadd_ps(wv, x[b], acc[f][b]);
    }
  }
  for (f = 0; f < NF; f++)
    for (b = 0; b < NB; b++) _mm256_storeu_ps(cv + (size_t)(f0 + f) * P + po[b], acc[f][b]);
}

/* the NB slots at po/pi, every filter, 3 at a time */
AVX2 INLINE void conv_filters(float *cv, const float *img, const float *W, const int32_t *koff,
                              size_t K, size_t P, int F, const size_t *po, const size_t *pi,
                              const int NB) {
  int f0;
  for (f0 = 0; f0 + 3 <= F; f0 += 3) conv_slots(cv, img, W, koff, K, P, f0, po, pi, 3, NB);
  if (F - f0 == 2) conv_slots(cv, img, W, koff, K, P, f0, po, pi, 2, NB);
  else if (F - f0 == 1) conv_slots(cv, img, W, koff, K, P, f0, po, pi, 1, NB);
}

/* 16 floats from src as their 8 even and 8 odd ones */
AVX2 INLINE void deinterleave(const float *src, __m256 *even, __m256 *odd) {
  const __m256 a = _mm256_loadu_ps(src), b = _mm256_loadu_ps(src + 8);
  *even = _mm256_castpd_ps(
      _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
  *odd = _mm256_castpd_ps(
      _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
}

/* best, at = v, p where v > best (the naive loops' test: ties and NaN keep the first) */
AVX2 INLINE void keep_max(__m256 *best, __m256i *at, __m256 v, __m256i p) {
  const __m256 gt = _mm256_cmp_ps(v, *best, _CMP_GT_OQ);
  *best = _mm256_blendv_ps(*best, v, gt);
  *at = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(*at), _mm256_castsi256_ps(p), gt));
}

/* 8 windows of a 2 x 2 pool side by side, from map row 2 qy, columns 2 qx .. 2 qx + 15 */
AVX2 INLINE void pool8_2x2(float *out, int32_t *arg, const float *map, int ow, int qy, int qx) {
  const int p0 = 2 * qy * ow + 2 * qx;
  const __m256i p = _mm256_add_epi32(_mm256_set1_epi32(p0), _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14));
  __m256 e0, o0, e1, o1, best;
  __m256i at = p;
  deinterleave(map + p0, &e0, &o0);
  deinterleave(map + p0 + ow, &e1, &o1);
  best = e0;
  keep_max(&best, &at, o0, _mm256_add_epi32(p, _mm256_set1_epi32(1)));
  keep_max(&best, &at, e1, _mm256_add_epi32(p, _mm256_set1_epi32(ow)));
  keep_max(&best, &at, o1, _mm256_add_epi32(p, _mm256_set1_epi32(ow + 1)));
  _mm256_storeu_ps(out, best);
  _mm256_storeu_si256((__m256i *)(void *)arg, at);
}

/* out, arg (f x qh x qw) of one item from cv (f x oh x ow), as the naive
 * loops pool; 2 x 2 pools 8 windows at a time when a pooled row has 8 */
AVX2 INLINE void pool_maps(float *out, int32_t *arg, const float *cv, const lnn_conv *s) {
  const int ow = lnn_conv_ow(s), qh = lnn_conv_qh(s), qw = lnn_conv_qw(s);
  const size_t P = (size_t)lnn_conv_oh(s) * ow, nq = (size_t)qh * qw;
  const int vec = s->ph == 2 && s->pw == 2 && qw >= 8;
  int f, qy, qx, dy, dx;
  for (f = 0; f < s->f; f++) {
    const float *map = cv + (size_t)f * P;
    float *o = out + (size_t)f * nq;
    int32_t *a = arg + (size_t)f * nq;
    for (qy = 0; qy < qh; qy++, o += qw, a += qw) {
      if (vec) {
        for (qx = 0; qx < qw; qx += 8) {
          const int x = qx + 8 <= qw ? qx : qw - 8;
          pool8_2x2(o + x, a + x, map, ow, qy, x);
        }
        continue;
      }
      for (qx = 0; qx < qw; qx++) {
        const int p0 = qy * s->ph * ow + qx * s->pw;
        float best = map[p0];
        int32_t at = p0;
        for (dy = 0; dy < s->ph; dy++)
          for (dx = 0; dx < s->pw; dx++) {
            const int p = p0 + dy * ow + dx;
            if (map[p] > best) best = map[p], at = p;
          }
        o[qx] = best;
        a[qx] = at;
      }
    }
  }
}

/* scratch: koff (K), then one item's cv (f x oh x ow) */
AVX2 void lnn_conv_forward_avx2(float *out, int32_t *arg, float *scratch, const float *in,
                                const float *W, size_t m, const lnn_conv *s) {
  const int oh = lnn_conv_oh(s), ow = lnn_conv_ow(s), sw = (ow + 7) / 8, ns = oh * sw;
  const size_t chw = (size_t)s->c * s->h * s->w, P = (size_t)oh * ow;
  const size_t nout = (size_t)s->f * lnn_conv_qh(s) * lnn_conv_qw(s);
  const size_t K = (size_t)s->c * s->kh * s->kw;
  int32_t *koff = (int32_t *)(void *)scratch;
  float *cv = scratch + K;
  size_t i, k = 0;
  int c, ky, kx, j;
  if (ow < 8) {
    lnn_conv_forward_naive(out, arg, scratch, in, W, m, s);
    return;
  }
  for (c = 0; c < s->c; c++)
    for (ky = 0; ky < s->kh; ky++)
      for (kx = 0; kx < s->kw; kx++) koff[k++] = (c * s->h + ky) * s->w + kx;
  for (i = 0; i < m; i++) {
    const float *img = in + i * chw;
    for (j = 0; j < ns; j += 3) {
      size_t po[3], pi[3];
      int b, nb = ns - j < 3 ? ns - j : 3;
      for (b = 0; b < nb; b++) {
        const int y = (j + b) / sw, xs = (j + b) % sw, x = xs * 8 + 8 <= ow ? xs * 8 : ow - 8;
        po[b] = (size_t)y * ow + x;
        pi[b] = (size_t)y * s->w + x;
      }
      if (nb == 3) conv_filters(cv, img, W, koff, K, P, s->f, po, pi, 3);
      else if (nb == 2) conv_filters(cv, img, W, koff, K, P, s->f, po, pi, 2);
      else conv_filters(cv, img, W, koff, K, P, s->f, po, pi, 1);
    }
    pool_maps(out + i * nout, arg + i * nout, cv, s);
  }
}

/* The AVX2 backward, in intrinsics, follows the max-pool as the vector-type
 * one does (only a window's argmax carries a delta; ReLU zeroes many) but
 * keeps its sums in registers:
 * - gW: the windows of one item as rows of an im2row padded to Kp = K
 *   rounded up to 8 (zeros from K on); per filter, 8 vectors of its gradient
 *   row stay in registers while every non-zero delta of that filter adds
 *   g * (its window's row), instead of an axpy (load, add, store) per delta;
 * - din: per window position p in row order, the filters whose argmax is p
 *   sum g * (filter) in registers (f in order) into one row, added at once
 *   into the item's input delta; positions no delta reaches are skipped.
 * Each element gets its terms in the order the axpy form added them, as
 * fused multiply-adds (what the compiler made of that form's axpy), so
 * the parameters a training run reaches do not change. */
static size_t k8_of(size_t K) { return (K + 7) / 8 * 8; }

/* the first n (0..8) of 8 lanes */
AVX2 INLINE __m256i lanes(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* rows (P x Kp): row p = window p of one item in (c, ky, kx) order, zeros
 * from K to Kp.  A window row of kw <= 8 pixels is one 8-wide load and
 * store (masked only at the item's end: masked stores are slow on some
 * cores, masked loads fine) whose spill is overwritten next (the last one's
 * by the zeros, those of a row's end by the next row: Kp + 8 floats of room). */
AVX2 INLINE void im2row8(float *rows, const float *img, const lnn_conv *s, size_t Kp) {
  const int oh = lnn_conv_oh(s), ow = lnn_conv_ow(s);
  const size_t K = (size_t)s->c * s->kh * s->kw;
  const __m256i mask = lanes(s->kw);
  const float *end = img + (size_t)s->c * s->h * s->w;
  int y, x, c, ky, kx;
  for (y = 0; y < oh; y++)
    for (x = 0; x < ow; x++) {
      float *r = rows + ((size_t)y * ow + (size_t)x) * Kp;
      for (c = 0; c < s->c; c++)
        for (ky = 0; ky < s->kh; ky++) {
          const float *src = img + ((size_t)c * s->h + (size_t)(y + ky)) * s->w + x;
          float *dst = r + ((size_t)c * s->kh + ky) * s->kw;
          if (s->kw <= 8)
            _mm256_storeu_ps(dst, src + 8 <= end ? _mm256_loadu_ps(src) : _mm256_maskload_ps(src, mask));
          else
            for (kx = 0; kx < s->kw; kx++) dst[kx] = src[kx];
        }
      _mm256_storeu_ps(r + K, _mm256_setzero_ps());
    }
}

/* gW row += sum over t < n of g[t] * rows[p[t]], vectors v0 .. v0 + NV - 1
 * of it; MASKED: the last of them holds the row's last K % 8 floats */
AVX2 INLINE void gw_block(float *gw, const float *rows, size_t Kp, const float *g, const int32_t *p,
                          size_t n, size_t v0, __m256i mask, const int NV, const int MASKED) {
  __m256 acc[8];
  size_t t;
  int j;
  for (j = 0; j < NV; j++)
    acc[j] = MASKED && j == NV - 1 ? _mm256_maskload_ps(gw + 8 * (v0 + (size_t)j), mask)
                                   : _mm256_loadu_ps(gw + 8 * (v0 + (size_t)j));
  for (t = 0; t < n; t++) {
    const __m256 gv = _mm256_broadcast_ss(g + t);
    const float *r = rows + (size_t)p[t] * Kp + 8 * v0;
    for (j = 0; j < NV; j++) acc[j] = _mm256_fmadd_ps(gv, _mm256_loadu_ps(r + 8 * j), acc[j]);
  }
  for (j = 0; j < NV; j++) {
    if (MASKED && j == NV - 1) _mm256_maskstore_ps(gw + 8 * (v0 + (size_t)j), mask, acc[j]);
    else _mm256_storeu_ps(gw + 8 * (v0 + (size_t)j), acc[j]);
  }
}

/* row (Kp) = sum over t < n of g[t] * W[f[t]] (rows of K floats), vectors
 * v0 .. v0 + NV - 1; MASKED as gw_block (the lanes from K on are 0) */
AVX2 INLINE void dcol_block(float *row, const float *W, size_t K, const float *g, const int32_t *f,
                            size_t n, size_t v0, __m256i mask, const int NV, const int MASKED) {
  __m256 acc[8];
  size_t t;
  int j;
  for (j = 0; j < NV; j++) acc[j] = _mm256_setzero_ps();
  for (t = 0; t < n; t++) {
    const __m256 gv = _mm256_broadcast_ss(g + t);
    const float *w = W + (size_t)f[t] * K + 8 * v0;
    for (j = 0; j < NV; j++)
      acc[j] = _mm256_fmadd_ps(
          gv, MASKED && j == NV - 1 ? _mm256_maskload_ps(w + 8 * j, mask) : _mm256_loadu_ps(w + 8 * j),
          acc[j]);
  }
  for (j = 0; j < NV; j++) _mm256_storeu_ps(row + 8 * (v0 + (size_t)j), acc[j]);
}

/* a row of K floats as Kp / 8 vectors: 8, 4, 2, 1 at a time, the block
 * that ends the row MASKED when K is not a multiple of 8 */
#define BY_BLOCKS(call)                                            \
  do {                                                             \
    const size_t nv_ = Kp / 8;                                     \
    const int m_ = K % 8 != 0;                                     \
    size_t v0 = 0;                                                 \
    for (; v0 + 8 < nv_; v0 += 8) call(8, 0);                      \
    if (v0 + 8 == nv_) call(8, m_), v0 += 8;                       \
    if (v0 + 4 < nv_) call(4, 0), v0 += 4;                         \
    if (v0 + 4 == nv_) call(4, m_), v0 += 4;                       \
    if (v0 + 2 < nv_) call(2, 0), v0 += 2;                         \
    if (v0 + 2 == nv_) call(2, m_), v0 += 2;                       \
    if (v0 + 1 == nv_) call(1, m_);                                \
  } while (0)

/* din rows (c0 .. c0 + NC - 1, yi) of one item, columns x0 .. x0 + 7 (those
 * below w stored): the sums of the window rows dcol[p] that cover them, p in
 * row order (the axpy form's order), read 8 wide at the column's offset in
 * the window and masked to the lanes the window covers; NC channels at once
 * (independent sums: the adds' latency overlaps) */
AVX2 INLINE void din_vectors(float *d, const float *dcol, const uint8_t *active, size_t Kp, int c0,
                             int yi, int x0, const lnn_conv *s, const int NC) {
  const int oh = lnn_conv_oh(s), ow = lnn_conv_ow(s);
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const int y1 = yi < oh - 1 ? yi : oh - 1, xa = x0 - s->kw + 1 > 0 ? x0 - s->kw + 1 : 0;
  const int xb = x0 + 7 < ow - 1 ? x0 + 7 : ow - 1, n = s->w - x0 < 8 ? s->w - x0 : 8;
  const size_t cstep = (size_t)s->kh * s->kw;
  __m256 acc[4];
  int y, x, j;
  for (j = 0; j < NC; j++) acc[j] = _mm256_setzero_ps();
  for (y = yi - s->kh + 1 > 0 ? yi - s->kh + 1 : 0; y <= y1; y++) {
    const size_t seg = ((size_t)c0 * s->kh + (size_t)(yi - y)) * s->kw;
    for (x = xa; x <= xb; x++) {
      const size_t p = (size_t)y * ow + x;
      const __m256i kx = _mm256_add_epi32(iota, _mm256_set1_epi32(x0 - x));
      __m256 in;
      const float *r;
      if (!active[p]) continue;
      in = _mm256_castsi256_ps(_mm256_and_si256(_mm256_cmpgt_epi32(kx, _mm256_set1_epi32(-1)),
                                                _mm256_cmpgt_epi32(_mm256_set1_epi32(s->kw), kx)));
      r = dcol + p * Kp + seg + x0 - x;
      for (j = 0; j < NC; j++)
        acc[j] = _mm256_add_ps(acc[j], _mm256_and_ps(_mm256_loadu_ps(r + (size_t)j * cstep), in));
    }
  }
  for (j = 0; j < NC; j++) {
    float *dst = d + ((size_t)(c0 + j) * s->h + (size_t)yi) * s->w + x0;
    if (n == 8) {
      _mm256_storeu_ps(dst, acc[j]);
    } else {
      float tmp[8];
      _mm256_storeu_ps(tmp, acc[j]);
      memcpy(dst, tmp, (size_t)n * sizeof *dst);
    }
  }
}

/* scratch: 8 floats of room, rows (P x Kp) of the item's windows (then, once
 * gW has them, the rows of its input delta), 8 of room, flags (P bytes in P
 * floats), two lists of max(P, f) */
AVX2 void lnn_conv_backward_avx2(float *gW, float *din, float *scratch, const float *dz,
                                 const int32_t *arg, const float *in, const float *W, size_t m,
                                 const lnn_conv *s) {
  const int ow = lnn_conv_ow(s), qh = lnn_conv_qh(s), qw = lnn_conv_qw(s);
  const size_t P = (size_t)lnn_conv_oh(s) * ow, chw = (size_t)s->c * s->h * s->w;
  const size_t nq = (size_t)qh * qw, nout = (size_t)s->f * nq, L = P > (size_t)s->f ? P : (size_t)s->f;
  const size_t K = (size_t)s->c * s->kh * s->kw, Kp = k8_of(K);
  const __m256i mask = lanes((int)(K % 8));
  float *rows = scratch + 8, *gl = rows + P * Kp + 8 + P;
  uint8_t *active = (uint8_t *)(void *)(rows + P * Kp + 8);
  int32_t *pl = (int32_t *)(void *)(gl + L);
  size_t i, q, n, p;
  int f, c, yi, x0;
  for (i = 0; i < m; i++) {
    const float *g = dz + i * nout;
    const int32_t *a = arg + i * nout;
    im2row8(rows, in + i * chw, s, Kp);
    for (f = 0; f < s->f; f++) {
      float *gw = gW + (size_t)f * K;
      for (q = 0, n = 0; q < nq; q++) {
        const float gv = g[(size_t)f * nq + q];
        if (gv == 0.0f) continue;
        gl[n] = gv;
        pl[n++] = a[(size_t)f * nq + q];
      }
      if (n == 0) continue;
#define GW(NV, MASKED) gw_block(gw, rows, Kp, gl, pl, n, v0, mask, NV, MASKED)
      BY_BLOCKS(GW);
#undef GW
    }
    if (din == NULL) continue;
    for (p = 0; p < P; p++) { /* rows of the input delta, over the windows' rows */
      const int y = (int)(p / (size_t)ow), x = (int)(p % (size_t)ow);
      float *row = rows + p * Kp;
      active[p] = 0;
      if (y / s->ph >= qh || x / s->pw >= qw) continue; /* a ragged edge: no window */
      q = (size_t)(y / s->ph) * qw + (size_t)(x / s->pw);
      for (f = 0, n = 0; f < s->f; f++) {
        const float gv = g[(size_t)f * nq + q];
        if (gv == 0.0f || (size_t)a[(size_t)f * nq + q] != p) continue;
        gl[n] = gv;
        pl[n++] = f;
      }
      if (n == 0) continue;
      active[p] = 1;
#define DCOL(NV, MASKED) dcol_block(row, W, K, gl, pl, n, v0, mask, NV, MASKED)
      BY_BLOCKS(DCOL);
#undef DCOL
    }
    for (yi = 0; yi < s->h; yi++)
      for (x0 = 0; x0 < s->w; x0 += 8) {
        for (c = 0; c + 4 <= s->c; c += 4) din_vectors(din + i * chw, rows, active, Kp, c, yi, x0, s, 4);
        for (; c < s->c; c++) din_vectors(din + i * chw, rows, active, Kp, c, yi, x0, s, 1);
      }
  }
}
#undef BY_BLOCKS

/* AVX-512 has 32: 8 x 3 accumulators, 3 filter vectors and a broadcast */
AVX512 void lnn_conv_forward_avx512(float *out, int32_t *arg, float *scratch, const float *in,
                                    const float *W, size_t m, const lnn_conv *s) {
  forward_body(out, arg, scratch, in, W, m, s, 8);
}

/* the AVX2 backward (above) serves AVX-512 machines too: its sums are
 * fused multiply-adds in the same order, whatever the vector width */
AVX512 void lnn_conv_backward_avx512(float *gW, float *din, float *scratch, const float *dz,
                                     const int32_t *arg, const float *in, const float *W,
                                     size_t m, const lnn_conv *s) {
  lnn_conv_backward_avx2(gW, din, scratch, dz, arg, in, W, m, s);
}

#endif
