/* fuzz_idx_gz.c -- libFuzzer target: the input is an IDX file's bytes; it is
 * read raw, then gzip-compressed and read again.  Both reads must agree
 * (accepted or not; when accepted, the same header and payload), so the
 * fuzzer explores the IDX parser behind zlib rather than zlib's framing. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/idx.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_file raw_file, gz_file;
/* One compressor for the whole run, reset per input: deflateInit2 and
 * deflateEnd per input cost more than the reads under test.  The smallest
 * window and memLevel keep the reset cheap; any valid gzip stream serves. */
static z_stream z;
static int z_ready;

/* Reads path into *out (malloc'd, NULL when rejected); returns the status. */
static int read_all(int fd, const char *path, lnn_idx_header *h, uint8_t **out) {
  lnn_error e;
  int rc = lnn_idx_read_header_fd(fd, path, 0, h, &e);
  *out = NULL;
  if (rc != LNN_OK) return rc;
  *out = (uint8_t *)malloc(h->total ? h->total : 1);
  if (*out == NULL) abort();
  rc = lnn_idx_read_fd(fd, path, h, *out, h->total, &e);
  if (rc != LNN_OK) {
    free(*out);
    *out = NULL;
  }
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lnn_idx_header hr, hg;
  uint8_t *pr, *pg, *gz;
  uLongf gzlen;
  int rr, rg;
  /* bytes that are already gzip are read as gzip in "raw" mode: no twin */
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) return 0;
  if (!z_ready) {
    if (deflateInit2(&z, 1, Z_DEFLATED, 9 + 16, 1, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    z_ready = 1;
  } else if (deflateReset(&z) != Z_OK) {
    abort();
  }
  gzlen = deflateBound(&z, (uLong)size);
  gz = (uint8_t *)malloc(gzlen);
  if (gz == NULL) abort();
  z.next_in = (Bytef *)(uintptr_t)data;
  z.avail_in = (uInt)size;
  z.next_out = gz;
  z.avail_out = (uInt)gzlen;
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
  gzlen = z.total_out;

  rr = read_all(raw_file.fd, fuzz_file_put(&raw_file, "raw", data, size), &hr, &pr);
  rg = read_all(gz_file.fd, fuzz_file_put(&gz_file, "gz", gz, gzlen), &hg, &pg);
  free(gz);
  if ((rr == LNN_OK) != (rg == LNN_OK)) abort();
  if (rr == LNN_OK) {
    if (memcmp(&hr, &hg, sizeof hr) != 0) abort();
    if (memcmp(pr, pg, hr.total) != 0) abort();
  }
  free(pr);
  free(pg);
  return 0;
}
