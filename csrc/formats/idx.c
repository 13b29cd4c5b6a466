/* idx.c -- reading and writing IDX files, raw or gzip, through zlib's gz* calls
 * (gzread reads both transparently).  Only element type 0x08 and 1..4 dims; no
 * other element types, no mmap, no partial loads: a payload is read whole. */
#define _POSIX_C_SOURCE 200809L

#include "sys/fileio.h"
#include "idx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sys/fault.h" /* last: a fault-injection build wraps allocations and file calls */

/* Large gzread calls let zlib inflate straight into dst instead of through its
 * own buffer; 60k MNIST images from .gz then load in about a tenth of a second. */
#define IDX_CHUNK ((size_t)1 << 20)
#define IDX_GZBUF (256u * 1024u)
/* A reader's buffer never exceeds the file it reads (a 100-byte file costs no
 * 768 KiB of zlib buffers); this floor keeps tiny files to one read call. */
#define IDX_GZBUF_MIN 1024u
/* Trailing bytes are counted up to this many, then reported as "trailing data". */
#define IDX_TRAIL_MAX ((size_t)1 << 20)

static uint32_t idx_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void idx_put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* What the payload is called in "truncated" messages. */
static const char *idx_what(uint32_t magic) {
  if (magic == LNN_IDX_IMAGES) return "pixels";
  if (magic == LNN_IDX_LABELS) return "labels";
  return "data";
}

/* Checks ndim and dims and fills h.  code is LNN_EFORMAT for a file's header and
 * LNN_EINVAL for a caller's arguments; messages name path either way. */
static int idx_header_fill(lnn_idx_header *h, const char *path, uint32_t magic, int ndim,
                           const uint32_t *dims, int code, lnn_error *err) {
  char shape[64];
  size_t used = 0;
  uint64_t item = 1, limit = LNN_IDX_MAX_BYTES;
  int i;
  if (ndim < 1 || ndim > 4)
    return lnn_error_set(err, code, "%s: unsupported dimension count %d (expected 1..4)", path,
                         ndim);
  /* On a 32-bit build size_t, not 1<<34, is the binding limit. */
  if ((uint64_t)SIZE_MAX < limit) limit = (uint64_t)SIZE_MAX;
  shape[0] = '\0';
  for (i = 0; i < ndim; i++) {
    int k = snprintf(shape + used, sizeof shape - used, i ? "x%u" : "%u", (unsigned)dims[i]);
    if (k > 0 && (size_t)k < sizeof shape - used) used += (size_t)k;
  }
  for (i = 1; i < ndim; i++) {
    if (dims[i] == 0) return lnn_error_set(err, code, "%s: dimension %d is 0 (%s)", path, i + 1, shape);
    /* Each factor is < 2^32 and item stays <= 2^34, so item * dims[i] cannot wrap. */
    item *= dims[i];
    if (item > limit) return lnn_error_set(err, code, "%s: absurd size %s", path, shape);
  }
  /* item <= 2^34 and dims[0] < 2^32, so test by division rather than multiply. */
  if (dims[0] != 0 && item > limit / dims[0])
    return lnn_error_set(err, code, "%s: absurd size %s", path, shape);
  memset(h, 0, sizeof *h);
  h->magic = magic;
  h->ndim = ndim;
  for (i = 0; i < ndim; i++) h->dims[i] = dims[i];
  h->item_size = (size_t)item;
  h->total = (size_t)(item * dims[0]);
  return LNN_OK;
}

/* zlib prefixes its messages with the name it was opened by ("<fd:3>" after
 * gzdopen); ours already start with the path, so drop that prefix. */
static const char *idx_gz_msg(const char *m, const char *path) {
  size_t n = strlen(path);
  const char *e;
  if (strncmp(m, path, n) == 0 && strncmp(m + n, ": ", 2) == 0) return m + n + 2;
  if (m[0] == '<' && (e = strstr(m, ">: ")) != NULL) return e + 3;
  return m;
}

