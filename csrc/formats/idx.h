/* idx.h -- IDX files (the MNIST format), raw or gzip-compressed, unsigned-byte
 * elements only.  Reading is two-phase so a binding can allocate the destination
 * (as userdata) between header and payload; nothing here allocates for the caller. */
#ifndef LNN_IDX_H
#define LNN_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "base/lnn.h"

#define LNN_IDX_IMAGES 2051u /* 0x00000803: count, rows, cols */
#define LNN_IDX_LABELS 2049u /* 0x00000801: count */
#define LNN_IDX_MAX_BYTES ((uint64_t)1 << 34) /* larger payloads are "absurd size" */

typedef struct lnn_idx_header {
  uint32_t magic;   /* e.g. 2051 */
  int ndim;         /* 1..4, the magic's low byte */
  uint32_t dims[4]; /* dims[0] = item count; unused dims are 0 */
  size_t item_size; /* product of dims[1..ndim-1] (1 for labels) */
  size_t total;     /* dims[0] * item_size bytes of payload */
} lnn_idx_header;

/* Reading goes through fd, a descriptor open on path (lnn_rfile_open), read
 * from its start each time: header then payload through one descriptor is one
 * snapshot of the file, whatever saves replace path meanwhile.  path only
 * names the file in messages; fd stays open.
 * read_header reads and checks the header (expect_magic 0 = any supported);
 * read checks the header again equals *h, reads exactly h->total bytes into
 * dst (cap >= h->total) and checks the file ends there. */
int lnn_idx_read_header_fd(int fd, const char *path, uint32_t expect_magic, lnn_idx_header *h,
                           lnn_error *err);
int lnn_idx_read_fd(int fd, const char *path, const lnn_idx_header *h, uint8_t *dst, size_t cap,
                    lnn_error *err);

/* Writes an IDX file atomically (temp file in the same folder, fsync, rename):
 * gzip-compressed at gz_level 1..9, raw if gz_level is 0.  On failure an existing
 * file at path is untouched and no temp file is left. */
int lnn_idx_write(const char *path, uint32_t magic, int ndim, const uint32_t *dims,
                  const uint8_t *data, int gz_level, lnn_error *err);

#endif
