/* kernels.c -- the kernel tables: naive (the readable definition of lnn's
 * one arithmetic), AVX2 and AVX-512.  Every table computes the same float32
 * bits for every kernel (docs/arithmetic.md): the same order of summation,
 * the same fused multiply-adds, the same exponential.  The naive table spells
 * the order out in scalar code with fmaf; the SIMD tables follow it lane for
 * lane, and spec/kernels_spec.lua holds them to it bit for bit on odd sizes.
 * No BLAS: a product's bits would then depend on OpenBLAS's kernel choice. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

/* ---- the exponential: one formula for every table ----
 * x = n ln2 + r with n = rint(x log2 e) and r by two fused steps (ln2 split
 * in two: c1 + c2), exp(r) by a degree-6 polynomial in Horner form with
 * fused multiply-adds, 2^n put in the exponent field.  x is clamped to
 * [LO, HI] first (NaN becomes LO, as the vector max does), so the result is
 * finite and positive for every input, within ~2 ulp of expf over the range
 * the activations meet.  exp8/exp16 below are the same steps, lane for lane. */
#define EXP_HI 88.3762626647949f
#define EXP_LO (-87.3365478515625f)
#define EXP_LOG2E 1.44269504088896341f
#define EXP_C1 0.693359375f
#define EXP_C2 (-2.12194440e-4f)
#define EXP_P0 1.9875691500e-4f
#define EXP_P1 1.3981999507e-3f
#define EXP_P2 8.3334519073e-3f
#define EXP_P3 4.1665795894e-2f
#define EXP_P4 1.6666665459e-1f
#define EXP_P5 5.0000001201e-1f

LNN_NAIVE static float expf_canonical(float x) {
  float n, r, r2, p, scale;
  int32_t e;
  x = x > EXP_LO ? x : EXP_LO; /* max(x, LO): NaN gives LO */
  x = x < EXP_HI ? x : EXP_HI; /* min(x, HI) */
  n = rintf(x * EXP_LOG2E);    /* to nearest, ties to even: the vector round */
  r = fmaf(-n, EXP_C1, x);
  r = fmaf(-n, EXP_C2, r);
  r2 = r * r;
  p = EXP_P0;
  p = fmaf(p, r, EXP_P1);
  p = fmaf(p, r, EXP_P2);
  p = fmaf(p, r, EXP_P3);
  p = fmaf(p, r, EXP_P4);
  p = fmaf(p, r, EXP_P5);
  p = fmaf(p, r2, r);
  p = p + 1.0f;
  e = ((int32_t)n + 127) * (1 << 23); /* n in [-126, 128]: 2^n's bits (128: infinity) */
  memcpy(&scale, &e, sizeof scale);
  return p * scale;
}

/* ---- the naive table ---- */

static float act_one(lnn_act f, float x) {
  switch (f) {
    case LNN_ACT_SIGMOID: return 1.0f / (1.0f + expf_canonical(0.0f - x));
    case LNN_ACT_TANH: return 2.0f / (1.0f + expf_canonical(0.0f - 2.0f * x)) - 1.0f; /* 2 sigmoid(2x) - 1 */
    case LNN_ACT_RELU: return x > 0.0f ? x : 0.0f; /* NaN gives 0, as the vector max */
    default: return x;
  }
}

/* dy f'(z) from y = f(z) */
static float act_back_one(lnn_act f, float dy, float y) {
  switch (f) {
    case LNN_ACT_SIGMOID: return dy * (y * (1.0f - y));
    case LNN_ACT_TANH: return dy * fmaf(-y, y, 1.0f);
    case LNN_ACT_RELU: return y > 0.0f ? dy : 0.0f;
    default: return dy; /* linear; softmax is never differentiated alone */
  }
}

LNN_NAIVE static void naive_act_forward(lnn_act f, float *y, const float *x, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) y[i] = act_one(f, x[i]);
}

LNN_NAIVE static void naive_act_backward(lnn_act f, float *dx, const float *dy, const float *y, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) dx[i] = act_back_one(f, dy[i], y[i]);
}

static void naive_u8_to_float(float *y, const uint8_t *x, size_t n, float scale) {
  size_t i;
  for (i = 0; i < n; i++) y[i] = scale * (float)x[i];
}

