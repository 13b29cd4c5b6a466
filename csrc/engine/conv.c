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
#include "kernels.h"

size_t lnn_conv_scratch_floats(const lnn_conv *s) {
  const size_t K = (size_t)s->c * s->kh * s->kw, P = (size_t)lnn_conv_oh(s) * lnn_conv_ow(s);
  const size_t Kp = (K + 15) / 16 * 16; /* the backward's rows, for either vector width */
  const size_t L = P > (size_t)s->f ? P : (size_t)s->f;
  /* the fast forwards: koff (K ints) and one item's maps (f x P); the fast
   * backward: rows and its lists (conv_backward.h); the naive forward: one
   * map (<= P); the naive backward: K */
  const size_t nout = (size_t)s->f * lnn_conv_qh(s) * lnn_conv_qw(s);
  const size_t fwd = K + (size_t)s->f * P, bwd = 16 + P * Kp + 16 + P + 2 * L + 2 * P + 2 * nout;
  return fwd > bwd ? fwd : bwd;
}

/* ---- naive twins ---- */

/* One filter's convolution map over the windows the pool reads (rows
 * 0..qh*ph-1, columns 0..qw*pw-1; a ragged edge is never read):
 * map[y][x] = sum over (c, ky, kx) in that order, by fused multiply-adds
 * from 0 (fmaf: one rounding per term, as the SIMD forms' FMA instructions,
 * so they give the same bits).  Each output takes its terms in that order;
 * the outputs are independent, so each term is added to the whole map. */
static void conv_map(float *map, const float *img, const float *wf, const lnn_conv *s) {
  const int mh = lnn_conv_qh(s) * s->ph, mw = lnn_conv_qw(s) * s->pw;
  int y, x, c, ky, kx;
  for (y = 0; y < mh * mw; y++) map[y] = 0.0f;
  for (c = 0; c < s->c; c++)
    for (ky = 0; ky < s->kh; ky++)
      for (kx = 0; kx < s->kw; kx++) {
        const float w = wf[((size_t)c * s->kh + ky) * s->kw + kx];
        for (y = 0; y < mh; y++) {
          const float *in = img + ((size_t)c * s->h + y + ky) * s->w + kx;
          float *row = map + (size_t)y * mw;
          for (x = 0; x < mw; x++) row[x] = fmaf(in[x], w, row[x]);
        }
      }
}

/* scratch: one filter's map (qh ph x qw pw floats) */
LNN_NAIVE static void forward_naive(float *out, int32_t *arg, float *scratch, const float *in,
                                    const float *W, size_t m, const lnn_conv *s) {
  const int ow = lnn_conv_ow(s), qh = lnn_conv_qh(s), qw = lnn_conv_qw(s), mw = qw * s->pw;
  const size_t chw = (size_t)s->c * s->h * s->w, K = (size_t)s->c * s->kh * s->kw;
  float *map = scratch;
  size_t i, o = 0;
  int f, qy, qx, dy, dx;
  for (i = 0; i < m; i++)
    for (f = 0; f < s->f; f++) {
      conv_map(map, in + i * chw, W + (size_t)f * K, s);
      for (qy = 0; qy < qh; qy++)
        for (qx = 0; qx < qw; qx++, o++) {
          float best = -FLT_MAX;
          int32_t at = 0;
          for (dy = 0; dy < s->ph; dy++)
            for (dx = 0; dx < s->pw; dx++) {
              int y = qy * s->ph + dy, x = qx * s->pw + dx;
              float v = map[(size_t)y * mw + x];
              if (v > best || (dy == 0 && dx == 0)) {
                best = v;
                at = y * ow + x;
              }
            }
          out[o] = best;
          arg[o] = at;
        }
    }
}

/* The backward's order, which every form follows (docs/arithmetic.md):
 * - gW[f] gets g * (window p's pixels) for each non-zero delta g of filter
 *   f, items in order, pooled outputs q in order, by fused multiply-adds;
 * - din of an item: for each window position p in row order that some
 *   non-zero delta routes to (its pool's argmax), a row of K sums
 *   g * W[f] over those filters f in order, by fused multiply-adds from 0;
 *   each input pixel is then the sum, from 0, of the rows' entries that
 *   cover it, p in row order.
 * scratch: K floats for that row. */
