/* fileio.h -- one-descriptor reads and crash-safe writes.  A write goes to a
 * temporary file in the target's folder, is flushed and fsync'd, then renamed
 * over the target, and the folder is fsync'd: a reader (or a restart after a
 * crash or power cut) sees the old file or the new one, never half. */
#ifndef LNN_FILEIO_H
#define LNN_FILEIO_H

#include <stddef.h>

#include "base/lnn.h"

typedef struct lnn_chunk {
  const void *data;
  size_t size;
} lnn_chunk;

/* What a write may replace: nothing (a new file), a regular file (its
 * permission bits are kept) or a symlink, followed to the file it names,
 * which is replaced in its own folder (the link stays).  Anything else (a
 * device, fifo, folder, socket) is refused by begin, before any work.
 * The steps of one atomic write, for writers that stream (gzip):
 * begin creates "<path>.tmp.XXXXXX" (".lnn-tmp.XXXXXX" in path's folder when
 * that name would pass the 255-byte limit) with the mode open() would give; commit
 * fsyncs, closes and renames it over path; abort (also done by a failed
 * commit) removes it.  After begin, exactly one of commit/abort must run. */
typedef struct lnn_atomic {
  const char *path; /* as the caller named it, for messages */
  char *target;     /* the file replaced: path, or the file a symlink at path names */
  char *tmp;
  int fd;
} lnn_atomic;

int lnn_atomic_begin(lnn_atomic *a, const char *path, lnn_error *err);
int lnn_atomic_write(lnn_atomic *a, const void *data, size_t n, lnn_error *err);
int lnn_atomic_commit(lnn_atomic *a, lnn_error *err);
void lnn_atomic_abort(lnn_atomic *a);

/* Whether a save could write path, without creating anything: the target
 * (resolved as begin does) is absent or regular, and its folder exists and is
 * writable.  The message says what stands in the way. */
int lnn_file_check_writable(const char *path, lnn_error *err);
/* Whether path is a writable folder, or could be made one with its missing
 * parents (the nearest existing ancestor is a writable folder). */
int lnn_folder_check_writable(const char *path, lnn_error *err);

/* Writes the chunks, in order, as the new content of path. */
int lnn_file_write_atomic(const char *path, const lnn_chunk *chunks, int nchunks, lnn_error *err);
/* One snapshot of a file for reading: one descriptor, and the size that
 * descriptor had when opened.  Saves replace a file by renaming a new one
 * over it, so everything read through one rfile comes from one whole save,
 * however many saves happen meanwhile.  Only a regular file (or a symlink to
 * one) opens; a fifo, device or folder is refused without blocking.
 * init puts f in the closed state (close is then a no-op). */
typedef struct lnn_rfile {
  const char *path; /* for messages */
  int fd;
  size_t size;
} lnn_rfile;

void lnn_rfile_init(lnn_rfile *f);
int lnn_rfile_open(lnn_rfile *f, const char *path, lnn_error *err);
/* Reads size bytes from offset into dst; fewer is a "truncated" error. */
int lnn_rfile_read_at(const lnn_rfile *f, size_t offset, void *dst, size_t size, lnn_error *err);
void lnn_rfile_close(lnn_rfile *f);

#endif