/* The dot product of two rows of k floats: LNN_LANES partial sums, lane l
 * taking the terms p = l, l + 16, l + 32, ... by fused multiply-adds from +0,
 * the last block padded with zero terms (fmaf(0, 0, s)), then summed by
 * halves: lane l + 8 into l, l + 4 into l, l + 2, l + 1.  (The lanes are
 * independent, so the compiler may run them side by side: same bits.) */
static inline __attribute__((always_inline)) float dot_canonical(const float *a, const float *b,
                                                                  size_t k) {
  float s[LNN_LANES];
  size_t p, l, h;
  for (l = 0; l < LNN_LANES; l++) s[l] = 0.0f;
  for (p = 0; p + LNN_LANES <= k; p += LNN_LANES) {
#if defined(__clang__) /* a hint for the FMA clone; no vectoriser, no matter (-O1, sanitizers) */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wpass-failed"
#pragma clang loop vectorize(enable)
#endif
    for (l = 0; l < LNN_LANES; l++) s[l] = fmaf(a[p + l], b[p + l], s[l]);
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
  }
  if (p < k) /* the last block, padded */
    for (l = 0; l < LNN_LANES; l++)
      s[l] = p + l < k ? fmaf(a[p + l], b[p + l], s[l]) : fmaf(0.0f, 0.0f, s[l]);
  for (h = LNN_LANES / 2; h >= 1; h /= 2)
    for (l = 0; l < h; l++) s[l] = s[l] + s[l + h];
  return s[0];
}

/* C (m x n) = beta C + A (m x k) B^T: C = (beta == 0 ? 0 : beta C) + dot.
 * The dots of NT_TI x NT_TJ elements run side by side, each exactly
 * dot_canonical's steps (its own lanes, the same order, the same padding):
 * a row of A and a row of B are then read once per tile, not once per dot.
 * (Evaluation is this product over 10,000 rows; one dot at a time, it was
 * load-bound and twice as slow.) */
#define NT_TI 3 /* rows of A */
#define NT_TJ 2 /* rows of B */
static inline __attribute__((always_inline)) void nt_tile(float *C, size_t ldc, const float *A,
                                                          const float *B, size_t k, float beta) {
  float s[NT_TI][NT_TJ][LNN_LANES];
  size_t p, l, h, i, j;
  for (i = 0; i < NT_TI; i++)
    for (j = 0; j < NT_TJ; j++)
      for (l = 0; l < LNN_LANES; l++) s[i][j][l] = 0.0f;
  for (p = 0; p + LNN_LANES <= k; p += LNN_LANES)
    for (i = 0; i < NT_TI; i++)
      for (j = 0; j < NT_TJ; j++) {
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wpass-failed"
#pragma clang loop vectorize(enable)
#endif
        for (l = 0; l < LNN_LANES; l++)
          s[i][j][l] = fmaf(A[i * k + p + l], B[j * k + p + l], s[i][j][l]);
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
      }
  for (i = 0; i < NT_TI; i++)
    for (j = 0; j < NT_TJ; j++) {
      float *sl = s[i][j];
      if (p < k) /* the last block, padded */
        for (l = 0; l < LNN_LANES; l++)
          sl[l] = p + l < k ? fmaf(A[i * k + p + l], B[j * k + p + l], sl[l]) : fmaf(0.0f, 0.0f, sl[l]);
      for (h = LNN_LANES / 2; h >= 1; h /= 2)
        for (l = 0; l < h; l++) sl[l] = sl[l] + sl[l + h];
      C[i * ldc + j] = (beta == 0.0f ? 0.0f : beta * C[i * ldc + j]) + sl[0];
    }
}

LNN_NAIVE static void naive_gemm_nt(float *C, size_t ldc, const float *A, const float *B, size_t m,
                                    size_t n, size_t k, float beta) {
  const size_t mt = m - m % NT_TI, nt = n - n % NT_TJ; /* what whole tiles cover */
  size_t i, j;
  for (i = 0; i < mt; i += NT_TI)
    for (j = 0; j < nt; j += NT_TJ) nt_tile(C + i * ldc + j, ldc, A + i * k, B + j * k, k, beta);
  for (i = 0; i < m; i++) /* the rest: one dot each */
    for (j = i < mt ? nt : 0; j < n; j++) {
      const float s = dot_canonical(A + i * k, B + j * k, k);
      C[i * ldc + j] = (beta == 0.0f ? 0.0f : beta * C[i * ldc + j]) + s;
    }
}

