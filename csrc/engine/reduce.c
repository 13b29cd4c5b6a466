/* reduce.c -- the fixed-order sum of chunk gradients; see reduce.h. */
#include "reduce.h"

void lnn_reduce_tree(float *const *bufs, int nbufs, size_t lo, size_t hi) {
  int s, i;
  size_t k;
  for (s = 1; s < nbufs; s *= 2)
    for (i = 0; i + s < nbufs; i += 2 * s) {
      float *a = bufs[i];
      const float *b = bufs[i + s];
      for (k = lo; k < hi; k++) a[k] += b[k];
    }
}
