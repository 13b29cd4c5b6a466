/* fuzz_idx.c -- libFuzzer target: any bytes as an IDX file, raw or gzip (zlib
 * reads both), through the two-phase, one-descriptor reader lnn.core.load_idx uses.  Checks
 * beyond "no crash": an accepted header never claims more bytes than the file
 * can hold, and error messages are NUL-terminated and name the file. */
#include <stdlib.h>
#include <string.h>

#include "formats/idx.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_file file;

static void read_as(int fd, const char *path, uint32_t magic, size_t size) {
  lnn_idx_header h;
  lnn_error e;
  uint8_t *buf;
  int rc;
  memset(&e, 0, sizeof e);
  if (lnn_idx_read_header_fd(fd, path, magic, &h, &e) != LNN_OK) {
    if (memchr(e.msg, '\0', sizeof e.msg) == NULL || strstr(e.msg, path) == NULL) abort();
    return;
  }
  /* the room check: raw at most size - header, gzip at most 1032:1 */
  if ((uint64_t)h.total > (uint64_t)size * 1032 + 1024) abort();
  buf = (uint8_t *)malloc(h.total ? h.total : 1);
  if (buf == NULL) abort();
  rc = lnn_idx_read_fd(fd, path, &h, buf, h.total, &e);
  if (rc != LNN_OK && (memchr(e.msg, '\0', sizeof e.msg) == NULL || strstr(e.msg, path) == NULL))
    abort();
  free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file_put(&file, "idx", data, size);
  read_as(file.fd, path, 0, size);
  read_as(file.fd, path, LNN_IDX_IMAGES, size);
  read_as(file.fd, path, LNN_IDX_LABELS, size);
  return 0;
}
