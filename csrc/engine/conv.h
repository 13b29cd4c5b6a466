/* conv.h -- the kernels of network3.py's conv-pool layer: a "valid"
 * convolution (cross-correlation, as PyTorch's Conv2d: no filter flip) followed
 * by max-pooling without padding, with the argmax of every pool window kept so
 * the backward pass routes each delta to the one input that won.  Bias and
 * activation are the layer's business (net.c), not these kernels'.
 * Two forms: naive direct loops (the reference the specs compare against) and
 * a direct SIMD forward with a sparse backward (conv.c says how).  Kernels trust their arguments; nothing is checked here. */
#ifndef LNN_CONV_H
#define LNN_CONV_H

#include <stddef.h>
#include <stdint.h>

typedef struct lnn_conv {
  int c, h, w;   /* input image: channels x rows x columns */
  int f, kh, kw; /* f filters of c x kh x kw */
  int ph, pw;    /* pool window, also its stride; ragged edges are dropped */
} lnn_conv;

/* Sizes derived from a shape: convolution output oh x ow, pooled output qh x qw. */
static inline int lnn_conv_oh(const lnn_conv *s) { return s->h - s->kh + 1; }
static inline int lnn_conv_ow(const lnn_conv *s) { return s->w - s->kw + 1; }
static inline int lnn_conv_qh(const lnn_conv *s) { return lnn_conv_oh(s) / s->ph; }
static inline int lnn_conv_qw(const lnn_conv *s) { return lnn_conv_ow(s) / s->pw; }
/* floats of scratch the fast form needs, whatever the number of items (it
 * works one item at a time) */
size_t lnn_conv_scratch_floats(const lnn_conv *s);

/* Forward of m items:
 *   in  (m x c x h x w), W (f x c x kh x kw)
 *   out (m x f x qh x qw) = max over each pool window of the convolution
 *   arg (m x f x qh x qw) = index (y ow + x in the oh x ow map) of that max,
 *                           the first one in row order on ties
 *   scratch: lnn_conv_scratch_floats(s) floats (the fast form only) */
typedef void (*lnn_conv_forward_fn)(float *out, int32_t *arg, float *scratch, const float *in,
                                    const float *W, size_t m, const lnn_conv *s);
/* Backward of the same m items after their forward:
 *   dz  (m x f x qh x qw): dC/d(pooled output)
 *   gW  (f x c x kh x kw) += dC/dW, of the filters f0..f1-1 only (their rows
 *                           get the same bits as with every filter: each
 *                           filter's sum depends on its own deltas alone)
 *   din (m x c x h x w)    = dC/d(input), unless din is NULL
 * So threads share one backward: filters for gW, items for din. */
typedef void (*lnn_conv_backward_fn)(float *gW, float *din, float *scratch, const float *dz,
                                     const int32_t *arg, const float *in, const float *W,
                                     size_t m, const lnn_conv *s, int f0, int f1);

void lnn_conv_forward_naive(float *out, int32_t *arg, float *scratch, const float *in,
                            const float *W, size_t m, const lnn_conv *s);
void lnn_conv_backward_naive(float *gW, float *din, float *scratch, const float *dz,
                             const int32_t *arg, const float *in, const float *W, size_t m,
                             const lnn_conv *s, int f0, int f1);
/* The fast form (x86-64 only), compiled for AVX2 and for AVX-512 (conv.c). */
void lnn_conv_forward_avx2(float *out, int32_t *arg, float *scratch, const float *in,
                           const float *W, size_t m, const lnn_conv *s);
void lnn_conv_backward_avx2(float *gW, float *din, float *scratch, const float *dz,
                            const int32_t *arg, const float *in, const float *W, size_t m,
                            const lnn_conv *s, int f0, int f1);
void lnn_conv_forward_avx512(float *out, int32_t *arg, float *scratch, const float *in,
                             const float *W, size_t m, const lnn_conv *s);
void lnn_conv_backward_avx512(float *gW, float *din, float *scratch, const float *dz,
                              const int32_t *arg, const float *in, const float *W, size_t m,
                              const lnn_conv *s, int f0, int f1);

#endif