/* Turns the gz stream's error state into a status; LNN_OK when it has none
 * (a plain end of file).  zlib reports a gzip stream that stops early as
 * Z_BUF_ERROR; what_short then says what was being read. */
static int idx_gz_status(gzFile f, const char *path, const char *what_short, lnn_error *err) {
  int zerr = Z_OK;
  const char *m = idx_gz_msg(gzerror(f, &zerr), path);
  switch (zerr) {
    case Z_OK:
      return LNN_OK;
    case Z_ERRNO:
      return lnn_error_set(err, LNN_EIO, "%s: read failed: %s", path, m);
    case Z_MEM_ERROR:
      return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory in zlib", path);
    case Z_BUF_ERROR:
      if (what_short != NULL)
        return lnn_error_set(err, LNN_EFORMAT, "%s: %s; gzip stream ends early", path, what_short);
      return lnn_error_set(err, LNN_EFORMAT, "%s: truncated gzip stream", path);
    default:
      return lnn_error_set(err, LNN_EFORMAT, "%s: corrupt gzip data: %s", path, m);
  }
}

/* Reads up to n bytes, stopping only at end of file; *got says how many came.
 * A gzip or I/O error is returned as a status (a short read is not an error here). */
static int idx_gz_read_full(gzFile f, const char *path, uint8_t *buf, size_t n, size_t *got,
                            lnn_error *err) {
  size_t done = 0;
  *got = 0;
  while (done < n) {
    size_t want = n - done < IDX_CHUNK ? n - done : IDX_CHUNK;
    int r = gzread(f, buf + done, (unsigned)want);
    if (r < 0) {
      int rc = idx_gz_status(f, path, NULL, err);
      *got = done;
      return rc != LNN_OK ? rc : lnn_error_set(err, LNN_EIO, "%s: read failed", path);
    }
    if (r == 0) break;
    done += (size_t)r;
  }
  *got = done;
  return LNN_OK;
}

/* The gz buffer for reading fd: its size plus one (so the first read also
 * sees end of file), between IDX_GZBUF_MIN and IDX_GZBUF. */
static unsigned idx_buffer_size(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size >= IDX_GZBUF) return IDX_GZBUF;
  if ((unsigned)st.st_size + 1u < IDX_GZBUF_MIN) return IDX_GZBUF_MIN;
  return (unsigned)st.st_size + 1u;
}

/* A gzip reader over a dup of fd, from its first byte: fd (one snapshot of
 * the file, see fileio.h) stays open for the next read, and gzclose closes
 * only the dup.  pread-free zlib moves the shared offset, hence the seek. */
static int idx_open(int fd, const char *path, gzFile *out, lnn_error *err) {
  gzFile f = NULL;
  int fd2;
  if (lseek(fd, 0, SEEK_SET) != 0)
    return lnn_error_set(err, LNN_EIO, "%s: cannot seek: %s", path, strerror(errno));
  fd2 = dup(fd);
  if (fd2 < 0) return lnn_error_set(err, LNN_EIO, "%s: cannot open: %s", path, strerror(errno));
  f = gzdopen(fd2, "rb");
  if (f == NULL) {
    close(fd2);
    return lnn_error_set(err, LNN_ENOMEM, "%s: cannot open: out of memory", path);
  }
  /* Must precede the first read; a failure only leaves zlib's default size.
   * zlib allocates this much for input and twice as much for output, so size
   * it to the file: one read() still takes a whole small file, and a large one
   * (MNIST) gets the full IDX_GZBUF. */
  gzbuffer(f, idx_buffer_size(fd));
  *out = f;
  return LNN_OK;
}

