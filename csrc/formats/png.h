/* png.h -- 8-bit grayscale and RGB PNG files with zlib alone: a writer for pictures
 * and a strict reader that tests use to check them.  No palettes, alpha, 16-bit
 * samples or interlacing; no colour management chunks are written or honoured. */
#ifndef LNN_PNG_H
#define LNN_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "base/lnn.h"

#define LNN_PNG_MAX_PIXELS ((uint64_t)1 << 28) /* w * h beyond this is "absurd size" */
/* A larger file cannot be a PNG of at most LNN_PNG_MAX_PIXELS RGB pixels. */
#define LNN_PNG_MAX_FILE ((size_t)1 << 31)

/* Writes pix (h rows of w * channels bytes) as an 8-bit grayscale (channels 1) or
 * RGB (channels 3) PNG, atomically: temp file in the same folder, fsync, rename.
 * On failure nothing is left and an old file at path is intact.  w, h >= 1. */
int lnn_png_write(const char *path, const uint8_t *pix, int w, int h, int channels,
                  lnn_error *err);
/* Reads and checks the signature and IHDR only (bit depth 8, colour type 0 or 2,
 * no interlace). */
int lnn_png_read_header(const char *path, int *w, int *h, int *channels, lnn_error *err);
/* Reads the whole image into dst (cap >= w * h * channels bytes), checking every
 * chunk's CRC and undoing all five row filters. */
int lnn_png_read(const char *path, uint8_t *dst, size_t cap, int *w, int *h, int *channels,
                 lnn_error *err);

/* The same two on a whole file already in memory (buf[0..n)), as a caller that
 * reads the file once through one descriptor has it; path names it in messages.
 * Both refuse a header whose image n bytes of deflate data cannot hold, so a
 * caller may allocate w * h * channels bytes after parse_header succeeds. */
int lnn_png_parse_header(const char *path, const uint8_t *buf, size_t n, int *w, int *h,
                         int *channels, lnn_error *err);
int lnn_png_decode(const char *path, const uint8_t *buf, size_t n, uint8_t *dst, size_t cap,
                   int *w, int *h, int *channels, lnn_error *err);

#endif