/* C (m x n) = beta C + alpha sum over r of A(x, r) B[r]: each element's
 * terms in order r = 0 .. k-1 by fused multiply-adds from +0; then
 * t = alpha s, and C = t (beta == 0) or fmaf(beta, C, t).  The sums of up
 * to XN_COLS columns of a row run side by side (r outer), each in its order. */
#define XN_COLS 64
LNN_NAIVE static void naive_gemm_xn(float *C, const float *A, size_t ar, size_t ax, const float *B,
                                    size_t ld, size_t m, size_t n, size_t k, float alpha,
                                    float beta) {
  float s[XN_COLS];
  size_t x, c0, c, r, w;
  for (x = 0; x < m; x++)
    for (c0 = 0; c0 < n; c0 += XN_COLS) {
      w = n - c0 < XN_COLS ? n - c0 : XN_COLS;
      for (c = 0; c < w; c++) s[c] = 0.0f;
      for (r = 0; r < k; r++) {
        const float a = A[r * ar + x * ax], *b = B + r * ld + c0;
        for (c = 0; c < w; c++) s[c] = fmaf(a, b[c], s[c]);
      }
      for (c = 0; c < w; c++) {
        const float t = alpha * s[c];
        float *o = C + x * ld + c0 + c;
        *o = beta == 0.0f ? t : fmaf(beta, *o, t);
      }
    }
}

const lnn_kernels lnn_kernels_naive = {"naive", naive_act_forward, naive_act_backward,
                                       naive_u8_to_float, naive_gemm_nt, naive_gemm_xn,
                                       lnn_conv_forward_naive, lnn_conv_backward_naive};

void lnn_gemm_block(const lnn_kernels *K, lnn_gemm_form form, size_t m, size_t n, size_t k,
                    float alpha, const float *A, const float *B, float beta, float *C, size_t r0,
                    size_t r1, size_t c0, size_t c1) {
  float *Cb = C + r0 * n + c0;
  if (r0 >= r1 || c0 >= c1) return;
  switch (form) {
    case LNN_GEMM_NT:
      assert(alpha == 1.0f);
      (void)alpha;
      K->gemm_nt(Cb, n, A + r0 * k, B + c0 * k, r1 - r0, c1 - c0, k, beta);
      break;
    case LNN_GEMM_TN: K->gemm_xn(Cb, A + r0, m, 1, B + c0, n, r1 - r0, c1 - c0, k, alpha, beta); break;
    default: K->gemm_xn(Cb, A + r0 * k, 1, k, B + c0, n, r1 - r0, c1 - c0, k, alpha, beta); break;
  }
}

void lnn_gemm(const lnn_kernels *K, lnn_gemm_form form, size_t m, size_t n, size_t k, float alpha,
              const float *A, const float *B, float beta, float *C) {
  lnn_gemm_block(K, form, m, n, k, alpha, A, B, beta, C, 0, m, 0, n);
}

/* exp(r - max) per row, then each divided by the row's sum (in order) */
LNN_NAIVE static void softmax_rows(float *y, size_t rows, size_t cols) {
  size_t i, j;
  for (i = 0; i < rows; i++) {
    float *r = y + i * cols, mx = r[0], s = 0.0f;
    for (j = 1; j < cols; j++) mx = r[j] > mx ? r[j] : mx;
    for (j = 0; j < cols; j++) {
      r[j] = expf_canonical(r[j] - mx);
      s += r[j];
    }
    for (j = 0; j < cols; j++) r[j] /= s;
  }
}

void lnn_softmax_rows(float *y, size_t rows, size_t cols) { softmax_rows(y, rows, cols); }

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE __attribute__((always_inline)) inline

/* expf_canonical for 8 floats, step for step */
AVX2 static INLINE __m256 exp8(__m256 x) {
  __m256 n, r, p, r2;
  __m256i e;
  x = _mm256_max_ps(x, _mm256_set1_ps(EXP_LO));
  x = _mm256_min_ps(x, _mm256_set1_ps(EXP_HI));
  n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(EXP_LOG2E)),
                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(EXP_C1), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(EXP_C2), r);
  r2 = _mm256_mul_ps(r, r);
  p = _mm256_set1_ps(EXP_P0);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P1));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P5));
  p = _mm256_fmadd_ps(p, r2, r);
  p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));
  e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

