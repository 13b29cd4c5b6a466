/* png.c -- writing and reading 8-bit grayscale/RGB PNGs with zlib's compress2,
 * inflate and crc32.  The writer emits filter 0 and one IDAT; the reader accepts
 * any conforming encoder's output within those formats and nothing wider. */
#define _POSIX_C_SOURCE 200809L

#include "sys/fileio.h"
#include "png.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sys/fault.h" /* last: a fault-injection build wraps allocations and file calls */

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* A file larger than this cannot be a PNG of at most LNN_PNG_MAX_PIXELS RGB pixels
 * (about 0.8 GB raw, a little more stored uncompressed) and is refused unread. */
#define PNG_MAX_FILE LNN_PNG_MAX_FILE
#define PNG_MAX_CHUNK 0x7fffffffu /* the spec's limit on a chunk length */

static uint32_t png_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void png_put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static int png_is_letter(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* A chunk type for messages: its letters, or hex when it is not four letters
 * (the bytes come from an arbitrary file). */
static const char *png_type_name(const uint8_t *t, char out[12]) {
  if (png_is_letter(t[0]) && png_is_letter(t[1]) && png_is_letter(t[2]) && png_is_letter(t[3])) {
    memcpy(out, t, 4);
    out[4] = '\0';
  } else {
    snprintf(out, 12, "0x%08x", (unsigned)png_be32(t));
  }
  return out;
}

/* crc32 of a chunk's type and data; len < 2^31 fits zlib's uInt. */
static uint32_t png_chunk_crc(const uint8_t *type_and_data, uint32_t len) {
  return (uint32_t)crc32(0L, type_and_data, (uInt)len + 4u);
}

/* ---- writing ---- */

/* Fills a chunk at p: length, type, data (already in place at p + 8), crc.
 * Returns the chunk's size. */
static size_t png_seal_chunk(uint8_t *p, const char *type, uint32_t len) {
  png_put_be32(p, len);
  memcpy(p + 4, type, 4);
  png_put_be32(p + 8 + len, png_chunk_crc(p + 4, len));
  return 12 + (size_t)len;
}

int lnn_png_write(const char *path, const uint8_t *pix, int w, int h, int channels,
                  lnn_error *err) {
  size_t rowbytes, rawlen, bound, total, y;
  uLongf zlen;
  uint8_t *raw, *out, *p;
  int zrc, rc;
  if (path == NULL || pix == NULL) return lnn_error_set(err, LNN_EINVAL, "png: missing path or pixels");
  if (w < 1 || h < 1) return lnn_error_set(err, LNN_EINVAL, "%s: bad size %dx%d", path, w, h);
  if (channels != 1 && channels != 3)
    return lnn_error_set(err, LNN_EINVAL, "%s: %d channels (expected 1 or 3)", path, channels);
  if ((uint64_t)w * (uint64_t)h > LNN_PNG_MAX_PIXELS)
    return lnn_error_set(err, LNN_EINVAL, "%s: absurd size %dx%d", path, w, h);
  rowbytes = (size_t)w * (size_t)channels;
  rawlen = (size_t)h * (rowbytes + 1);
  raw = malloc(rawlen);
  if (raw == NULL) return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory", path);
  /* Filter 0 on every row: the pictures are small and PNG readers need no more. */
  for (y = 0; y < (size_t)h; y++) {
    raw[y * (rowbytes + 1)] = 0;
    memcpy(raw + y * (rowbytes + 1) + 1, pix + y * rowbytes, rowbytes);
  }
  bound = compressBound((uLong)rawlen);
  total = sizeof png_sig + (12 + 13) + (12 + bound) + 12;
  out = malloc(total);
  if (out == NULL) {
    free(raw);
    return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory", path);
  }
  memcpy(out, png_sig, sizeof png_sig);
  p = out + sizeof png_sig;
  png_put_be32(p + 8, (uint32_t)w);
  png_put_be32(p + 12, (uint32_t)h);
  p[16] = 8;                                /* bit depth */
  p[17] = (uint8_t)(channels == 1 ? 0 : 2); /* colour type: gray or RGB */
  p[18] = 0;                                /* deflate */
  p[19] = 0;                                /* adaptive filtering */
  p[20] = 0;                                /* no interlace */
  p += png_seal_chunk(p, "IHDR", 13);
  zlen = (uLongf)bound;
  zrc = compress2(p + 8, &zlen, raw, (uLong)rawlen, Z_DEFAULT_COMPRESSION);
  free(raw);
  if (zrc != Z_OK || zlen > PNG_MAX_CHUNK) {
    free(out);
    if (zrc == Z_MEM_ERROR) return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory in zlib", path);
    return lnn_error_set(err, LNN_EINVAL, "%s: compression failed (zlib error %d)", path, zrc);
  }
  p += png_seal_chunk(p, "IDAT", (uint32_t)zlen);
  p += png_seal_chunk(p, "IEND", 0);
  {
    lnn_chunk whole = {out, (size_t)(p - out)};
    rc = lnn_file_write_atomic(path, &whole, 1, err);
  }
  free(out);
  return rc;
}

/* ---- reading ---- */

/* Reads up to max bytes of path into a fresh buffer (*buf, *n) through one
 * descriptor (fileio.h); the caller frees it.  When whole is 0 only the first
 * max bytes are wanted and more is no error. */
static int png_slurp(const char *path, size_t max, int whole, uint8_t **buf, size_t *n,
                     lnn_error *err) {
  lnn_rfile f;
  uint8_t *b;
  size_t size;
  int rc;
  *buf = NULL;
  *n = 0;
  lnn_rfile_init(&f);
  rc = lnn_rfile_open(&f, path, err);
  if (rc != LNN_OK) return rc;
  size = f.size;
  if (size > max) {
    if (whole) {
      lnn_rfile_close(&f);
      return lnn_error_set(err, LNN_EFORMAT, "%s: file too large for a png (over %zu bytes)", path,
                           max);
    }
    size = max;
  }
  b = (uint8_t *)malloc(size > 0 ? size : 1);
  if (b == NULL) {
    lnn_rfile_close(&f);
    return lnn_error_set(err, LNN_ENOMEM, "%s: out of memory", path);
  }
  rc = lnn_rfile_read_at(&f, 0, b, size, err);
  lnn_rfile_close(&f);
  if (rc != LNN_OK) {
    free(b);
    return rc;
  }
  *buf = b;
  *n = size;
  return LNN_OK;
}

/* Checks the signature and the IHDR chunk at the start of p[0..n-1]. */
static int png_parse_ihdr(const char *path, const uint8_t *p, size_t n, int *w, int *h,
                          int *channels, lnn_error *err) {
  const uint8_t *c = p + sizeof png_sig, *d = c + 8;
  uint32_t len, pw, ph;
  char name[12];
  if (n < sizeof png_sig || memcmp(p, png_sig, sizeof png_sig) != 0)
    return lnn_error_set(err, LNN_EFORMAT, "%s: not a png file (bad signature)", path);
  if (n < sizeof png_sig + 8)
    return lnn_error_set(err, LNN_EFORMAT, "%s: truncated: no IHDR chunk", path);
  if (memcmp(c + 4, "IHDR", 4) != 0)
    return lnn_error_set(err, LNN_EFORMAT, "%s: first chunk is %s, expected IHDR", path,
                         png_type_name(c + 4, name));
  len = png_be32(c);
  if (len != 13)
    return lnn_error_set(err, LNN_EFORMAT, "%s: bad IHDR length %u (expected 13)", path,
                         (unsigned)len);
  if (n < sizeof png_sig + 12 + 13)
    return lnn_error_set(err, LNN_EFORMAT, "%s: truncated IHDR chunk", path);
  if (png_be32(d + 13) != png_chunk_crc(c + 4, 13))
    return lnn_error_set(err, LNN_EFORMAT, "%s: bad crc in IHDR chunk", path);
  pw = png_be32(d);
  ph = png_be32(d + 4);
  if (pw == 0 || ph == 0 || pw > 0x7fffffffu || ph > 0x7fffffffu)
    return lnn_error_set(err, LNN_EFORMAT, "%s: bad size %ux%u", path, (unsigned)pw, (unsigned)ph);
  if ((uint64_t)pw * ph > LNN_PNG_MAX_PIXELS)
    return lnn_error_set(err, LNN_EFORMAT, "%s: absurd size %ux%u", path, (unsigned)pw,
                         (unsigned)ph);
  if (d[8] != 8) return lnn_error_set(err, LNN_EFORMAT, "%s: unsupported bit depth %d", path, d[8]);
  if (d[9] != 0 && d[9] != 2)
    return lnn_error_set(err, LNN_EFORMAT, "%s: unsupported colour type %d", path, d[9]);
  if (d[10] != 0)
    return lnn_error_set(err, LNN_EFORMAT, "%s: unknown compression method %d", path, d[10]);
  if (d[11] != 0) return lnn_error_set(err, LNN_EFORMAT, "%s: unknown filter method %d", path, d[11]);
  if (d[12] != 0)
    return lnn_error_set(err, LNN_EFORMAT, "%s: interlaced png not supported (method %d)", path,
                         d[12]);
  *w = (int)pw;
  *h = (int)ph;
  *channels = d[9] == 0 ? 1 : 3;
  return LNN_OK;
}

int lnn_png_read_header(const char *path, int *w, int *h, int *channels, lnn_error *err) {
  uint8_t *buf;
  size_t n;
  int rc;
  if (path == NULL || w == NULL || h == NULL || channels == NULL)
    return lnn_error_set(err, LNN_EINVAL, "png: missing path or result");
  rc = png_slurp(path, sizeof png_sig + 12 + 13, 0, &buf, &n, err);
  if (rc != LNN_OK) return rc;
  rc = png_parse_ihdr(path, buf, n, w, h, channels, err);
  free(buf);
  return rc;
}

static int png_paeth(int a, int b, int c) {
  int p = a + b - c;
  int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/* dst (h x rowbytes) = the rows of raw (h x (1 + rowbytes), filter byte first)
 * with their filters undone; bpp bytes per pixel. */
static int png_unfilter(const char *path, uint8_t *dst, const uint8_t *raw, size_t h,
                        size_t rowbytes, size_t bpp, lnn_error *err) {
  size_t y, i;
  for (y = 0; y < h; y++) {
    const uint8_t *src = raw + y * (rowbytes + 1) + 1;
    uint8_t *out = dst + y * rowbytes;
    const uint8_t *up = y > 0 ? out - rowbytes : NULL;
    int f = src[-1];
    switch (f) {
      case 0:
        memcpy(out, src, rowbytes);
        break;
      case 1:
        for (i = 0; i < rowbytes; i++) out[i] = (uint8_t)(src[i] + (i >= bpp ? out[i - bpp] : 0));
        break;
      case 2:
        for (i = 0; i < rowbytes; i++) out[i] = (uint8_t)(src[i] + (up ? up[i] : 0));
        break;
      case 3:
        for (i = 0; i < rowbytes; i++) {
          int a = i >= bpp ? out[i - bpp] : 0, b = up ? up[i] : 0;
          out[i] = (uint8_t)(src[i] + ((a + b) >> 1));
        }
        break;
      case 4:
        for (i = 0; i < rowbytes; i++) {
          int a = i >= bpp ? out[i - bpp] : 0, b = up ? up[i] : 0;
          int c = (i >= bpp && up) ? up[i - bpp] : 0;
          out[i] = (uint8_t)(src[i] + png_paeth(a, b, c));
        }
        break;
      default:
        return lnn_error_set(err, LNN_EFORMAT, "%s: bad filter type %d in row %zu", path, f, y);
    }
  }
  return LNN_OK;
}

/* As for IDX files, a header alone must not cost gigabytes: the image is
 * deflate data, which expands at most 1032:1, plus one filter byte a row, so a
 * whole file of n bytes holds at most n * 1032 + 1024 of them.  Refused here,
 * before anyone allocates w * h * channels bytes for it. */
static int png_check_room(const char *path, size_t n, int w, int h, int channels,
                          lnn_error *err) {
  if ((uint64_t)h * ((uint64_t)w * (uint64_t)channels + 1) > (uint64_t)n * 1032 + 1024)
    return lnn_error_set(err, LNN_EFORMAT, "%s: truncated: a %dx%d image cannot fit in %zu bytes",
                         path, w, h, n);
  return LNN_OK;
}

int lnn_png_parse_header(const char *path, const uint8_t *buf, size_t n, int *w, int *h,
                         int *channels, lnn_error *err) {
  int rc = png_parse_ihdr(path, buf, n, w, h, channels, err);
  return rc != LNN_OK ? rc : png_check_room(path, n, *w, *h, *channels, err);
}

int lnn_png_read(const char *path, uint8_t *dst, size_t cap, int *w, int *h, int *channels,
                 lnn_error *err) {
  uint8_t *buf = NULL;
  size_t n;
  int rc;
  if (path == NULL || w == NULL || h == NULL || channels == NULL)
    return lnn_error_set(err, LNN_EINVAL, "png: missing path or result");
  rc = png_slurp(path, PNG_MAX_FILE, 1, &buf, &n, err);
  if (rc != LNN_OK) return rc;
  rc = lnn_png_decode(path, buf, n, dst, cap, w, h, channels, err);
  free(buf);
  return rc;
}

int lnn_png_decode(const char *path, const uint8_t *buf, size_t n, uint8_t *dst, size_t cap,
                   int *w, int *h, int *channels, lnn_error *err) {
  uint8_t *raw = NULL;
  size_t pos, rowbytes, rawlen, need;
  int rc, pw, ph, ch, zinit = 0, seen_idat = 0, idat_over = 0, ended = 0;
  z_stream zs;
  char name[12];
  if (path == NULL || buf == NULL || w == NULL || h == NULL || channels == NULL)
    return lnn_error_set(err, LNN_EINVAL, "png: missing path, bytes or result");
  rc = png_parse_ihdr(path, buf, n, &pw, &ph, &ch, err);
  if (rc == LNN_OK) rc = png_check_room(path, n, pw, ph, ch, err);
  if (rc != LNN_OK) goto done;
  rowbytes = (size_t)pw * (size_t)ch;
  need = rowbytes * (size_t)ph;
  if (dst == NULL || cap < need) {
    rc = lnn_error_set(err, LNN_EINVAL, "%s: destination holds %zu bytes, need %zu", path,
                       dst == NULL ? (size_t)0 : cap, need);
    goto done;
  }
  /* At most 2^28 pixels * 3 + 2^28 filter bytes: fits zlib's 32-bit uInt. */
  rawlen = (size_t)ph * (rowbytes + 1);
  raw = malloc(rawlen);
  if (raw == NULL) {
    rc = lnn_error_set(err, LNN_ENOMEM, "%s: out of memory", path);
    goto done;
  }
  memset(&zs, 0, sizeof zs);
  if (inflateInit(&zs) != Z_OK) {
    rc = lnn_error_set(err, LNN_ENOMEM, "%s: out of memory in zlib", path);
    goto done;
  }
  zinit = 1;
  zs.next_out = raw;
  zs.avail_out = (uInt)rawlen;

  for (pos = sizeof png_sig + 12 + 13;;) {
    const uint8_t *c = buf + pos, *d;
    uint32_t len;
    if (n - pos < 12) {
      rc = lnn_error_set(err, LNN_EFORMAT, "%s: truncated: %s at offset %zu", path,
                         pos == n ? "no IEND chunk" : "partial chunk header", pos);
      goto done;
    }
    len = png_be32(c);
    d = c + 8;
    png_type_name(c + 4, name);
    if (len > PNG_MAX_CHUNK) {
      rc = lnn_error_set(err, LNN_EFORMAT, "%s: bad length %u of %s chunk at offset %zu", path,
                         (unsigned)len, name, pos);
      goto done;
    }
    if (len > n - pos - 12) {
      rc = lnn_error_set(err, LNN_EFORMAT, "%s: truncated %s chunk at offset %zu", path, name, pos);
      goto done;
    }
    if (png_be32(d + len) != png_chunk_crc(c + 4, len)) {
      rc = lnn_error_set(err, LNN_EFORMAT, "%s: bad crc in %s chunk", path, name);
      goto done;
    }
    if (!(png_is_letter(c[4]) && png_is_letter(c[5]) && png_is_letter(c[6]) && png_is_letter(c[7]))) {
      rc = lnn_error_set(err, LNN_EFORMAT, "%s: bad chunk type %s at offset %zu", path, name, pos);
      goto done;
    }
    pos += 12 + (size_t)len;
    if (memcmp(c + 4, "IDAT", 4) == 0) {
      if (idat_over) {
        rc = lnn_error_set(err, LNN_EFORMAT, "%s: IDAT chunks are not consecutive", path);
        goto done;
      }
      seen_idat = 1;
      if (len > 0 && ended) {
        rc = lnn_error_set(err, LNN_EFORMAT, "%s: data after the end of the zlib stream", path);
        goto done;
      }
      zs.next_in = (Bytef *)(uintptr_t)d; /* zlib's next_in is not const-qualified */
      zs.avail_in = (uInt)len;
      while (zs.avail_in > 0 && !ended) {
        int zrc = inflate(&zs, Z_NO_FLUSH);
        if (zrc == Z_STREAM_END) {
          ended = 1;
          if (zs.avail_in > 0) {
            rc = lnn_error_set(err, LNN_EFORMAT, "%s: data after the end of the zlib stream", path);
            goto done;
          }
        } else if (zrc == Z_BUF_ERROR) {
          /* Input is left, so it is the output that is full. */
          rc = lnn_error_set(err, LNN_EFORMAT, "%s: too much image data (expected %zu bytes)", path,
                             rawlen);
          goto done;
        } else if (zrc == Z_MEM_ERROR) {
          rc = lnn_error_set(err, LNN_ENOMEM, "%s: out of memory in zlib", path);
          goto done;
        } else if (zrc != Z_OK) {
          rc = lnn_error_set(err, LNN_EFORMAT, "%s: corrupt image data: %s", path,
                             zs.msg ? zs.msg : "bad zlib stream");
          goto done;
        }
      }
      if (ended && zs.avail_out > 0) {
        rc = lnn_error_set(err, LNN_EFORMAT, "%s: truncated image data: expected %zu bytes, got %zu",
                           path, rawlen, rawlen - zs.avail_out);
        goto done;
      }
      continue;
    }
    if (seen_idat) idat_over = 1;
    if (memcmp(c + 4, "IEND", 4) == 0) break;
    if (memcmp(c + 4, "IHDR", 4) == 0) {
      rc = lnn_error_set(err, LNN_EFORMAT, "%s: second IHDR chunk", path);
      goto done;
    }
    /* A clear bit 5 in the first letter marks a chunk a reader may not skip.
     * PLTE is allowed (a suggested palette for RGB) and ignored. */
    if ((c[4] & 0x20) == 0 && memcmp(c + 4, "PLTE", 4) != 0) {
      rc = lnn_error_set(err, LNN_EFORMAT, "%s: unsupported critical chunk %s", path, name);
      goto done;
    }
  }
  if (pos != n) {
    rc = lnn_error_set(err, LNN_EFORMAT, "%s: %zu bytes of trailing data after IEND", path, n - pos);
    goto done;
  }
  if (!seen_idat) {
    rc = lnn_error_set(err, LNN_EFORMAT, "%s: no IDAT chunk", path);
    goto done;
  }
  if (!ended) {
    rc = lnn_error_set(err, LNN_EFORMAT, "%s: truncated image data: %s", path,
                       zs.avail_out > 0 ? "zlib stream ends early" : "zlib stream not terminated");
    goto done;
  }
  rc = png_unfilter(path, dst, raw, (size_t)ph, rowbytes, (size_t)ch, err);
  if (rc == LNN_OK) {
    *w = pw;
    *h = ph;
    *channels = ch;
  }
done:
  if (zinit) inflateEnd(&zs);
  free(raw);
  return rc;
}
