/* rng.c -- PCG32 (XSH RR) and the distributions lnn draws from it.
 * Doubles are used inside Box-Muller so the float results do not depend on
 * float rounding of log/cos; the same build gives the same numbers. */
#include <math.h>

#include "rng.h"

#define PCG_MULT 6364136223846793005ULL

uint32_t lnn_rng_u32(lnn_rng *r) {
  uint64_t old = r->state;
  uint32_t xorshifted, rot;
  r->state = old * PCG_MULT + r->inc;
  xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
  rot = (uint32_t)(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

void lnn_rng_seed(lnn_rng *r, uint64_t seed, uint64_t stream) {
  r->state = 0;
  r->inc = (stream << 1u) | 1u;
  lnn_rng_u32(r);
  r->state += seed;
  lnn_rng_u32(r);
}

uint32_t lnn_rng_below(lnn_rng *r, uint32_t n) {
  uint64_t m = (uint64_t)lnn_rng_u32(r) * n;
  uint32_t low = (uint32_t)m;
  if (low < n) {
    uint32_t threshold = (uint32_t)(-n) % n;
    while (low < threshold) {
      m = (uint64_t)lnn_rng_u32(r) * n;
      low = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}

float lnn_rng_uniform(lnn_rng *r) {
  return (float)(lnn_rng_u32(r) >> 8) * (1.0f / 16777216.0f);
}

float lnn_rng_normal(lnn_rng *r) {
  /* u1 in (0, 1] so log(u1) is finite; u2 in [0, 1). */
  double u1 = ((double)(lnn_rng_u32(r) >> 8) + 1.0) * (1.0 / 16777216.0);
  double u2 = (double)(lnn_rng_u32(r) >> 8) * (1.0 / 16777216.0);
  return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

void lnn_rng_fill_normal(lnn_rng *r, float *x, size_t n, float mean, float sd) {
  size_t i;
  for (i = 0; i < n; i++) x[i] = mean + sd * lnn_rng_normal(r);
}

void lnn_rng_permutation(lnn_rng *r, uint32_t *idx, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) idx[i] = (uint32_t)i;
  for (i = n; i > 1; i--) {
    uint32_t j = lnn_rng_below(r, (uint32_t)i);
    uint32_t t = idx[i - 1];
    idx[i - 1] = idx[j];
    idx[j] = t;
  }
}
