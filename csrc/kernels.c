/* kernels.c -- the naive element-wise kernels and their AVX2 twins.
 * The naive ones are the reference the specs compare the SIMD ones against
 * (on odd sizes, so the scalar tails run too).  The AVX2 exp is a Cephes-style
 * polynomial, within ~2 ulp of expf over the range sigmoid meets. */
#include <assert.h>
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "kernels.h"

static float act_one(lnn_act f, float x) {
  switch (f) {
    case LNN_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case LNN_ACT_TANH: return tanhf(x);
    case LNN_ACT_RELU: return x > 0.0f ? x : 0.0f;
    default: return x;
  }
}

static float act_prime(lnn_act f, float y) {
  switch (f) {
    case LNN_ACT_SIGMOID: return y * (1.0f - y);
    case LNN_ACT_TANH: return 1.0f - y * y;
    case LNN_ACT_RELU: return y > 0.0f ? 1.0f : 0.0f;
    default: return 1.0f; /* linear; softmax is never differentiated alone */
  }
}

static void naive_act_forward(lnn_act f, float *y, const float *x, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) y[i] = act_one(f, x[i]);
}

static void naive_act_backward(lnn_act f, float *dx, const float *dy, const float *y, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) dx[i] = dy[i] * act_prime(f, y[i]);
}

static void naive_u8_to_float(float *y, const uint8_t *x, size_t n, float scale) {
  size_t i;
  for (i = 0; i < n; i++) y[i] = scale * (float)x[i];
}

static void naive_gemm_nt(float *C, const float *A, const float *B, size_t m, size_t n, size_t k,
                          float beta) {
  size_t i, j, p;
  for (i = 0; i < m; i++)
    for (j = 0; j < n; j++) {
      float s = 0.0f;
      for (p = 0; p < k; p++) s += A[i * k + p] * B[j * k + p];
      C[i * n + j] = (beta == 0.0f ? 0.0f : beta * C[i * n + j]) + s;
    }
}

static void naive_gemm_xn(float *C, const float *A, size_t ar, size_t ax, const float *B, size_t m,
                          size_t n, size_t k, float alpha, float beta) {
  size_t x, c, r;
  for (x = 0; x < m; x++)
    for (c = 0; c < n; c++) {
      float s = 0.0f;
      for (r = 0; r < k; r++) s += A[r * ar + x * ax] * B[r * n + c];
      C[x * n + c] = (beta == 0.0f ? 0.0f : beta * C[x * n + c]) + alpha * s;
    }
}

const lnn_kernels lnn_kernels_naive = {"naive", naive_act_forward, naive_act_backward,
                                       naive_u8_to_float, naive_gemm_nt, naive_gemm_xn,
                                       lnn_conv_forward_naive, lnn_conv_backward_naive};

void lnn_gemm(const lnn_kernels *K, lnn_gemm_form form, size_t m, size_t n, size_t k, float alpha,
              const float *A, const float *B, float beta, float *C) {
  const int M = (int)m, N = (int)n, Kk = (int)k;
  switch (form) {
    case LNN_GEMM_NT:
      assert(alpha == 1.0f);
      if (m <= LNN_GEMM_SMALL_ROWS)
        K->gemm_nt(C, A, B, m, n, k, beta);
      else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, Kk, alpha, A, Kk, B, Kk, beta,
                    C, N);
      break;
    case LNN_GEMM_TN:
      if (k <= LNN_GEMM_SMALL_ROWS)
        K->gemm_xn(C, A, m, 1, B, m, n, k, alpha, beta);
      else
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, N, Kk, alpha, A, M, B, N, beta, C,
                    N);
      break;
    default:
      if (m <= LNN_GEMM_SMALL_ROWS)
        K->gemm_xn(C, A, 1, k, B, m, n, k, alpha, beta);
      else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, Kk, alpha, A, Kk, B, N, beta,
                    C, N);
      break;
  }
}