AVX2 static void avx2_act_forward(lnn_act f, float *y, const float *x, size_t n) {
  const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f), zero = _mm256_setzero_ps();
  size_t i = 0;
  if (f == LNN_ACT_SIGMOID) {
    for (; i + 8 <= n; i += 8) {
      __m256 v = _mm256_loadu_ps(x + i);
      v = _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(zero, v))));
      _mm256_storeu_ps(y + i, v);
    }
  } else if (f == LNN_ACT_RELU) {
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_max_ps(_mm256_loadu_ps(x + i), zero));
  } else if (f == LNN_ACT_TANH) {
    for (; i + 8 <= n; i += 8) {
      __m256 v = _mm256_mul_ps(two, _mm256_loadu_ps(x + i));
      v = _mm256_div_ps(two, _mm256_add_ps(one, exp8(_mm256_sub_ps(zero, v))));
      _mm256_storeu_ps(y + i, _mm256_sub_ps(v, one));
    }
  } else if (y != x) {
    memmove(y, x, n * sizeof *y);
    return;
  } else {
    return;
  }
  naive_act_forward(f, y + i, x + i, n - i);
}

AVX2 static void avx2_act_backward(lnn_act f, float *dx, const float *dy, const float *y, size_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  size_t i = 0;
  if (f == LNN_ACT_SIGMOID) {
    for (; i + 8 <= n; i += 8) {
      __m256 v = _mm256_loadu_ps(y + i);
      v = _mm256_mul_ps(v, _mm256_sub_ps(one, v));
      _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(dy + i), v));
    }
  } else if (f == LNN_ACT_TANH) {
    for (; i + 8 <= n; i += 8) {
      __m256 v = _mm256_loadu_ps(y + i);
      v = _mm256_fnmadd_ps(v, v, one);
      _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(dy + i), v));
    }
  } else if (f == LNN_ACT_RELU) {
    for (; i + 8 <= n; i += 8) {
      __m256 m = _mm256_cmp_ps(_mm256_loadu_ps(y + i), _mm256_setzero_ps(), _CMP_GT_OQ);
      _mm256_storeu_ps(dx + i, _mm256_and_ps(m, _mm256_loadu_ps(dy + i)));
    }
  }
  naive_act_backward(f, dx + i, dy + i, y + i, n - i);
}

AVX2 static void avx2_u8_to_float(float *y, const uint8_t *x, size_t n, float scale) {
  const __m256 s = _mm256_set1_ps(scale);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i b = _mm_loadl_epi64((const __m128i *)(const void *)(x + i));
    __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b));
    _mm256_storeu_ps(y + i, _mm256_mul_ps(v, s));
  }
  naive_u8_to_float(y + i, x + i, n - i, scale);
}

/* lanes 0 .. 7 of a 16-lane sum (lane l + 8 already added into l) summed by
 * halves: l + 4, l + 2, l + 1 */
AVX2 static INLINE float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/* lanes 0..t-1 set (t <= 8), 0 for t <= 0 */
AVX2 static INLINE __m256i tail_mask(long t) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(t < 0 ? 0 : t > 8 ? 8 : t)), lanes);
}

/* RI rows of A dotted with RJ rows of B (RI <= 3, RJ <= 2, constants after
 * inlining): the 16 lanes of each dot as two 8-lane accumulators, lo (lanes
 * 0..7) and hi (8..15); the last block masked (zero terms, as the naive
 * padding) */
