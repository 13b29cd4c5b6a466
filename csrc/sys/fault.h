/* fault.h -- fault injection for tests, the SQLite way (a build with
 * -DLNN_FAULT_INJECT=ON only): the Nth allocation of lnn's C code
 * (LNN_FAULT_ALLOC=N: malloc, realloc, strdup in the files that include this
 * header) and the Nth file operation (LNN_FAULT_IO=N: mkstemp, write,
 * gzwrite, fsync, rename) fail once, as an out-of-memory or a full disk
 * would.  LNN_FAULT_REPORT=1 prints the counts at exit, so a driver
 * (scripts/fault-sweep.sh) can try every N of a run.  Included last, after
 * the system headers; in an ordinary build it defines nothing. */
#ifndef LNN_FAULT_H
#define LNN_FAULT_H

#ifdef LNN_FAULT_INJECT
#include <stddef.h>
#include <sys/types.h>
#include <zlib.h>

void *lnn_fault_malloc(size_t n);
void *lnn_fault_realloc(void *p, size_t n);
char *lnn_fault_strdup(const char *s);
int lnn_fault_mkstemp(char *tmpl);
ssize_t lnn_fault_write(int fd, const void *p, size_t n);
int lnn_fault_gzwrite(gzFile f, voidpc buf, unsigned len);
int lnn_fault_fsync(int fd);
int lnn_fault_rename(const char *from, const char *to);

#ifndef LNN_FAULT_IMPL
#define malloc(n) lnn_fault_malloc(n)
#define realloc(p, n) lnn_fault_realloc(p, n)
#define strdup(s) lnn_fault_strdup(s)
#define mkstemp(t) lnn_fault_mkstemp(t)
#define write(fd, p, n) lnn_fault_write(fd, p, n)
#define gzwrite(f, b, n) lnn_fault_gzwrite(f, b, n)
#define fsync(fd) lnn_fault_fsync(fd)
#define rename(a, b) lnn_fault_rename(a, b)
#endif
#endif

#endif