void lnn_softmax_rows(float *y, size_t rows, size_t cols) {
  size_t i, j;
  for (i = 0; i < rows; i++) {
    float *r = y + i * cols, mx = r[0], s = 0.0f;
    for (j = 1; j < cols; j++) mx = r[j] > mx ? r[j] : mx;
    for (j = 0; j < cols; j++) {
      r[j] = expf(r[j] - mx);
      s += r[j];
    }
    for (j = 0; j < cols; j++) r[j] /= s;
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

/* exp(x) for 8 floats: x = n ln2 + r, |r| <= ln2/2, exp(r) by a degree-5
 * polynomial, 2^n put in the exponent field.  Inputs are clamped so the
 * result stays finite and positive (sigmoid only needs that). */
AVX2 static __m256 exp8(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.3762626647949f), lo = _mm256_set1_ps(-87.3365478515625f);
  const __m256 log2e = _mm256_set1_ps(1.44269504088896341f);
  const __m256 c1 = _mm256_set1_ps(0.693359375f), c2 = _mm256_set1_ps(-2.12194440e-4f);
  __m256 n, r, p, r2;
  __m256i e;
  x = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
  n = _mm256_round_ps(_mm256_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  r = _mm256_fnmadd_ps(n, c1, x);
  r = _mm256_fnmadd_ps(n, c2, r);
  r2 = _mm256_mul_ps(r, r);
  p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, r2, r);
  p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));
  e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

AVX2 static void avx2_act_forward(lnn_act f, float *y, const float *x, size_t n) {
  const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
  size_t i = 0;
  if (f == LNN_ACT_SIGMOID) {
    for (; i + 8 <= n; i += 8) {
      __m256 v = _mm256_loadu_ps(x + i);
      v = _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), v))));
      _mm256_storeu_ps(y + i, v);
    }
  } else if (f == LNN_ACT_RELU) {
    for (; i + 8 <= n; i += 8)
      _mm256_storeu_ps(y + i, _mm256_max_ps(_mm256_loadu_ps(x + i), _mm256_setzero_ps()));
  } else if (f == LNN_ACT_TANH) {
    /* tanh(x) = 2 sigmoid(2x) - 1: absolute error ~1e-7, enough for training */
    for (; i + 8 <= n; i += 8) {
      __m256 v = _mm256_mul_ps(two, _mm256_loadu_ps(x + i));
      v = _mm256_div_ps(two, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), v))));
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

#define INLINE __attribute__((always_inline)) inline

AVX2 static INLINE float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/* lanes 0..t-1 set, for the last t < 8 elements of a row */
AVX2 static INLINE __m256i tail_mask(size_t t) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)t), lanes);
}

/* RI rows of A dotted with RJ rows of B (RI <= 4, RJ <= 2, constants after inlining) */
AVX2 static INLINE void nt_block(float *C, size_t ldc, const float *A, const float *B, size_t k,
                                 int RI, int RJ, float beta) {
  __m256 acc[4][2];
  size_t p;
  int i, j;
  for (i = 0; i < RI; i++)
    for (j = 0; j < RJ; j++) acc[i][j] = _mm256_setzero_ps();
  for (p = 0; p + 8 <= k; p += 8) {
    __m256 b[2];
    for (j = 0; j < RJ; j++) b[j] = _mm256_loadu_ps(B + j * k + p);
    for (i = 0; i < RI; i++) {
      __m256 a = _mm256_loadu_ps(A + i * k + p);
      for (j = 0; j < RJ; j++) acc[i][j] = _mm256_fmadd_ps(a, b[j], acc[i][j]);
    }
  }
  if (p < k) {
    __m256i mk = tail_mask(k - p);
    __m256 b[2];
    for (j = 0; j < RJ; j++) b[j] = _mm256_maskload_ps(B + j * k + p, mk);
    for (i = 0; i < RI; i++) {
      __m256 a = _mm256_maskload_ps(A + i * k + p, mk);
      for (j = 0; j < RJ; j++) acc[i][j] = _mm256_fmadd_ps(a, b[j], acc[i][j]);
    }
  }
  for (i = 0; i < RI; i++)
    for (j = 0; j < RJ; j++) {
      float *c = C + i * ldc + j;
      *c = (beta == 0.0f ? 0.0f : beta * *c) + hsum8(acc[i][j]);
    }
}

