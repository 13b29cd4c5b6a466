/* fuzz_png.c -- libFuzzer target: any bytes as a PNG through the strict
 * reader lnn.core.read_png uses (header, then the whole image into a buffer
 * of exactly w * h * channels bytes).  Beyond "no crash": the header's sizes
 * are the ones the full read reports. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../png.h"
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
  const char *path = fuzz_file_put(&file, "png", fix_crcs(data, size), size);
  int w, h, c, w2, h2, c2;
  lnn_error e;
  uint8_t *pix;
  size_t n;
  if (lnn_png_read_header(path, &w, &h, &c, &e) != LNN_OK) return 0;
  if (w < 1 || h < 1 || (c != 1 && c != 3)) abort();
  n = (size_t)w * (size_t)h * (size_t)c;
  if (n > ((size_t)1 << 26)) return 0; /* a real header; only memory stops us */
  pix = (uint8_t *)malloc(n);
  if (pix == NULL) abort();
  if (lnn_png_read(path, pix, n, &w2, &h2, &c2, &e) == LNN_OK && (w2 != w || h2 != h || c2 != c))
    abort();
  free(pix);
  return 0;
}