/* Reads and checks the header of an open file; leaves f at the payload. */
static int idx_read_hdr(gzFile f, const char *path, uint32_t expect_magic, lnn_idx_header *h,
                        lnn_error *err) {
  uint8_t buf[16];
  uint32_t magic, dims[4] = {0, 0, 0, 0};
  size_t got;
  int ndim, type, i, rc;
  char why[96];
  rc = idx_gz_read_full(f, path, buf, 4, &got, err);
  if (rc != LNN_OK) return rc;
  if (got < 4) {
    snprintf(why, sizeof why, "header too short (%zu of 4 bytes)", got);
    rc = idx_gz_status(f, path, why, err);
    return rc != LNN_OK ? rc : lnn_error_set(err, LNN_EFORMAT, "%s: %s", path, why);
  }
  magic = idx_be32(buf);
  if ((magic >> 16) != 0) {
    if (expect_magic != 0)
      return lnn_error_set(err, LNN_EFORMAT, "%s: bad magic %u (expected %u)", path,
                           (unsigned)magic, (unsigned)expect_magic);
    return lnn_error_set(err, LNN_EFORMAT, "%s: bad magic %u (not an idx file)", path,
                         (unsigned)magic);
  }
  type = (int)((magic >> 8) & 0xffu);
  if (type != 0x08)
    return lnn_error_set(err, LNN_EFORMAT, "%s: unsupported element type 0x%02x", path, type);
  ndim = (int)(magic & 0xffu);
  if (ndim < 1 || ndim > 4)
    return lnn_error_set(err, LNN_EFORMAT, "%s: unsupported dimension count %d (expected 1..4)",
                         path, ndim);
  if (expect_magic != 0 && magic != expect_magic)
    return lnn_error_set(err, LNN_EFORMAT, "%s: bad magic %u (expected %u)", path,
                         (unsigned)magic, (unsigned)expect_magic);
  rc = idx_gz_read_full(f, path, buf, 4 * (size_t)ndim, &got, err);
  if (rc != LNN_OK) return rc;
  if (got < 4 * (size_t)ndim) {
    snprintf(why, sizeof why, "header too short (%zu of %zu bytes)", 4 + got, 4 + 4 * (size_t)ndim);
    rc = idx_gz_status(f, path, why, err);
    return rc != LNN_OK ? rc : lnn_error_set(err, LNN_EFORMAT, "%s: %s", path, why);
  }
  for (i = 0; i < ndim; i++) dims[i] = idx_be32(buf + 4 * i);
  return idx_header_fill(h, path, magic, ndim, dims, LNN_EFORMAT, err);
}

/* A header may claim any size up to LNN_IDX_MAX_BYTES; the caller allocates
 * that much before the payload is read.  Refuse here what the file cannot
 * hold, so a 20-byte file never costs gigabytes: a raw payload is at most
 * the bytes after the header, and deflate expands at most 1032:1 (each
 * 258-byte match costs at least 2 bits), so a gzip file of n bytes holds at
 * most 1032 n.  The size is the descriptor's, the very file the payload
 * will be read from. */
static int idx_check_room(int fd, const char *path, const lnn_idx_header *h, int raw,
                          lnn_error *err) {
  struct stat st;
  uint64_t size, hlen = 4 + 4 * (uint64_t)h->ndim, room;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) return LNN_OK;
  size = (uint64_t)st.st_size;
  if (raw) {
    room = size > hlen ? size - hlen : 0;
    if ((uint64_t)h->total > room)
      return lnn_error_set(err, LNN_EFORMAT, "%s: truncated: expected %zu bytes of %s, got %llu",
                           path, h->total, idx_what(h->magic), (unsigned long long)room);
  } else {
    room = size < ((uint64_t)1 << 53) ? size * 1032 + 1024 : UINT64_MAX;
    if ((uint64_t)h->total > room)
      return lnn_error_set(err, LNN_EFORMAT,
                           "%s: truncated: expected %zu bytes of %s, more than a %llu-byte gzip"
                           " file can hold", path, h->total, idx_what(h->magic),
                           (unsigned long long)size);
  }
  return LNN_OK;
}