AVX2 static void avx2_gemm_nt(float *C, const float *A, const float *B, size_t m, size_t n,
                              size_t k, float beta) {
  size_t i = 0, j;
  for (; i + 4 <= m; i += 4) {
    for (j = 0; j + 2 <= n; j += 2) nt_block(C + i * n + j, n, A + i * k, B + j * k, k, 4, 2, beta);
    if (j < n) nt_block(C + i * n + j, n, A + i * k, B + j * k, k, 4, 1, beta);
  }
  for (; i < m; i++) {
    for (j = 0; j + 2 <= n; j += 2) nt_block(C + i * n + j, n, A + i * k, B + j * k, k, 1, 2, beta);
    if (j < n) nt_block(C + i * n + j, n, A + i * k, B + j * k, k, 1, 1, beta);
  }
}

/* RX rows x of C, columns c..c+15 (the last W < 16 of them masked):
 * C[x][c..] = beta C + sum_r A(x, r) B[r][c..] */
AVX2 static INLINE void xn_block(float *C, const float *A, size_t ar, size_t ax, const float *B,
                                 size_t n, size_t k, size_t c, size_t w, int RX, float alpha,
                                 float beta) {
  __m256 acc[4][2];
  __m256i m0 = tail_mask(w >= 8 ? 8 : w), m1 = tail_mask(w >= 8 ? w - 8 : 0);
  size_t r;
  int x;
  for (x = 0; x < RX; x++) acc[x][0] = acc[x][1] = _mm256_setzero_ps();
  for (r = 0; r < k; r++) {
    const float *b = B + r * n + c;
    __m256 b0 = w >= 8 ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, m0);
    __m256 b1 = w >= 16 ? _mm256_loadu_ps(b + 8) : _mm256_maskload_ps(b + 8, m1);
    for (x = 0; x < RX; x++) {
      __m256 a = _mm256_broadcast_ss(A + r * ar + (size_t)x * ax);
      acc[x][0] = _mm256_fmadd_ps(a, b0, acc[x][0]);
      acc[x][1] = _mm256_fmadd_ps(a, b1, acc[x][1]);
    }
  }
  for (x = 0; x < RX; x++) {
    float *o = C + (size_t)x * n + c;
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
                              size_t m, size_t n, size_t k, float alpha, float beta) {
  size_t x = 0, c;
  for (; x + 4 <= m; x += 4)
    for (c = 0; c < n; c += 16)
      xn_block(C + x * n, A + x * ax, ar, ax, B, n, k, c, n - c < 16 ? n - c : 16, 4, alpha, beta);
  for (; x < m; x++)
    for (c = 0; c < n; c += 16)
      xn_block(C + x * n, A + x * ax, ar, ax, B, n, k, c, n - c < 16 ? n - c : 16, 1, alpha, beta);
}

static const lnn_kernels kernels_avx2 = {"avx2", avx2_act_forward, avx2_act_backward,
                                         avx2_u8_to_float, avx2_gemm_nt, avx2_gemm_xn,
                                         lnn_conv_forward_avx2, lnn_conv_backward_avx2};

/* The same two products with 512-bit vectors and mask registers for the
 * tails; on processors with full-width AVX-512 units they do twice the work
 * per instruction.  The element-wise kernels stay AVX2: they are memory-bound. */
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
      float *c = C + i * ldc + j;
      *c = (beta == 0.0f ? 0.0f : beta * *c) + _mm512_reduce_add_ps(acc[i][j]);
    }
}

