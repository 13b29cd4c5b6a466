/* kernels.h -- the kernel tables of lnn: naive, avx2, avx512.  Each computes
 * the same float32 bits for every kernel: lnn's one arithmetic, written down
 * in docs/arithmetic.md and spelled out as code by the naive table.  A table
 * is chosen once per process (LNN_KERNELS, else the fastest this processor
 * runs) and per network (Net:kernels(name)); the choice changes the speed,
 * never a result.  Kernels trust their arguments: shapes are checked by the
 * bindings, never here.  Products of matrices go through lnn_gemm. */
#ifndef LNN_KERNELS_H
#define LNN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "conv.h"

/* Activation functions.  Derivatives are taken from the output y = f(z),
 * which every one of these allows, so z need not be kept. */
typedef enum lnn_act {
  LNN_ACT_LINEAR = 0,
  LNN_ACT_SIGMOID = 1,
  LNN_ACT_TANH = 2,
  LNN_ACT_RELU = 3,
  LNN_ACT_SOFTMAX = 4, /* per row of a (rows x cols) batch */
  LNN_ACT_COUNT
} lnn_act;

typedef struct lnn_kernels {
  const char *name; /* "naive", "avx2", "avx512" */
  /* y[n] = f(x[n]) for the point-wise activations (not softmax); y may be x. */
  void (*act_forward)(lnn_act f, float *y, const float *x, size_t n);
  /* dx[n] = dy[n] * f'(z) where y[n] = f(z); dx may be dy. */
  void (*act_backward)(lnn_act f, float *dx, const float *dy, const float *y, size_t n);
  /* y[n] = scale * x[n] (bytes to floats: pixels 0..255 become 0..1). */
  void (*u8_to_float)(float *y, const uint8_t *x, size_t n, float scale);
  /* The products, all row-major; A and B contiguous, C's rows (and B's in
   * gemm_xn) ld apart, so a band of columns of a wider matrix is one call.
   * gemm_nt: C (m x n, rows ldc apart) = beta C + A (m x k) B^T, B (n x k):
   *   rows dotted with rows, each dot in LNN_LANES lanes (the canonical dot,
   *   kernels.c).
   * gemm_xn: C (m x n) = beta C + alpha sum over r < k of A(x, r) B[r] (B k x n),
   *   the rows of B and C ld apart, the terms of each element in order
   *   r = 0 .. k-1, where A(x, r) = A[r * ar + x * ax]: ar = m, ax = 1 reads A
   *   as k x m transposed (the weight gradient d^T X); ar = 1, ax = k reads it
   *   as m x k (d W). */
  void (*gemm_nt)(float *C, size_t ldc, const float *A, const float *B, size_t m, size_t n,
                  size_t k, float beta);
  void (*gemm_xn)(float *C, const float *A, size_t ar, size_t ax, const float *B, size_t ld,
                  size_t m, size_t n, size_t k, float alpha, float beta);
  /* The conv-pool layer's convolution and pooling (conv.h): direct loops in
   * the naive table; in the others a direct SIMD forward and a backward that
   * follows the pool's argmax (conv_backward.h, one text for both widths). */
  lnn_conv_forward_fn conv_forward;
  lnn_conv_backward_fn conv_backward;
} lnn_kernels;

/* The forms of lnn_gemm: which operand is read transposed. */
typedef enum lnn_gemm_form {
  LNN_GEMM_NT = 0, /* C = beta C + alpha A B^T:  A (m x k), B (n x k); alpha must be 1 */
  LNN_GEMM_TN = 1, /* C = beta C + alpha A^T B:  A (k x m), B (k x n) */
  LNN_GEMM_NN = 2  /* C = beta C + alpha A B:    A (m x k), B (k x n) */
} lnn_gemm_form;

/* The lanes of the canonical dot product: every table sums a dot of k terms
 * as LNN_LANES interleaved partial sums, then adds them by halves. */
#define LNN_LANES 16

/* C (m x n, row-major, contiguous) = beta C + alpha op(A) op(B), every matrix
 * contiguous and row-major.  The one entry the layers and tools multiply
 * through: NT runs the table's gemm_nt, TN and NN its gemm_xn, whatever the
 * sizes, so each element's bits depend on its operands only (not on m, the
 * table or the thread that computes it). */
void lnn_gemm(const lnn_kernels *K, lnn_gemm_form form, size_t m, size_t n, size_t k, float alpha,
              const float *A, const float *B, float beta, float *C);
/* The block rows r0..r1-1, columns c0..c1-1 of that same C, every other
 * element untouched: each element's bits are lnn_gemm's, so threads can share
 * one product by bands of rows or columns (parallel.c's steps split inside
 * the layers). */
void lnn_gemm_block(const lnn_kernels *K, lnn_gemm_form form, size_t m, size_t n, size_t k,
                    float alpha, const float *A, const float *B, float beta, float *C, size_t r0,
                    size_t r1, size_t c0, size_t c1);

extern const lnn_kernels lnn_kernels_naive;
/* The table new networks use: LNN_KERNELS's when it names one this
 * processor runs, else the fastest (decided once per process; the binding
 * refuses an LNN_KERNELS it cannot honour before anything runs). */
const lnn_kernels *lnn_kernels_best(void);
/* The fastest table this processor runs. */
const lnn_kernels *lnn_kernels_fastest(void);
/* A table by name ("naive", "avx2", "avx512"); NULL if this processor lacks it. */
const lnn_kernels *lnn_kernels_named(const char *name);

/* Softmax of each row of y (rows x cols), in place; shared by every table. */
void lnn_softmax_rows(float *y, size_t rows, size_t cols);
/* The naive kernels are plain C with fmaf; on a processor with FMA they run
 * a clone compiled for it, where fmaf is one instruction instead of a call
 * into libm (the same bits: a fused multiply-add has one correct result). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(LNN_NO_CLONES)
#define LNN_NAIVE __attribute__((target_clones("fma", "default")))
#else
#define LNN_NAIVE
#endif

#endif