int lnn_idx_read_header_fd(int fd, const char *path, uint32_t expect_magic, lnn_idx_header *h,
                           lnn_error *err) {
  gzFile f = NULL;
  int rc;
  if (path == NULL || h == NULL) return lnn_error_set(err, LNN_EINVAL, "idx: missing path or header");
  if (expect_magic != 0 && ((expect_magic >> 8) != 0x08 || (expect_magic & 0xffu) < 1 ||
                            (expect_magic & 0xffu) > 4))
    return lnn_error_set(err, LNN_EINVAL, "%s: expected magic %u is not a supported idx magic",
                         path, (unsigned)expect_magic);
  rc = idx_open(fd, path, &f, err);
  if (rc != LNN_OK) return rc;
  rc = idx_read_hdr(f, path, expect_magic, h, err);
  if (rc == LNN_OK) rc = idx_check_room(fd, path, h, gzdirect(f), err);
  gzclose(f);
  return rc;
}

static int idx_header_same(const lnn_idx_header *a, const lnn_idx_header *b) {
  int i;
  if (a->magic != b->magic || a->ndim != b->ndim || a->item_size != b->item_size ||
      a->total != b->total)
    return 0;
  for (i = 0; i < a->ndim && i < 4; i++)
    if (a->dims[i] != b->dims[i]) return 0;
  return 1;
}

int lnn_idx_read_fd(int fd, const char *path, const lnn_idx_header *h, uint8_t *dst, size_t cap,
                    lnn_error *err) {
  lnn_idx_header now;
  uint8_t trail[4096];
  size_t got, extra = 0;
  gzFile f = NULL;
  int rc;
  char why[128];
  if (path == NULL || h == NULL) return lnn_error_set(err, LNN_EINVAL, "idx: missing path or header");
  if (cap < h->total || (dst == NULL && h->total > 0))
    return lnn_error_set(err, LNN_EINVAL, "%s: destination holds %zu bytes, need %zu", path, cap,
                         h->total);
  rc = idx_open(fd, path, &f, err);
  if (rc != LNN_OK) return rc;
  rc = idx_read_hdr(f, path, h->magic, &now, err);
  if (rc != LNN_OK) goto done;
  if (!idx_header_same(&now, h)) {
    rc = lnn_error_set(err, LNN_EFORMAT, "%s: header changed since it was read", path);
    goto done;
  }
  rc = idx_gz_read_full(f, path, dst, h->total, &got, err);
  if (rc != LNN_OK) goto done;
  if (got < h->total) {
    snprintf(why, sizeof why, "truncated: expected %zu bytes of %s, got %zu", h->total,
             idx_what(h->magic), got);
    rc = idx_gz_status(f, path, why, err);
    if (rc == LNN_OK) rc = lnn_error_set(err, LNN_EFORMAT, "%s: %s", path, why);
    goto done;
  }
  /* Reading on to the end also makes zlib check the gzip trailer (crc, length). */
  for (;;) {
    rc = idx_gz_read_full(f, path, trail, sizeof trail, &got, err);
    if (rc != LNN_OK) goto done;
    extra += got;
    if (got < sizeof trail || extra > IDX_TRAIL_MAX) break;
  }
  rc = idx_gz_status(f, path, NULL, err);
  if (rc != LNN_OK) goto done;
  if (extra > IDX_TRAIL_MAX)
    rc = lnn_error_set(err, LNN_EFORMAT, "%s: trailing data (more than %zu bytes after the %s)",
                       path, IDX_TRAIL_MAX, idx_what(h->magic));
  else if (extra > 0)
    rc = lnn_error_set(err, LNN_EFORMAT, "%s: %zu trailing bytes after the %s", path, extra,
                       idx_what(h->magic));
done:
  gzclose(f);
  return rc;
}

/* ---- writing ---- */


/* Writes header and payload through a dup of fd, so gzclose can finish the gzip
 * stream and close its descriptor while fd stays open for fsync. */