AVX2 static INLINE void nt_block(float *C, size_t ldc, const float *A, const float *B, size_t k,
                                 int RI, int RJ, float beta) {
  __m256 lo[3][2], hi[3][2];
  size_t p;
  int i, j;
  for (i = 0; i < RI; i++)
    for (j = 0; j < RJ; j++) lo[i][j] = hi[i][j] = _mm256_setzero_ps();
  for (p = 0; p + 16 <= k; p += 16) {
    __m256 b[2];
    for (j = 0; j < RJ; j++) b[j] = _mm256_loadu_ps(B + j * k + p);
    for (i = 0; i < RI; i++) {
      const __m256 a = _mm256_loadu_ps(A + i * k + p);
      for (j = 0; j < RJ; j++) lo[i][j] = _mm256_fmadd_ps(a, b[j], lo[i][j]);
    }
    for (j = 0; j < RJ; j++) b[j] = _mm256_loadu_ps(B + j * k + p + 8);
    for (i = 0; i < RI; i++) {
      const __m256 a = _mm256_loadu_ps(A + i * k + p + 8);
      for (j = 0; j < RJ; j++) hi[i][j] = _mm256_fmadd_ps(a, b[j], hi[i][j]);
    }
  }
  if (p < k) {
    const __m256i m0 = tail_mask((long)(k - p)), m1 = tail_mask((long)(k - p) - 8);
    __m256 b[2];
    for (j = 0; j < RJ; j++) b[j] = _mm256_maskload_ps(B + j * k + p, m0);
    for (i = 0; i < RI; i++) {
      const __m256 a = _mm256_maskload_ps(A + i * k + p, m0);
      for (j = 0; j < RJ; j++) lo[i][j] = _mm256_fmadd_ps(a, b[j], lo[i][j]);
    }
    for (j = 0; j < RJ; j++) b[j] = _mm256_maskload_ps(B + j * k + p + 8, m1);
    for (i = 0; i < RI; i++) {
      const __m256 a = _mm256_maskload_ps(A + i * k + p + 8, m1);
      for (j = 0; j < RJ; j++) hi[i][j] = _mm256_fmadd_ps(a, b[j], hi[i][j]);
    }
  }
  for (i = 0; i < RI; i++)
    for (j = 0; j < RJ; j++) {
      float *c = C + i * ldc + j;
      *c = (beta == 0.0f ? 0.0f : beta * *c) + hsum8(_mm256_add_ps(lo[i][j], hi[i][j]));
    }
}

#define NT_ROWS(BLOCK, RI, RJMAX)                                                              \
  do {                                                                                         \
    for (j = 0; j + RJMAX <= n; j += RJMAX)                                                    \
      BLOCK(C + i * ldc + j, ldc, A + i * k, B + j * k, k, RI, RJMAX, beta);                   \
    for (; j < n; j++) BLOCK(C + i * ldc + j, ldc, A + i * k, B + j * k, k, RI, 1, beta);      \
  } while (0)

AVX2 static void avx2_gemm_nt(float *C, size_t ldc, const float *A, const float *B, size_t m,
                              size_t n, size_t k, float beta) {
  size_t i = 0, j;
  for (; i + 3 <= m; i += 3) NT_ROWS(nt_block, 3, 2);
  if (m - i == 2) NT_ROWS(nt_block, 2, 2);
  else if (m - i == 1) NT_ROWS(nt_block, 1, 2);
}

/* RX rows x of C, columns c..c+15 (the last W < 16 of them masked):
 * C[x][c..] = beta C + alpha sum_r A(x, r) B[r][c..] */
AVX2 static INLINE void xn_block(float *C, const float *A, size_t ar, size_t ax, const float *B,
                                 size_t ld, size_t k, size_t c, size_t w, int RX, float alpha,
                                 float beta) {
  __m256 acc[4][2];
  __m256i m0 = tail_mask((long)w), m1 = tail_mask((long)w - 8);
  size_t r;
  int x;
  for (x = 0; x < RX; x++) acc[x][0] = acc[x][1] = _mm256_setzero_ps();
  for (r = 0; r < k; r++) {
    const float *b = B + r * ld + c;
    __m256 b0 = w >= 8 ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, m0);
    __m256 b1 = w >= 16 ? _mm256_loadu_ps(b + 8) : _mm256_maskload_ps(b + 8, m1);
    for (x = 0; x < RX; x++) {
      __m256 a = _mm256_broadcast_ss(A + r * ar + (size_t)x * ax);
      acc[x][0] = _mm256_fmadd_ps(a, b0, acc[x][0]);
      acc[x][1] = _mm256_fmadd_ps(a, b1, acc[x][1]);
    }
  }
  for (x = 0; x < RX; x++) {
    float *o = C + (size_t)x * ld + c;
    acc[x][0] = _mm256_mul_ps(_mm256_set1_ps(alpha), acc[x][0]);
    acc[x][1] = _mm256_mul_ps(_mm256_set1_ps(alpha), acc[x][1]);
    if (beta != 0.0f) {
      __m256 bt = _mm256_set1_ps(beta);
      __m256 o0 = w >= 8 ? _mm256_loadu_ps(o) : _mm256_maskload_ps(o, m0);
      __m256 o1 = w >= 16 ? _mm256_loadu_ps(o + 8) : _mm256_maskload_ps(o + 8, m1);
      acc[x][0] = _mm256_fmadd_ps(bt, o0, acc[x][0]);
      acc[x][1] = _mm256_fmadd_ps(bt, o1, acc[x][1]);
    }
    if (w >= 16) {
      _mm256_storeu_ps(o, acc[x][0]);
      _mm256_storeu_ps(o + 8, acc[x][1]);
    } else {
      _mm256_maskstore_ps(o, m0, acc[x][0]);
      _mm256_maskstore_ps(o + 8, m1, acc[x][1]);
    }
  }
}

