/* data.h -- a data set as the engine sees it: n items of d inputs, each with a
 * class label or a target vector.  Pixels stay bytes; they become floats one
 * mini-batch at a time.  The struct only points: whoever made it owns memory. */
#ifndef LNN_DATA_H
#define LNN_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

typedef struct lnn_data {
  size_t n;              /* items */
  size_t d;              /* inputs per item */
  size_t k;              /* classes (labels) or target length (vectors) */
  const uint8_t *x8;     /* n x d bytes, read as x8 * scale ... */
  const float *xf;       /* ... or n x d floats; exactly one is set */
  float scale;           /* for x8: 1/255 for pixels */
  const uint8_t *label;  /* n class indices < k ... */
  const float *y;        /* ... or n x k target vectors; exactly one is set */
} lnn_data;

/* X (m x d) = inputs of items idx[0..m-1] (idx NULL: items first..first+m-1). */
void lnn_data_gather_x(const lnn_data *s, const uint32_t *idx, size_t first, size_t m, float *X,
                       const lnn_kernels *K);
/* Y (m x k) = one-hot labels or target vectors of the same items. */
void lnn_data_gather_y(const lnn_data *s, const uint32_t *idx, size_t first, size_t m, float *Y);
/* The class of item i: its label, or the index of its target's largest entry. */
int lnn_data_class(const lnn_data *s, size_t i);
/* The first item holding a NaN or an infinity: returns 1 and sets *item,
 * *in_target (0 inputs, 1 targets) and *elem (all 0-based); 0 if every value
 * is finite.  Byte inputs and class labels are finite by construction. */
int lnn_data_find_nonfinite(const lnn_data *s, size_t *item, int *in_target, size_t *elem);
/* Index of the largest of x[0..n-1] (the first on ties), as numpy.argmax. */
int lnn_argmax(const float *x, size_t n);

#endif