static int idx_write_gz(int fd, const char *path, const uint8_t *hdr, size_t hlen,
                        const uint8_t *data, size_t n, int level, lnn_error *err) {
  char mode[8];
  int fd2, zrc, ok, zerr = Z_OK;
  gzFile f = NULL;
  size_t done = 0;
  snprintf(mode, sizeof mode, "wb%d", level);
  fd2 = dup(fd);
  if (fd2 < 0) return lnn_error_set(err, LNN_EIO, "%s: cannot write: %s", path, strerror(errno));
  f = gzdopen(fd2, mode);
  if (f == NULL) {
    close(fd2);
    return lnn_error_set(err, LNN_ENOMEM, "%s: cannot start gzip stream", path);
  }
  gzbuffer(f, IDX_GZBUF);
  ok = gzwrite(f, hdr, (unsigned)hlen) == (int)hlen;
  while (ok && done < n) {
    size_t chunk = n - done < IDX_CHUNK ? n - done : IDX_CHUNK;
    ok = gzwrite(f, data + done, (unsigned)chunk) == (int)chunk;
    done += chunk;
  }
  if (!ok) {
    const char *m = idx_gz_msg(gzerror(f, &zerr), "");
    int code = zerr == Z_MEM_ERROR ? LNN_ENOMEM : LNN_EIO;
    lnn_error_set(err, code, "%s: write failed: %s", path, m);
    gzclose(f);
    return code;
  }
  errno = 0;
  zrc = gzclose(f);
  if (zrc == Z_OK) return LNN_OK;
  if (zrc == Z_MEM_ERROR) return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory in zlib", path);
  return lnn_error_set(err, LNN_EIO, "%s: write failed: %s", path,
                       zrc == Z_ERRNO && errno != 0 ? strerror(errno) : "gzip close failed");
}

int lnn_idx_write(const char *path, uint32_t magic, int ndim, const uint32_t *dims,
                  const uint8_t *data, int gz_level, lnn_error *err) {
  lnn_idx_header h;
  uint8_t hdr[20];
  lnn_atomic out;
  size_t hlen;
  int rc, i;
  if (path == NULL || dims == NULL) return lnn_error_set(err, LNN_EINVAL, "idx: missing path or dims");
  if ((magic >> 8) != 0x08)
    return lnn_error_set(err, LNN_EINVAL, "%s: unsupported idx magic %u (type must be 0x08)", path,
                         (unsigned)magic);
  if (ndim < 1 || ndim > 4 || ndim != (int)(magic & 0xffu))
    return lnn_error_set(err, LNN_EINVAL, "%s: %d dims given but magic %u says %u", path, ndim,
                         (unsigned)magic, (unsigned)(magic & 0xffu));
  rc = idx_header_fill(&h, path, magic, ndim, dims, LNN_EINVAL, err);
  if (rc != LNN_OK) return rc;
  if (data == NULL && h.total > 0) return lnn_error_set(err, LNN_EINVAL, "%s: missing data", path);
  if (gz_level < 0 || gz_level > 9)
    return lnn_error_set(err, LNN_EINVAL, "%s: gzip level %d out of range 0..9", path, gz_level);
  idx_put_be32(hdr, magic);
  for (i = 0; i < ndim; i++) idx_put_be32(hdr + 4 + 4 * i, dims[i]);
  hlen = 4 + 4 * (size_t)ndim;

  rc = lnn_atomic_begin(&out, path, err);
  if (rc != LNN_OK) return rc;
  if (gz_level == 0) {
    rc = lnn_atomic_write(&out, hdr, hlen, err);
    if (rc == LNN_OK) rc = lnn_atomic_write(&out, data, h.total, err);
  } else {
    rc = idx_write_gz(out.fd, path, hdr, hlen, data, h.total, gz_level, err);
  }
  if (rc != LNN_OK) {
    lnn_atomic_abort(&out);
    return rc;
  }
  return lnn_atomic_commit(&out, err);
}