LNN_NAIVE static void backward_naive(float *gW, float *din, float *scratch, const float *dz,
                                     const int32_t *arg, const float *in, const float *W,
                                     size_t m, const lnn_conv *s, int f0, int f1) {
  const int oh = lnn_conv_oh(s), ow = lnn_conv_ow(s), qh = lnn_conv_qh(s), qw = lnn_conv_qw(s);
  const size_t nq = (size_t)qh * qw, nout = (size_t)s->f * nq;
  const size_t chw = (size_t)s->c * s->h * s->w, K = (size_t)s->c * s->kh * s->kw;
  float *row = scratch;
  size_t i, q, k;
  int f, c, ky, kx, y, x;
  for (i = 0; i < m; i++) {
    const float *g = dz + i * nout, *img = in + i * chw;
    const int32_t *a = arg + i * nout;
    for (f = f0; f < f1; f++)
      for (q = 0; q < nq; q++) {
        const float gv = g[(size_t)f * nq + q];
        const int py = a[(size_t)f * nq + q] / ow, px = a[(size_t)f * nq + q] % ow;
        if (gv == 0.0f) continue;
        for (c = 0, k = 0; c < s->c; c++)
          for (ky = 0; ky < s->kh; ky++)
            for (kx = 0; kx < s->kw; kx++, k++) {
              float *gw = gW + (size_t)f * K + k;
              *gw = fmaf(gv, img[((size_t)c * s->h + (size_t)(py + ky)) * s->w + px + kx], *gw);
            }
      }
    if (din == NULL) continue;
    memset(din + i * chw, 0, chw * sizeof *din);
    for (y = 0; y < oh; y++)
      for (x = 0; x < ow; x++) {
        int any = 0;
        if (y / s->ph >= qh || x / s->pw >= qw) continue; /* a ragged edge: no window */
        q = (size_t)(y / s->ph) * qw + (size_t)(x / s->pw);
        for (k = 0; k < K; k++) row[k] = 0.0f;
        for (f = 0; f < s->f; f++) {
          const float gv = g[(size_t)f * nq + q];
          if (gv == 0.0f || a[(size_t)f * nq + q] != y * ow + x) continue;
          any = 1;
          for (k = 0; k < K; k++) row[k] = fmaf(gv, W[(size_t)f * K + k], row[k]);
        }
        if (!any) continue;
        for (c = 0, k = 0; c < s->c; c++)
          for (ky = 0; ky < s->kh; ky++)
            for (kx = 0; kx < s->kw; kx++, k++)
              din[i * chw + ((size_t)c * s->h + (size_t)(y + ky)) * s->w + x + kx] += row[k];
      }
  }
}

void lnn_conv_forward_naive(float *out, int32_t *arg, float *scratch, const float *in,
                            const float *W, size_t m, const lnn_conv *s) {
  forward_naive(out, arg, scratch, in, W, m, s);
}

