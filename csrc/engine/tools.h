/* tools.h -- the C under lnn's scripts beyond training: expand_mnist's one-pixel
 * shifts, the average-darkness and linear-SVM baselines, confusion counts, and
 * the pictures visualize.lua draws (contact sheets, a confusion matrix).
 * Kernels trust their arguments (the bindings check them); nothing here
 * allocates, prints or does file I/O except through png.h. */
#ifndef LNN_TOOLS_H
#define LNN_TOOLS_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/lnn.h"
#include "data.h"
#include "kernels.h"
#include "rng.h"

/* ---- expand_mnist ---- */

/* dst (rows x cols) = src (rows x cols) moved dr rows down and dc columns right
 * (|dr|, |dc| < rows, cols; negative: up, left), vacated pixels 0.  The fast
 * form copies row runs; the naive twin reads pixel by pixel. */
void lnn_shift_image(uint8_t *dst, const uint8_t *src, int rows, int cols, int dr, int dc);
void lnn_shift_image_naive(uint8_t *dst, const uint8_t *src, int rows, int cols, int dr, int dc);

/* The shifts expand_mnist.py adds after each image, in its order: down, up,
 * right, left (np.roll by +1/-1 on axis 0, then axis 1, vacated line zeroed). */
#define LNN_EXPAND_FACTOR 5

/* x (5n x rows*cols), y (5n): item 5i+s of the expanded set is image i (s = 0)
 * or its shift s (1..4), with label i; it is stored at position perm[5i+s]
 * (perm a permutation of 0..5n-1, or NULL for that order).  Writing straight
 * to the shuffled place means no second copy of the 5n images. */
void lnn_expand_shifts(uint8_t *x, uint8_t *y, const uint8_t *src, const uint8_t *labels,
                       size_t n, int rows, int cols, const uint32_t *perm, int naive);

/* ---- average darkness (mnist_average_darkness.py) ---- */

/* avg (k) = for each class c < k, the mean over items of class c of the sum of
 * their inputs (pixels scaled as the set says); NaN for a class with no items.
 * Sums are exact for bytes (integer sums, then one scale) and double for floats. */
void lnn_avg_darkness(double *avg, const lnn_data *s);
/* The class whose average darkness is nearest to the darkness of each item
 * (the first on ties, classes with a NaN average skipped) into guess (n, may be
 * NULL); returns how many equal the item's class. */
size_t lnn_guess_darkness(int *guess, const lnn_data *s, const double *avg);

/* ---- linear SVM, hinge loss, dual coordinate descent: one-vs-rest, or one
 * pair of classes (one-vs-one is every pair, as libsvm's SVC) ---- */

typedef struct lnn_svm_opts {
  double C;       /* box constraint 0 < alpha <= C (LIBLINEAR's -c) */
  double tol;     /* stop when an epoch's largest projected-gradient spread is below tol */
  int epochs;     /* at most this many passes over the data */
  int pair;       /* 0: every class against the rest; 1: class a (+1) against class b (-1), on their items only */
  int a, b;
} lnn_svm_opts;

/* Work space of lnn_svm_train, in bytes, for n items of d inputs and k classes. */
size_t lnn_svm_work_size(size_t n, size_t d, size_t k);

/* W (k x (d+1), row c the weights of "class c against the rest", last column
 * its bias, an input fixed at 1; with o->pair one row, "a against b") minimising 1/2 |w|^2 + C sum_i max(0, 1 - y_i w.x_i)
 * by LIBLINEAR's dual coordinate descent (Hsieh et al. 2008) without shrinking,
 * all k problems advanced together so each item is read once per pass.  Items
 * are visited in a fresh random order (from r) every pass.  work holds
 * lnn_svm_work_size bytes, 16-byte aligned.  Returns the passes made; *gap the
 * last pass's projected-gradient spread. */
int lnn_svm_train(float *W, const lnn_data *s, const lnn_svm_opts *o, lnn_rng *r, void *work,
                  double *gap, const lnn_kernels *K);

/* One-vs-one: W (k (k-1)/2 x (d+1)), row p the classifier of pair p, in the
 * order (0,1), (0,2), ..., (1,2), ...: lnn_svm_train with o->pair for (a, b)
 * on the items of a and b only, its visiting order from a generator seeded
 * (seed, 0x5f6e0000 + p).  The pairs are shared over nthreads threads (1 to
 * LNN_LIMIT_RUN_THREADS), work[t] thread t's lnn_svm_work_size(n, d, 1)
 * bytes, 16-byte aligned; the result is the same bits for any count.
 * passes[p] and gaps[p] are pair p's.  Returns the threads that ran. */
