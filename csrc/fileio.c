/* fileio.c -- temp-file-then-rename writes and bounded reads (POSIX).
 * Nothing here knows a file format. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

int lnn_atomic_begin(lnn_atomic *a, const char *path, lnn_error *err) {
  size_t len = strlen(path);
  mode_t mask;
  a->path = path;
  a->fd = -1;
  a->tmp = (char *)malloc(len + sizeof ".tmp.XXXXXX");
  if (a->tmp == NULL) return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory", path);
  memcpy(a->tmp, path, len);
  memcpy(a->tmp + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
  a->fd = mkstemp(a->tmp);
  if (a->fd < 0) {
    int rc = lnn_error_set(err, LNN_EIO, "%s: cannot create temporary file: %s", path,
                           strerror(errno));
    free(a->tmp);
    a->tmp = NULL;
    return rc;
  }
  /* mkstemp makes the file 0600; give it the mode a plain open() would have. */
  mask = umask(022);
  umask(mask);
  if (fchmod(a->fd, 0666 & ~mask) != 0) {
    int rc = lnn_error_set(err, LNN_EIO, "%s: cannot set mode of temporary file: %s", path,
                           strerror(errno));
    lnn_atomic_abort(a);
    return rc;
  }
  return LNN_OK;
}

int lnn_atomic_write(lnn_atomic *a, const void *data, size_t n, lnn_error *err) {
  const char *p = (const char *)data;
  while (n > 0) {
    ssize_t w = write(a->fd, p, n < ((size_t)1 << 30) ? n : ((size_t)1 << 30));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      return lnn_error_set(err, LNN_EIO, "%s: write failed: %s", a->path,
                           w < 0 ? strerror(errno) : "no progress");
    p += w;
    n -= (size_t)w;
  }
  return LNN_OK;
}

/* After the rename, the folder's entry must reach the disk too, or a power
 * cut can bring back the old file (or none).  Best effort: some file
 * systems refuse fsync on a folder, and the data itself is already safe. */
static void sync_folder(const char *path) {
  const char *slash = strrchr(path, '/');
  char *folder;
  int fd;
  if (slash == NULL) {
    fd = open(".", O_RDONLY);
  } else {
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    folder = (char *)malloc(n + 1);
    if (folder == NULL) return;
    memcpy(folder, path, n);
    folder[n] = '\0';
    fd = open(folder, O_RDONLY);
    free(folder);
  }
  if (fd < 0) return;
  (void)fsync(fd);
  close(fd);
}

int lnn_atomic_commit(lnn_atomic *a, lnn_error *err) {
  int rc = LNN_OK;
  if (fsync(a->fd) != 0)
    rc = lnn_error_set(err, LNN_EIO, "%s: fsync failed: %s", a->path, strerror(errno));
  if (close(a->fd) != 0 && rc == LNN_OK)
    rc = lnn_error_set(err, LNN_EIO, "%s: close failed: %s", a->path, strerror(errno));
  a->fd = -1;
  if (rc == LNN_OK && rename(a->tmp, a->path) != 0)
    rc = lnn_error_set(err, LNN_EIO, "%s: cannot rename temporary file into place: %s", a->path,
                       strerror(errno));
  if (rc != LNN_OK) {
    lnn_atomic_abort(a);
    return rc;
  }
  free(a->tmp);
  a->tmp = NULL;
  sync_folder(a->path);
  return LNN_OK;
}

void lnn_atomic_abort(lnn_atomic *a) {
  if (a->fd >= 0) close(a->fd);
  a->fd = -1;
  if (a->tmp != NULL) {
    unlink(a->tmp);
    free(a->tmp);
    a->tmp = NULL;
  }
}

int lnn_file_write_atomic(const char *path, const lnn_chunk *chunks, int nchunks, lnn_error *err) {
  lnn_atomic a;
  int i, rc = lnn_atomic_begin(&a, path, err);
  if (rc != LNN_OK) return rc;
  for (i = 0; i < nchunks; i++) {
    rc = lnn_atomic_write(&a, chunks[i].data, chunks[i].size, err);
    if (rc != LNN_OK) {
      lnn_atomic_abort(&a);
      return rc;
    }
  }
  return lnn_atomic_commit(&a, err);
}

int lnn_file_size(const char *path, size_t *size, lnn_error *err) {
  struct stat st;
  if (stat(path, &st) != 0)
    return lnn_error_set(err, LNN_EIO, "%s: cannot open: %s", path, strerror(errno));
  if (!S_ISREG(st.st_mode)) return lnn_error_set(err, LNN_EIO, "%s: not a regular file", path);
  *size = (size_t)st.st_size;
  return LNN_OK;
}

int lnn_file_read_at(const char *path, size_t offset, void *dst, size_t size, lnn_error *err) {
  FILE *f = fopen(path, "rb");
  size_t got;
  if (f == NULL) return lnn_error_set(err, LNN_EIO, "%s: cannot open: %s", path, strerror(errno));
  if (fseek(f, (long)offset, SEEK_SET) != 0) {
    fclose(f);
    return lnn_error_set(err, LNN_EIO, "%s: cannot seek to byte %zu", path, offset);
  }
  got = fread(dst, 1, size, f);
  fclose(f);
  if (got != size)
    return lnn_error_set(err, LNN_EFORMAT, "%s: truncated: expected %zu bytes at byte %zu, got %zu",
                         path, size, offset, got);
  return LNN_OK;
}