#define NT_ROWS512(RI)                                                                  \
  do {                                                                                  \
    for (j = 0; j + 3 <= n; j += 3)                                                     \
      nt_block512(C + i * n + j, n, A + i * k, B + j * k, k, RI, 3, beta);              \
    if (n - j == 2) nt_block512(C + i * n + j, n, A + i * k, B + j * k, k, RI, 2, beta); \
    if (n - j == 1) nt_block512(C + i * n + j, n, A + i * k, B + j * k, k, RI, 1, beta); \
  } while (0)

AVX512 static void avx512_gemm_nt(float *C, const float *A, const float *B, size_t m, size_t n,
                                  size_t k, float beta) {
  size_t i = 0, j;
  for (; i + 4 <= m; i += 4) NT_ROWS512(4);
  if (m - i >= 2) {
    NT_ROWS512(2);
    i += 2;
  }
  if (i < m) NT_ROWS512(1);
}

/* RX rows x of C, columns c..c+w-1 (w <= 32, masked past w) */
AVX512 static INLINE void xn_block512(float *C, const float *A, size_t ar, size_t ax,
                                      const float *B, size_t n, size_t k, size_t c, size_t w,
                                      int RX, float alpha, float beta) {
  __m512 acc[4][2];
  __mmask16 m0 = mask16(w), m1 = mask16(w > 16 ? w - 16 : 0);
  size_t r;
  int x;
  for (x = 0; x < RX; x++) acc[x][0] = acc[x][1] = _mm512_setzero_ps();
  for (r = 0; r < k; r++) {
    const float *b = B + r * n + c;
    __m512 b0 = _mm512_maskz_loadu_ps(m0, b), b1 = _mm512_maskz_loadu_ps(m1, b + 16);
    for (x = 0; x < RX; x++) {
      __m512 a = _mm512_set1_ps(A[r * ar + (size_t)x * ax]);
      acc[x][0] = _mm512_fmadd_ps(a, b0, acc[x][0]);
      acc[x][1] = _mm512_fmadd_ps(a, b1, acc[x][1]);
    }
  }
  for (x = 0; x < RX; x++) {
    float *o = C + (size_t)x * n + c;
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
                                  size_t m, size_t n, size_t k, float alpha, float beta) {
  size_t x = 0, c;
  for (; x + 4 <= m; x += 4)
    for (c = 0; c < n; c += 32)
      xn_block512(C + x * n, A + x * ax, ar, ax, B, n, k, c, n - c < 32 ? n - c : 32, 4, alpha,
                  beta);
  for (; x < m; x++)
    for (c = 0; c < n; c += 32)
      xn_block512(C + x * n, A + x * ax, ar, ax, B, n, k, c, n - c < 32 ? n - c : 32, 1, alpha,
                  beta);
}

static const lnn_kernels kernels_avx512 = {"avx512", avx2_act_forward, avx2_act_backward,
                                           avx2_u8_to_float, avx512_gemm_nt, avx512_gemm_xn,
                                           lnn_conv_forward_avx512, lnn_conv_backward_avx512};

const lnn_kernels *lnn_kernels_best(void) {
  static const lnn_kernels *best;
  if (best == NULL) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
        __builtin_cpu_supports("fma"))
      best = &kernels_avx512;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      best = &kernels_avx2;
    else
      best = &lnn_kernels_naive;
  }
  return best;
}

/* A table by name ("naive", "avx2", "avx512"), NULL if this processor lacks it. */
const lnn_kernels *lnn_kernels_named(const char *name) {
  const lnn_kernels *all[3];
  int i, n = 0;
  __builtin_cpu_init();
  all[n++] = &lnn_kernels_naive;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) all[n++] = &kernels_avx2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
      __builtin_cpu_supports("fma"))
    all[n++] = &kernels_avx512;
  for (i = 0; i < n; i++)
    if (strcmp(all[i]->name, name) == 0) return all[i];
  return NULL;
}
#else
const lnn_kernels *lnn_kernels_best(void) { return &lnn_kernels_naive; }
const lnn_kernels *lnn_kernels_named(const char *name) {
  return strcmp(name, "naive") == 0 ? &lnn_kernels_naive : NULL;
}
#endif
