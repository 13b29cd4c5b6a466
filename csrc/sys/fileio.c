/* fileio.c -- temp-file-then-rename writes and bounded reads (POSIX).
 * Nothing here knows a file format. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "signals.h"

#include "fault.h" /* last: a fault-injection build wraps allocations and file calls */

/* the longest file name (one path component) the file systems lnn runs on take */
#define LNN_NAME_MAX 255
#define SHORT_TMP ".lnn-tmp.XXXXXX"

/* What st is, for the refusal of anything but a regular file. */
static const char *kind_of(mode_t m) {
  if (S_ISDIR(m)) return "directory";
  if (S_ISCHR(m)) return "character device";
  if (S_ISBLK(m)) return "block device";
  if (S_ISFIFO(m)) return "fifo";
  if (S_ISSOCK(m)) return "socket";
  return "special file";
}

/* The file a save of path must replace, in a new malloc'd string: path
 * itself, or for a symlink (chain) the file it finally names, a relative link
 * read from the link's own folder.  *st is that file's lstat, or *exists is 0
 * when it is absent (a new file, or a dangling link's file to create). */
static int resolve_target(const char *path, char **out, struct stat *st, int *exists,
                          lnn_error *err) {
  char *cur = strdup(path);
  int hops;
  if (cur == NULL) return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory", path);
  for (hops = 0;; hops++) {
    char link[4096];
    ssize_t n;
    char *next;
    if (lstat(cur, st) != 0) {
      if (errno == ENOENT) {
        *exists = 0;
        *out = cur;
        return LNN_OK;
      }
      lnn_error_set(err, LNN_EIO, "%s: cannot inspect %s: %s", path, cur, strerror(errno));
      free(cur);
      return LNN_EIO;
    }
    if (!S_ISLNK(st->st_mode)) break;
    if (hops >= 40) {
      free(cur);
      return lnn_error_set(err, LNN_EIO, "%s: too many levels of symbolic links", path);
    }
    n = readlink(cur, link, sizeof link - 1);
    if (n < 0 || n == (ssize_t)sizeof link - 1) {
      lnn_error_set(err, LNN_EIO, "%s: cannot read symbolic link %s: %s", path, cur,
                    n < 0 ? strerror(errno) : "too long");
      free(cur);
      return LNN_EIO;
    }
    link[n] = '\0';
    if (link[0] == '/' || strrchr(cur, '/') == NULL) {
      next = strdup(link);
    } else {
      size_t dirlen = (size_t)(strrchr(cur, '/') - cur) + 1; /* with the slash */
      next = (char *)malloc(dirlen + (size_t)n + 1);
      if (next != NULL) {
        memcpy(next, cur, dirlen);
        memcpy(next + dirlen, link, (size_t)n + 1);
      }
    }
    free(cur);
    if (next == NULL) return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory", path);
    cur = next;
  }
  if (!S_ISREG(st->st_mode)) {
    const char *what = kind_of(st->st_mode);
    if (strcmp(cur, path) == 0)
      lnn_error_set(err, LNN_EIO, "%s: is a %s, not a regular file; refusing to replace it", path,
                    what);
    else
      lnn_error_set(err, LNN_EIO,
                    "%s: links to %s, which is a %s, not a regular file; refusing to replace it",
                    path, cur, what);
    free(cur);
    return LNN_EIO;
  }
  *exists = 1;
  *out = cur;
  return LNN_OK;
}

