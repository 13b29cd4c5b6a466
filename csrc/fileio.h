/* fileio.h -- whole-file reads and crash-safe writes.  A write goes to a
 * temporary file in the target's folder, is flushed and fsync'd, then renamed
 * over the target, and the folder is fsync'd: a reader (or a restart after a
 * crash or power cut) sees the old file or the new one, never half. */
#ifndef LNN_FILEIO_H
#define LNN_FILEIO_H

#include <stddef.h>

#include "lnn.h"

typedef struct lnn_chunk {
  const void *data;
  size_t size;
} lnn_chunk;

/* The steps of one atomic write, for writers that stream (gzip):
 * begin creates "<path>.tmp.XXXXXX" with the mode open() would give; commit
 * fsyncs, closes and renames it over path; abort (also done by a failed
 * commit) removes it.  After begin, exactly one of commit/abort must run. */
typedef struct lnn_atomic {
  const char *path;
  char *tmp;
  int fd;
} lnn_atomic;

int lnn_atomic_begin(lnn_atomic *a, const char *path, lnn_error *err);
int lnn_atomic_write(lnn_atomic *a, const void *data, size_t n, lnn_error *err);
int lnn_atomic_commit(lnn_atomic *a, lnn_error *err);
void lnn_atomic_abort(lnn_atomic *a);

/* Writes the chunks, in order, as the new content of path. */
int lnn_file_write_atomic(const char *path, const lnn_chunk *chunks, int nchunks, lnn_error *err);
/* Size of the file at path, in *size. */
int lnn_file_size(const char *path, size_t *size, lnn_error *err);
/* Reads size bytes from offset of path into dst; fewer bytes is an error. */
int lnn_file_read_at(const char *path, size_t offset, void *dst, size_t size, lnn_error *err);

#endif