int lnn_svm_train_pairs(float *W, const lnn_data *s, const lnn_svm_opts *o, uint64_t seed, int nthreads,
                        void *const *work, int *passes, double *gaps, const lnn_kernels *K);

/* pred (n) from W (k x (d+1)) applied to each item, by the GEMM kernel over
 * blocks of `block` items staged in buf (block x (d+1) + block x k floats):
 * with classes 0, argmax over the k rows (one-vs-rest); else the vote of the
 * k = classes (classes - 1) / 2 pairs in order (0,1), (0,2), ..., (1,2), ...:
 * a row's value > 0 votes for the pair's first class, else for its second;
 * the first class with the most votes wins (libsvm's rule).  Returns how many
 * equal the item's class (if the set has classes < k, or = classes). */
size_t lnn_svm_predict(int *pred, const float *W, size_t k, size_t classes, const lnn_data *s,
                       float *buf, size_t block, const lnn_kernels *K);

/* ---- random Fourier features (Rahimi and Recht 2007) ---- */

/* Z (m x D) = sqrt(2/D) cos(X omega^T + b) for items first..first+m-1 of s
 * (buf: m x d floats for their inputs X, then m x LNN_RFF_BLOCK): with omega's rows drawn from
 * N(0, 2 gamma I) and b from U[0, 2 pi), Z_i . Z_j approximates the RBF kernel
 * exp(-gamma |x_i - x_j|^2), so a linear SVM on Z is an RBF-like one.  The
 * product follows the kernel table's arithmetic, the cosine is lnn's own
 * (the same bits on every machine). */
#define LNN_RFF_BLOCK 256 /* features per product: omega's block (256 x d floats) stays in L2 */
void lnn_rff(float *Z, const lnn_data *s, size_t first, size_t m, const float *omega,
             const float *b, size_t D, float *buf, const lnn_kernels *K);

/* ---- confusion counts ---- */

/* counts (k x k, row = true class, column = prediction) += one per item; items
 * whose prediction is outside 0..k-1 are not counted.  Returns the number correct. */
size_t lnn_confusion(uint32_t *counts, size_t k, const int *pred, const lnn_data *s);

/* ---- ensembles ---- */

/* out[i] = the plurality of pred[j * n + i] over the m members j (every
 * prediction in 0..k-1); a tie goes to the smallest class.  count: k words
 * of scratch.  The book's 6.8 vote. */
void lnn_vote(int *out, const int *pred, size_t m, size_t n, size_t k, uint32_t *count);

/* ---- pictures (8-bit RGB, rows of w * 3 bytes) ---- */

/* A 5 x 7 pixel font: digits, space and  > - . / : %  */
#define LNN_FONT_W 5
#define LNN_FONT_H 7
/* 1 if every character of text has a glyph. */
int lnn_font_supports(const char *text);
/* Draws text at (x, y) (top left), each font pixel a scale x scale square,
 * characters 6 * scale apart; pixels outside the picture are clipped. */
void lnn_draw_text(uint8_t *rgb, int w, int h, int x, int y, const char *text, int scale,
                   const uint8_t color[3]);

/* A grid of n small gray images (ih x iw each), each enlarged scale times,
 * pad pixels around it, optionally a one-line caption under it. */
typedef struct lnn_sheet {
  int n, ih, iw, columns, scale, pad;
  int captions;  /* 1: leave a caption line under each image */
  int invert;    /* 1: draw 255 - v (MNIST ink dark on white paper) */
} lnn_sheet;

/* The picture's width and height. */
void lnn_sheet_size(const lnn_sheet *g, int *w, int *h);
/* rgb (h x w x 3, sized by lnn_sheet_size) = the sheet of images (n x ih x iw
 * bytes) with captions[i] (or none if captions is NULL) in black, except that
 * what follows a '>' is red (label>prediction). */
void lnn_sheet_draw(uint8_t *rgb, const lnn_sheet *g, const uint8_t *images,
                    const char *const *captions);

/* The confusion picture of k classes: a header row (predictions) and column
 * (true classes), each cell its count, diagonal cells green and the others red
 * by how large their share is.  lnn_confusion_size gives w and h (cells are
 * as wide as the largest count needs). */
void lnn_confusion_size(const uint32_t *counts, size_t k, int *w, int *h);
void lnn_confusion_draw(uint8_t *rgb, const uint32_t *counts, size_t k);

/* dst (rows x cols bytes) = each row of W (rows x cols floats) mapped linearly
 * from its own min..max to 0..255 (a constant row gives 128). */
void lnn_rows_to_bytes(uint8_t *dst, const float *W, size_t rows, size_t cols);

#endif
