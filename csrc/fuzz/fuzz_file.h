/* fuzz_file.h -- the fuzz targets' one helper: lnn's readers take a path, so
 * each input is written to an in-memory file (memfd) and read back through
 * /proc/self/fd/N.  No disk, no temp files left by a crashed run. */
#ifndef LNN_FUZZ_FILE_H
#define LNN_FUZZ_FILE_H


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct fuzz_file {
  int fd;
  char path[64];
} fuzz_file;

/* Replaces the content of f (created on first use) with data[0..size). */
static inline const char *fuzz_file_put(fuzz_file *f, const char *name, const uint8_t *data,
                                        size_t size) {
  if (f->path[0] == '\0') {
    f->fd = memfd_create(name, 0);
    if (f->fd < 0) {
      perror("memfd_create");
      abort();
    }
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
  }
  if (ftruncate(f->fd, 0) != 0) abort();
  while (size > 0) {
    ssize_t w = pwrite(f->fd, data, size, 0);
    if (w <= 0) abort();
    if ((size_t)w != size) abort(); /* memfd writes are whole */
    size = 0;
  }
  return f->path;
}

#endif