AVX2 static void avx2_gemm_xn(float *C, const float *A, size_t ar, size_t ax, const float *B,
                              size_t ld, size_t m, size_t n, size_t k, float alpha, float beta) {
  size_t x = 0, c;
  for (; x + 4 <= m; x += 4)
    for (c = 0; c < n; c += 16)
      xn_block(C + x * ld, A + x * ax, ar, ax, B, ld, k, c, n - c < 16 ? n - c : 16, 4, alpha, beta);
  for (; x < m; x++)
    for (c = 0; c < n; c += 16)
      xn_block(C + x * ld, A + x * ax, ar, ax, B, ld, k, c, n - c < 16 ? n - c : 16, 1, alpha, beta);
}

static const lnn_kernels kernels_avx2 = {"avx2", avx2_act_forward, avx2_act_backward,
                                         avx2_u8_to_float, avx2_gemm_nt, avx2_gemm_xn,
                                         lnn_conv_forward_avx2, lnn_conv_backward_avx2};

/* The same products with 512-bit vectors and mask registers for the tails:
 * one accumulator holds a dot's 16 lanes.  The element-wise kernels stay
 * AVX2: they are memory-bound. */
#define AVX512 __attribute__((target("avx512f,avx2,fma")))

AVX512 static INLINE __mmask16 mask16(size_t t) {
  return (__mmask16)(t >= 16 ? 0xffffu : ((1u << t) - 1u));
}

/* RI rows of A dotted with RJ rows of B (RI <= 4, RJ <= 3) */
AVX512 static INLINE void nt_block512(float *C, size_t ldc, const float *A, const float *B,
                                      size_t k, int RI, int RJ, float beta) {
  __m512 acc[4][3];
  size_t p;
  int i, j;
  for (i = 0; i < RI; i++)
    for (j = 0; j < RJ; j++) acc[i][j] = _mm512_setzero_ps();
  for (p = 0; p + 16 <= k; p += 16) {
    __m512 b[3];
    for (j = 0; j < RJ; j++) b[j] = _mm512_loadu_ps(B + j * k + p);
    for (i = 0; i < RI; i++) {
      __m512 a = _mm512_loadu_ps(A + i * k + p);
      for (j = 0; j < RJ; j++) acc[i][j] = _mm512_fmadd_ps(a, b[j], acc[i][j]);
    }
  }
  if (p < k) {
    __mmask16 mk = mask16(k - p);
    __m512 b[3];
    for (j = 0; j < RJ; j++) b[j] = _mm512_maskz_loadu_ps(mk, B + j * k + p);
    for (i = 0; i < RI; i++) {
      __m512 a = _mm512_maskz_loadu_ps(mk, A + i * k + p);
      for (j = 0; j < RJ; j++) acc[i][j] = _mm512_fmadd_ps(a, b[j], acc[i][j]);
    }
  }
  for (i = 0; i < RI; i++)
    for (j = 0; j < RJ; j++) {
      /* lane l + 8 into l, then as AVX2 */
      const __m256 lo = _mm512_castps512_ps256(acc[i][j]);
      const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[i][j]), 1));
      float *c = C + i * ldc + j;
      *c = (beta == 0.0f ? 0.0f : beta * *c) + hsum8(_mm256_add_ps(lo, hi));
    }
}

AVX512 static void avx512_gemm_nt(float *C, size_t ldc, const float *A, const float *B, size_t m,
                                  size_t n, size_t k, float beta) {
  size_t i = 0, j;
  for (; i + 4 <= m; i += 4) NT_ROWS(nt_block512, 4, 3);
  if (m - i == 3) NT_ROWS(nt_block512, 3, 3);
  else if (m - i == 2) NT_ROWS(nt_block512, 2, 3);
  else if (m - i == 1) NT_ROWS(nt_block512, 1, 3);
}

