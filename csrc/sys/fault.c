/* fault.c -- the failing calls of fault.h (test builds only: -DLNN_FAULT_INJECT=ON).
 * One counter for allocations, one for file operations, in call order; the
 * call whose number the environment names fails once, every other goes
 * through.  Nothing here in an ordinary build. */
#define LNN_FAULT_IMPL
#include "fault.h"

#ifdef LNN_FAULT_INJECT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long n_alloc, n_io, fail_alloc = -1, fail_io = -1;
static int ready;

static void report(void) {
  fprintf(stderr, "lnn-fault: %ld allocations, %ld file operations\n", n_alloc, n_io);
}

static void init(void) {
  const char *a, *b;
  if (ready) return;
  ready = 1;
  a = getenv("LNN_FAULT_ALLOC");
  b = getenv("LNN_FAULT_IO");
  if (a != NULL) fail_alloc = atol(a);
  if (b != NULL) fail_io = atol(b);
  if (getenv("LNN_FAULT_REPORT") != NULL) atexit(report);
}

static int hit_alloc(void) {
  init();
  return __atomic_add_fetch(&n_alloc, 1, __ATOMIC_SEQ_CST) == fail_alloc;
}

static int hit_io(void) {
  init();
  return __atomic_add_fetch(&n_io, 1, __ATOMIC_SEQ_CST) == fail_io;
}

void *lnn_fault_malloc(size_t n) { return hit_alloc() ? NULL : malloc(n); }
void *lnn_fault_realloc(void *p, size_t n) { return hit_alloc() ? NULL : realloc(p, n); }
char *lnn_fault_strdup(const char *s) { return hit_alloc() ? NULL : strdup(s); }

int lnn_fault_mkstemp(char *tmpl) {
  if (hit_io()) {
    errno = ENOSPC;
    return -1;
  }
  return mkstemp(tmpl);
}

ssize_t lnn_fault_write(int fd, const void *p, size_t n) {
  if (hit_io()) {
    errno = ENOSPC;
    return -1;
  }
  return write(fd, p, n);
}

int lnn_fault_gzwrite(gzFile f, voidpc buf, unsigned len) {
  if (hit_io()) return 0; /* as zlib reports a write it could not make */
  return gzwrite(f, buf, len);
}

int lnn_fault_fsync(int fd) {
  if (hit_io()) {
    errno = EIO;
    return -1;
  }
  return fsync(fd);
}

int lnn_fault_rename(const char *from, const char *to) {
  if (hit_io()) {
    errno = EIO;
    return -1;
  }
  return rename(from, to);
}
#else
typedef int lnn_fault_unused; /* ISO C wants something in a file */
#endif
