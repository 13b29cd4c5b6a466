/* kernels.h -- element-wise kernels of lnn, each in a naive form and a SIMD
 * form chosen once at run time.  Kernels trust their arguments: shapes are
 * checked by the bindings, never here.  Products of matrices go to BLAS
 * (cblas_sgemm) directly from the layers; this table holds what BLAS lacks,
 * and which form of the convolution a network runs. */
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
  /* Products for small mini-batches, where BLAS spends more time packing than
   * multiplying.  All row-major and contiguous.
   * gemm_nt: C (m x n) = beta C + A (m x k) B^T, B (n x k): rows dotted with rows.
   * gemm_xn: C (m x n) = beta C + alpha sum over r < k of A(x, r) B[r] (B k x n), where
   *   A(x, r) = A[r * ar + x * ax]: ar = m, ax = 1 reads A as k x m transposed
   *   (the weight gradient d^T X); ar = 1, ax = k reads it as m x k (d W). */
  void (*gemm_nt)(float *C, const float *A, const float *B, size_t m, size_t n, size_t k,
                  float beta);
  void (*gemm_xn)(float *C, const float *A, size_t ar, size_t ax, const float *B, size_t m,
                  size_t n, size_t k, float alpha, float beta);
  /* The conv-pool layer's convolution and pooling (conv.h): direct loops in
   * the naive table; direct SIMD forward, im2row + sgemm backward in the others. */
  lnn_conv_forward_fn conv_forward;
  lnn_conv_backward_fn conv_backward;
  /* The forward product uses gemm_nt up to this many rows, cblas_sgemm
   * beyond: where a table's gemm_nt beats OpenBLAS at every size (AVX-512
   * on a Haswell-kernel OpenBLAS), evaluation keeps using it. */
  size_t nt_max_rows;
} lnn_kernels;

extern const lnn_kernels lnn_kernels_naive;
/* The fastest table this processor runs (decided once). */
const lnn_kernels *lnn_kernels_best(void);
/* A table by name ("naive", "avx2", "avx512"); NULL if this processor lacks it. */
const lnn_kernels *lnn_kernels_named(const char *name);

/* Softmax of each row of y (rows x cols), in place; shared by every table. */
void lnn_softmax_rows(float *y, size_t rows, size_t cols);

#endif