void lnn_conv_backward_naive(float *gW, float *din, float *scratch, const float *dz,
                             const int32_t *arg, const float *in, const float *W, size_t m,
                             const lnn_conv *s, int f0, int f1) {
  backward_naive(gW, din, scratch, dz, arg, in, W, m, s, f0, f1);
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

/* koff[k]: the input offset of step k = (c, ky, kx) of a window (the fast forwards) */
static void window_offsets(int32_t *koff, const lnn_conv *s) {
  int c, ky, kx, k = 0;
  for (c = 0; c < s->c; c++)
    for (ky = 0; ky < s->kh; ky++)
      for (kx = 0; kx < s->kw; kx++) koff[k++] = (c * s->h + ky) * s->w + kx;
}

/* po, pi: the output (y ow + x) and input (y w + x) offsets of slots j .. j + nb - 1,
 * a slot being 8 outputs side by side in a row (sw of them per row, the last
 * overlapping the one before) */
static void slot_offsets(size_t *po, size_t *pi, int j, int nb, const lnn_conv *s) {
  const int ow = lnn_conv_ow(s), sw = (ow + 7) / 8;
  int b;
  for (b = 0; b < nb; b++) {
    const int y = (j + b) / sw, xs = (j + b) % sw, x = xs * 8 + 8 <= ow ? xs * 8 : ow - 8;
    po[b] = (size_t)y * ow + x;
    pi[b] = (size_t)y * s->w + x;
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
  size_t i;
  int j;
  if (ow < 8) {
    lnn_conv_forward_naive(out, arg, scratch, in, W, m, s);
    return;
  }
  window_offsets(koff, s);
  for (i = 0; i < m; i++) {
    const float *img = in + i * chw;
    for (j = 0; j < ns; j += 3) {
      size_t po[3], pi[3];
      const int nb = ns - j < 3 ? ns - j : 3;
      slot_offsets(po, pi, j, nb, s);
      if (nb == 3) conv_filters(cv, img, W, koff, K, P, s->f, po, pi, 3);
      else if (nb == 2) conv_filters(cv, img, W, koff, K, P, s->f, po, pi, 2);
      else conv_filters(cv, img, W, koff, K, P, s->f, po, pi, 1);
    }
    pool_maps(out + i * nout, arg + i * nout, cv, s);
  }
}

/* The backward (conv_backward.h), once for each vector width */
#define BW_SUFFIX(name) name##_avx2
#define DIN_SUFFIX(name) name##_avx2
#define DIN_VN 8
#define BW_TARGET AVX2
#define V __m256
#define VM __m256i
#define VN 8
#define vzero() _mm256_setzero_ps()
#define vload(p) _mm256_loadu_ps(p)
#define vloadm(p, m) _mm256_maskload_ps(p, m)
#define vstore(p, v) _mm256_storeu_ps(p, v)
#define vstorem(p, m, v) _mm256_maskstore_ps(p, m, v)
#define vstoren(p, n, v) store_first_avx2(p, n, v)
#define vbcast(p) _mm256_broadcast_ss(p)
#define vfma(a, b, c) _mm256_fmadd_ps(a, b, c)
#define vadd(a, b) _mm256_add_ps(a, b)
#define vmask(n) lanes_avx2(n)
#define vwindow(lo, kw) window_avx2(lo, kw)

/* the first n (0..8) of 8 lanes */
AVX2 INLINE __m256i lanes_avx2(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* lanes j with 0 <= lo + j < kw */
AVX2 INLINE __m256i window_avx2(int lo, int kw) {
  const __m256i k = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(lo));
  return _mm256_and_si256(_mm256_cmpgt_epi32(k, _mm256_set1_epi32(-1)),
                          _mm256_cmpgt_epi32(_mm256_set1_epi32(kw), k));
}

/* the first n < 8 floats of v (masked stores are slow on some AVX2 cores) */
AVX2 INLINE void store_first_avx2(float *p, int n, __m256 v) {
  float tmp[8];
  _mm256_storeu_ps(tmp, v);
  memcpy(p, tmp, (size_t)n * sizeof *p);
}

#include "conv_backward.h"

#undef BW_SUFFIX
#undef DIN_SUFFIX
#undef DIN_VN
#undef BW_TARGET
#undef V
#undef VM
#undef VN
#undef vzero
#undef vload
#undef vloadm
#undef vstore
#undef vstorem
#undef vstoren
#undef vbcast
#undef vfma
#undef vadd
#undef vmask
#undef vwindow

#define BW_SUFFIX(name) name##_avx512
/* the input delta's gather stays 8 lanes wide (the AVX2 din_vectors): on the
 * book's 12- and 28-pixel rows most of a 16-lane load is masked off, and
 * masked 16-lane loads cost more than the narrow ones (W4 3% faster); the
 * adds per element are the same, so the bits are */
#define DIN_SUFFIX(name) name##_avx2
#define DIN_VN 8
#define BW_TARGET AVX512
#define V __m512
#define VM __mmask16
#define VN 16
#define vzero() _mm512_setzero_ps()
#define vload(p) _mm512_loadu_ps(p)
#define vloadm(p, m) _mm512_maskz_loadu_ps(m, p)
#define vstore(p, v) _mm512_storeu_ps(p, v)
#define vstorem(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define vstoren(p, n, v) _mm512_mask_storeu_ps(p, lanes_avx512(n), v)
#define vbcast(p) _mm512_set1_ps(*(p))
#define vfma(a, b, c) _mm512_fmadd_ps(a, b, c)
#define vadd(a, b) _mm512_add_ps(a, b)
#define vmask(n) lanes_avx512(n)
#define vwindow(lo, kw) window_avx512(lo, kw)

/* the first n (0..16) of 16 lanes */
AVX512 INLINE __mmask16 lanes_avx512(int n) {
  return (__mmask16)(n >= 16 ? 0xffffu : ((1u << n) - 1u));
}

/* lanes j with 0 <= lo + j < kw */
AVX512 INLINE __mmask16 window_avx512(int lo, int kw) {
  const int first = lo < 0 ? -lo : 0, last = kw - lo; /* lanes first .. last - 1 */
  if (last <= first) return 0;
  return (__mmask16)(lanes_avx512(last > 16 ? 16 : last) & ~lanes_avx512(first > 16 ? 16 : first));
}

#include "conv_backward.h"

/* The AVX-512 forward is the AVX2 one with two slots per vector: a pair of
 * consecutive slots (8 outputs of a row each, as above) fills the 16 lanes,
 * its pixels loaded as two 8-wide halves.  Every lane sums the same fused
 * multiply-adds in the same (c, ky, kx) order as the AVX2 slot it comes
 * from, so the two forms give the same bits by construction; the pairs keep
 * every lane useful where the AVX2 slots do (the book's 24- and 8-wide maps:
 * a pair of 8-wide rows, or two thirds of a 24-wide one), without the
 * transposed copy of W a vector-of-filters form needs per call.  NF filters
 * x NB pairs in registers: 4 x 3 measured fastest on a Zen 5 (inference of
 * the 6.4 net 0.275 s; 4 x 2 0.285 s, 5 x 3 0.39 s, 5 x 4 0.53 s: past 4 x 3
 * the compiler runs out of general registers for the pointers and spills). */
AVX512 INLINE void conv_pairs(float *cv, const float *img, const float *W, const int32_t *koff,
                              size_t K, size_t P, int f0, const size_t *po, const size_t *pi,
                              const int NF, const int NB) {
  __m512 acc[4][3];
  const float *wf[4];
  size_t k;
  int f, b;
  for (f = 0; f < NF; f++) {
    wf[f] = W + (size_t)(f0 + f) * K;
    for (b = 0; b < NB; b++) acc[f][b] = _mm512_setzero_ps();
  }
  for (k = 0; k < K; k++) {
    const float *src = img + koff[k];
    __m512 x[3];
    for (b = 0; b < NB; b++) {
      const __m256 lo = _mm256_loadu_ps(src + pi[2 * b]), hi = _mm256_loadu_ps(src + pi[2 * b + 1]);
      x[b] = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo)),
                                                 _mm256_castps_pd(hi), 1));
    }
    for (f = 0; f < NF; f++) {
      const __m512 wv = _mm512_set1_ps(wf[f][k]);
      for (b = 0; b < NB; b++) acc[f][b] = _mm512_fmadd_ps(wv, x[b], acc[f][b]);
    }
  }
  for (f = 0; f < NF; f++)
    for (b = 0; b < NB; b++) {
      float *o = cv + (size_t)(f0 + f) * P;
      _mm256_storeu_ps(o + po[2 * b], _mm512_castps512_ps256(acc[f][b]));
      _mm256_storeu_ps(o + po[2 * b + 1],
                       _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[f][b]), 1)));
    }
}