/* RX rows x of C, columns c..c+w-1 (w <= 32, masked past w) */
AVX512 static INLINE void xn_block512(float *C, const float *A, size_t ar, size_t ax,
                                      const float *B, size_t ld, size_t k, size_t c, size_t w,
                                      int RX, float alpha, float beta) {
  __m512 acc[4][2];
  __mmask16 m0 = mask16(w), m1 = mask16(w > 16 ? w - 16 : 0);
  size_t r;
  int x;
  for (x = 0; x < RX; x++) acc[x][0] = acc[x][1] = _mm512_setzero_ps();
  for (r = 0; r < k; r++) {
    const float *b = B + r * ld + c;
    __m512 b0 = _mm512_maskz_loadu_ps(m0, b), b1 = _mm512_maskz_loadu_ps(m1, b + 16);
    for (x = 0; x < RX; x++) {
      __m512 a = _mm512_set1_ps(A[r * ar + (size_t)x * ax]);
      acc[x][0] = _mm512_fmadd_ps(a, b0, acc[x][0]);
      acc[x][1] = _mm512_fmadd_ps(a, b1, acc[x][1]);
    }
  }
  for (x = 0; x < RX; x++) {
    float *o = C + (size_t)x * ld + c;
    __m512 al = _mm512_set1_ps(alpha);
    __m512 o0 = _mm512_mul_ps(al, acc[x][0]), o1 = _mm512_mul_ps(al, acc[x][1]);
    if (beta != 0.0f) {
      __m512 bt = _mm512_set1_ps(beta);
      o0 = _mm512_fmadd_ps(bt, _mm512_maskz_loadu_ps(m0, o), o0);
      o1 = _mm512_fmadd_ps(bt, _mm512_maskz_loadu_ps(m1, o + 16), o1);
    }
    _mm512_mask_storeu_ps(o, m0, o0);
    _mm512_mask_storeu_ps(o + 16, m1, o1);
  }
}

AVX512 static void avx512_gemm_xn(float *C, const float *A, size_t ar, size_t ax, const float *B,
                                  size_t ld, size_t m, size_t n, size_t k, float alpha, float beta) {
  size_t x = 0, c;
  for (; x + 4 <= m; x += 4)
    for (c = 0; c < n; c += 32)
      xn_block512(C + x * ld, A + x * ax, ar, ax, B, ld, k, c, n - c < 32 ? n - c : 32, 4, alpha,
                  beta);
  for (; x < m; x++)
    for (c = 0; c < n; c += 32)
      xn_block512(C + x * ld, A + x * ax, ar, ax, B, ld, k, c, n - c < 32 ? n - c : 32, 1, alpha,
                  beta);
}

static const lnn_kernels kernels_avx512 = {"avx512", avx2_act_forward, avx2_act_backward,
                                           avx2_u8_to_float, avx512_gemm_nt, avx512_gemm_xn,
                                           lnn_conv_forward_avx512, lnn_conv_backward_avx512};

static int has_avx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int has_avx512(void) { return has_avx2() && __builtin_cpu_supports("avx512f"); }

const lnn_kernels *lnn_kernels_fastest(void) {
  return has_avx512() ? &kernels_avx512 : has_avx2() ? &kernels_avx2 : &lnn_kernels_naive;
}

const lnn_kernels *lnn_kernels_named(const char *name) {
  if (strcmp(name, "naive") == 0) return &lnn_kernels_naive;
  if (strcmp(name, "avx2") == 0) return has_avx2() ? &kernels_avx2 : NULL;
  if (strcmp(name, "avx512") == 0) return has_avx512() ? &kernels_avx512 : NULL;
  return NULL;
}
#else
const lnn_kernels *lnn_kernels_fastest(void) { return &lnn_kernels_naive; }
const lnn_kernels *lnn_kernels_named(const char *name) {
  return strcmp(name, "naive") == 0 ? &lnn_kernels_naive : NULL;
}
#endif

const lnn_kernels *lnn_kernels_best(void) {
  static const lnn_kernels *chosen;
  if (chosen == NULL) {
    const char *env = getenv("LNN_KERNELS");
    chosen = env != NULL && *env != '\0' ? lnn_kernels_named(env) : NULL;
    if (chosen == NULL) chosen = lnn_kernels_fastest();
  }
  return chosen;
}
