/* data.c -- moving items of a data set into mini-batch matrices.
 * No allocation and no checks: the bindings built the lnn_data and sized X, Y. */
#include <math.h>
#include <string.h>

#include "data.h"

void lnn_data_gather_x(const lnn_data *s, const uint32_t *idx, size_t first, size_t m, float *X,
                       const lnn_kernels *K) {
  size_t r;
  for (r = 0; r < m; r++) {
    size_t i = idx ? idx[r] : first + r;
    if (s->x8)
      K->u8_to_float(X + r * s->d, s->x8 + i * s->d, s->d, s->scale);
    else
      memcpy(X + r * s->d, s->xf + i * s->d, s->d * sizeof *X);
  }
}

void lnn_data_gather_y(const lnn_data *s, const uint32_t *idx, size_t first, size_t m, float *Y) {
  size_t r;
  for (r = 0; r < m; r++) {
    size_t i = idx ? idx[r] : first + r;
    if (s->label) {
      memset(Y + r * s->k, 0, s->k * sizeof *Y);
      Y[r * s->k + s->label[i]] = 1.0f;
    } else {
      memcpy(Y + r * s->k, s->y + i * s->k, s->k * sizeof *Y);
    }
  }
}

int lnn_argmax(const float *x, size_t n) {
  size_t j, best = 0;
  for (j = 1; j < n; j++)
    if (x[j] > x[best]) best = j;
  return (int)best;
}

int lnn_data_class(const lnn_data *s, size_t i) {
  return s->label ? s->label[i] : lnn_argmax(s->y + i * s->k, s->k);
}

/* First non-finite value of the n x w floats at v, as (row, column). */
static int first_nonfinite(const float *v, size_t n, size_t w, size_t *row, size_t *col) {
  size_t i;
  for (i = 0; i < n * w; i++)
    if (!isfinite(v[i])) {
      *row = i / w;
      *col = i % w;
      return 1;
    }
  return 0;
}

int lnn_data_find_nonfinite(const lnn_data *s, size_t *item, int *in_target, size_t *elem) {
  size_t xi = 0, xe = 0, yi = 0, ye = 0;
  int bad_x = s->xf != NULL && first_nonfinite(s->xf, s->n, s->d, &xi, &xe);
  int bad_y = s->y != NULL && first_nonfinite(s->y, s->n, s->k, &yi, &ye);
  if (!bad_x && !bad_y) return 0;
  /* report the earlier item; its inputs before its targets */
  *in_target = !bad_x || (bad_y && yi < xi);
  *item = *in_target ? yi : xi;
  *elem = *in_target ? ye : xe;
  return 1;
}