/* the NB pairs at po/pi (2 NB slots), every filter, 4 at a time */
AVX512 INLINE void conv_filters512(float *cv, const float *img, const float *W, const int32_t *koff,
                                   size_t K, size_t P, int F, const size_t *po, const size_t *pi,
                                   const int NB) {
  int f0;
  for (f0 = 0; f0 + 4 <= F; f0 += 4) conv_pairs(cv, img, W, koff, K, P, f0, po, pi, 4, NB);
  switch (F - f0) {
    case 3: conv_pairs(cv, img, W, koff, K, P, f0, po, pi, 3, NB); break;
    case 2: conv_pairs(cv, img, W, koff, K, P, f0, po, pi, 2, NB); break;
    case 1: conv_pairs(cv, img, W, koff, K, P, f0, po, pi, 1, NB); break;
    default: break;
  }
}

/* scratch: koff (K), then one item's cv (f x oh x ow), as the AVX2 forward */
AVX512 void lnn_conv_forward_avx512(float *out, int32_t *arg, float *scratch, const float *in,
                                    const float *W, size_t m, const lnn_conv *s) {
  const int oh = lnn_conv_oh(s), ow = lnn_conv_ow(s), sw = (ow + 7) / 8, ns = oh * sw;
  const size_t chw = (size_t)s->c * s->h * s->w, P = (size_t)oh * ow;
  const size_t nout = (size_t)s->f * lnn_conv_qh(s) * lnn_conv_qw(s);
  const size_t K = (size_t)s->c * s->kh * s->kw;
  int32_t *koff = (int32_t *)(void *)scratch;
  float *cv = scratch + K;
  size_t i;
  int j;
  if (ow < 8) {
    lnn_conv_forward_naive(out, arg, scratch, in, W, m, s);
    return;
  }
  window_offsets(koff, s);
  for (i = 0; i < m; i++) {
    const float *img = in + i * chw;
    for (j = 0; j < ns; j += 6) { /* 3 pairs of slots; a last odd slot is paired with itself */
      size_t po[6], pi[6];
      int nb = ns - j < 6 ? ns - j : 6;
      slot_offsets(po, pi, j, nb, s);
      if (nb % 2 != 0) po[nb] = po[nb - 1], pi[nb] = pi[nb - 1], nb++;
      switch (nb / 2) {
        case 3: conv_filters512(cv, img, W, koff, K, P, s->f, po, pi, 3); break;
        case 2: conv_filters512(cv, img, W, koff, K, P, s->f, po, pi, 2); break;
        default: conv_filters512(cv, img, W, koff, K, P, s->f, po, pi, 1); break;
      }
    }
    pool_maps(out + i * nout, arg + i * nout, cv, s);
  }
}

#endif
