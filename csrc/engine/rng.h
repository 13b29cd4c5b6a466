/* rng.h -- the one seedable random generator of lnn (PCG32, O'Neill 2014).
 * Its whole state is two integers, so a checkpoint can carry it and a resumed
 * run draws the very numbers an uninterrupted one would.  No global state. */
#ifndef LNN_RNG_H
#define LNN_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct lnn_rng {
  uint64_t state;
  uint64_t inc; /* always odd */
} lnn_rng;

void lnn_rng_seed(lnn_rng *r, uint64_t seed, uint64_t stream);
uint32_t lnn_rng_u32(lnn_rng *r);
/* Uniform integer in [0, n), n >= 1, without modulo bias (Lemire). */
uint32_t lnn_rng_below(lnn_rng *r, uint32_t n);
/* Uniform float in [0, 1) with 24 random bits. */
float lnn_rng_uniform(lnn_rng *r);
/* Standard normal (Box-Muller, one value per two uniforms: no cached spare,
 * so the state stays two integers). */
float lnn_rng_normal(lnn_rng *r);
/* x[i] = mean + sd * N(0,1), i = 0..n-1 in order. */
void lnn_rng_fill_normal(lnn_rng *r, float *x, size_t n, float mean, float sd);
/* idx = a uniformly random permutation of 0..n-1 (Fisher-Yates from the identity). */
void lnn_rng_permutation(lnn_rng *r, uint32_t *idx, size_t n);

#endif
