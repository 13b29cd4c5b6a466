/* fuzz_png.c -- libFuzzer target: any bytes as a PNG file through the path
 * lnn.core.read_png takes once it has read the file (one descriptor, one
 * buffer): lnn_png_parse_header, which also refuses an image the file cannot
 * hold, then lnn_png_decode into exactly w * h * channels bytes.  Beyond "no
 * crash": a decoded image has the header's sizes, and the path-based readers
 * (lnn_png_read_header, lnn_png_read) agree with it on the same bytes. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/png.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_file file;
static uint8_t fixed[1 << 16];

/* Random bytes almost never carry valid CRCs, which would stop every input at
 * the first chunk; so for inputs of odd length the CRCs are recomputed and the
 * fuzzer reaches the decoder.  Even lengths keep theirs (the CRC check). */
static const uint8_t *fix_crcs(const uint8_t *data, size_t size) {
  size_t at = 8;
  if (size % 2 == 0 || size > sizeof fixed) return data;
  memcpy(fixed, data, size);
  while (at + 12 <= size) {
    uint32_t len = ((uint32_t)fixed[at] << 24) | ((uint32_t)fixed[at + 1] << 16) |
                   ((uint32_t)fixed[at + 2] << 8) | fixed[at + 3];
    uint32_t crc;
    if (len > size - at - 12) break;
    crc = (uint32_t)crc32(0L, fixed + at + 4, (uInt)len + 4u);
    fixed[at + 8 + len] = (uint8_t)(crc >> 24);
    fixed[at + 9 + len] = (uint8_t)(crc >> 16);
    fixed[at + 10 + len] = (uint8_t)(crc >> 8);
    fixed[at + 11 + len] = (uint8_t)crc;
    at += 12 + (size_t)len;
  }
  return fixed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *bytes = fix_crcs(data, size);
  int w, h, c, w2, h2, c2;
  lnn_error e;
  uint8_t *pix, *pix2;
  size_t n;
  const char *path;
  if (lnn_png_parse_header("in", bytes, size, &w, &h, &c, &e) != LNN_OK) return 0;
  if (w < 1 || h < 1 || (c != 1 && c != 3)) abort();
  /* the room check: at most 1032:1 deflate plus a filter byte a row */
  n = (size_t)w * (size_t)h * (size_t)c;
  if ((uint64_t)n + (uint64_t)h > (uint64_t)size * 1032 + 1024) abort();
  pix = (uint8_t *)malloc(n);
  if (pix == NULL) abort();
  if (lnn_png_decode("in", bytes, size, pix, n, &w2, &h2, &c2, &e) != LNN_OK) {
    free(pix);
    return 0;
  }
  if (w2 != w || h2 != h || c2 != c) abort();
  /* a valid image: the readers that open a path must see the same */
  path = fuzz_file_put(&file, "png", bytes, size);
  pix2 = (uint8_t *)malloc(n);
  if (pix2 == NULL) abort();
  if (lnn_png_read_header(path, &w2, &h2, &c2, &e) != LNN_OK || w2 != w || h2 != h || c2 != c)
    abort();
  if (lnn_png_read(path, pix2, n, &w2, &h2, &c2, &e) != LNN_OK || memcmp(pix, pix2, n) != 0) abort();
  free(pix2);
  free(pix);
  return 0;
}