int lnn_atomic_begin(lnn_atomic *a, const char *path, lnn_error *err) {
  size_t len;
  mode_t mode;
  struct stat st;
  int exists = 0, rc;
  a->path = path;
  a->fd = -1;
  a->tmp = NULL;
  a->target = NULL;
  rc = resolve_target(path, &a->target, &st, &exists, err);
  if (rc != LNN_OK) return rc;
  len = strlen(a->target);
  a->tmp = (char *)malloc(len + sizeof ".tmp.XXXXXX" + sizeof SHORT_TMP);
  if (a->tmp == NULL) {
    lnn_atomic_abort(a);
    return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory", path);
  }
  {
    /* "<name>.tmp.XXXXXX" beside the file; a legal name within 11 bytes of the
     * file system's 255-byte limit would make that name too long, and the save
     * would fail only when it is written (after an epoch's training): such a
     * file gets the short ".lnn-tmp.XXXXXX" in its folder instead */
    const char *slash = strrchr(a->target, '/');
    size_t dirlen = slash ? (size_t)(slash - a->target) + 1 : 0;
    memcpy(a->tmp, a->target, len);
    if (len - dirlen + sizeof ".tmp.XXXXXX" - 1 > LNN_NAME_MAX)
      memcpy(a->tmp + dirlen, SHORT_TMP, sizeof SHORT_TMP);
    else
      memcpy(a->tmp + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
  }
  {
    /* SIGINT and SIGTERM wait while the file is made and registered: a second
     * signal between the two would find no name to remove and leave the file */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    a->fd = mkstemp(a->tmp);
    if (a->fd >= 0) lnn_atomic_register(a->tmp);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
  }
  if (a->fd < 0) {
    rc = lnn_error_set(err, LNN_EIO, "%s: cannot create temporary file: %s", path,
                       strerror(errno));
    free(a->tmp);
    a->tmp = NULL;
    lnn_atomic_abort(a);
    return rc;
  }
  if (exists) {
    /* the replaced file's permission bits (and owner, where allowed) */
    mode = st.st_mode & 07777;
    if (fchown(a->fd, st.st_uid, st.st_gid) != 0) { /* not ours to give: keep ours */ }
  } else {
    /* mkstemp makes the file 0600; give it the mode a plain open() would have. */
    mode_t mask = umask(022);
    umask(mask);
    mode = 0666 & ~mask;
  }
  if (fchmod(a->fd, mode) != 0) {
    rc = lnn_error_set(err, LNN_EIO, "%s: cannot set mode of temporary file: %s", path,
                       strerror(errno));
    lnn_atomic_abort(a);
    return rc;
  }
  return LNN_OK;
}

/* The folder part of path ("." when there is none), malloc'd. */
static char *folder_of(const char *path) {
  const char *slash = strrchr(path, '/');
  size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
  char *f = (char *)malloc(n + 1);
  if (f == NULL) return NULL;
  memcpy(f, slash == NULL ? "." : path, n);
  f[n] = '\0';
  return f;
}

/* folder must be an existing folder this process may create files in */
static int check_folder(const char *path, const char *folder, lnn_error *err) {
  struct stat st;
  if (stat(folder, &st) != 0)
    return lnn_error_set(err, LNN_EIO, "%s: folder %s %s", path, folder,
                         errno == ENOENT ? "does not exist" : strerror(errno));
  if (!S_ISDIR(st.st_mode)) return lnn_error_set(err, LNN_EIO, "%s: %s is not a folder", path, folder);
  if (access(folder, W_OK | X_OK) != 0)
    return lnn_error_set(err, LNN_EIO, "%s: folder %s cannot be written: %s", path, folder,
                         strerror(errno));
  return LNN_OK;
}

int lnn_file_check_writable(const char *path, lnn_error *err) {
  char *target = NULL, *folder;
  struct stat st;
  int exists, rc = resolve_target(path, &target, &st, &exists, err);
  if (rc != LNN_OK) return rc;
  folder = folder_of(target);
  rc = folder == NULL ? lnn_error_set(err, LNN_ENOMEM, "%s: out of memory", path)
                      : check_folder(path, folder, err);
  free(folder);
  free(target);
  return rc;
}

int lnn_folder_check_writable(const char *path, lnn_error *err) {
  char *cur = strdup(path);
  struct stat st;
  int rc = LNN_OK;
  if (cur == NULL) return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory", path);
  /* up to the nearest ancestor that exists: it must be a writable folder */
  for (;;) {
    size_t n = strlen(cur);
    char *slash;
    while (n > 1 && cur[n - 1] == '/') cur[--n] = '\0';
    if (stat(cur, &st) == 0) {
      rc = check_folder(path, cur, err);
      break;
    }
    if (errno != ENOENT && errno != ENOTDIR) { /* ENOTDIR: a file on the way, found above */
      rc = lnn_error_set(err, LNN_EIO, "%s: %s: %s", path, cur, strerror(errno));
      break;
    }
    slash = strrchr(cur, '/');
    if (slash == NULL) {
      rc = check_folder(path, ".", err);
      break;
    }
    if (slash == cur) slash[1] = '\0';
    else *slash = '\0';
  }
  free(cur);
  return rc;
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
  char *folder = folder_of(path);
  int fd;
  if (folder == NULL) return;
  fd = open(folder, O_RDONLY);
  free(folder);
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
  if (rc == LNN_OK && rename(a->tmp, a->target) != 0)
    rc = lnn_error_set(err, LNN_EIO, "%s: cannot rename temporary file into place: %s", a->path,
                       strerror(errno));
  if (rc != LNN_OK) {
    lnn_atomic_abort(a);
    return rc;
  }
  lnn_atomic_register(NULL);
  free(a->tmp);
  a->tmp = NULL;
  sync_folder(a->target);
  free(a->target);
  a->target = NULL;
  return LNN_OK;
}

void lnn_atomic_abort(lnn_atomic *a) {
  if (a->fd >= 0) close(a->fd);
  a->fd = -1;
  if (a->tmp != NULL) {
    lnn_atomic_register(NULL);
    unlink(a->tmp);
    free(a->tmp);
    a->tmp = NULL;
  }
  free(a->target);
  a->target = NULL;
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

void lnn_rfile_init(lnn_rfile *f) {
  f->path = NULL;
  f->fd = -1;
  f->size = 0;
}

int lnn_rfile_open(lnn_rfile *f, const char *path, lnn_error *err) {
  struct stat st;
  int fd, flags;
  f->path = path;
  /* O_NONBLOCK: opening a fifo must not wait for a writer before fstat refuses it */
  do fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return lnn_error_set(err, LNN_EIO, "%s: cannot open: %s", path, strerror(errno));
  if (fstat(fd, &st) != 0) {
    int rc = lnn_error_set(err, LNN_EIO, "%s: cannot inspect: %s", path, strerror(errno));
    close(fd);
    return rc;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return lnn_error_set(err, LNN_EIO, "%s: is a %s, not a regular file", path,
                         kind_of(st.st_mode));
  }
  flags = fcntl(fd, F_GETFL);
  if (flags >= 0) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  f->fd = fd;
  f->size = (size_t)st.st_size;
  return LNN_OK;
}

int lnn_rfile_read_at(const lnn_rfile *f, size_t offset, void *dst, size_t size, lnn_error *err) {
  char *p = (char *)dst;
  size_t got = 0;
  while (got < size) {
    size_t want = size - got < ((size_t)1 << 30) ? size - got : ((size_t)1 << 30);
    ssize_t r = pread(f->fd, p + got, want, (off_t)(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return lnn_error_set(err, LNN_EIO, "%s: read failed: %s", f->path, strerror(errno));
    if (r == 0) break;
    got += (size_t)r;
  }
  if (got != size)
    return lnn_error_set(err, LNN_EFORMAT, "%s: truncated: expected %zu bytes at byte %zu, got %zu",
                         f->path, size, offset, got);
  return LNN_OK;
}

void lnn_rfile_close(lnn_rfile *f) {
  if (f->fd >= 0) close(f->fd);
  f->fd = -1;
}
