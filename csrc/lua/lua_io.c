/* lua_io.c -- files for Lua: PNG pictures, IDX data, JSON text and lnn's model
 * files (safetensors: an 8-byte little-endian header length, a JSON header,
 * then the raw float32 parameter block).  Formats live in the core; this file
 * checks arguments, owns buffers through userdata and raises the errors. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "formats/idx.h"
#include "formats/json.h"
#include "formats/png.h"
#include "sys/fileio.h"
#include "lua_lnn.h"

#define LNN_JSONDOC "lnn.JsonDoc"
#define MAX_HEADER ((size_t)100 << 20)

/* The bytes of a picture: a string of w*h*channels bytes, or a Matrix of as
 * many values in [0, 1] (clamped, scaled by 255, rounded). */
static const unsigned char *picture_bytes(lua_State *L, int arg, size_t n, const char *fname) {
  lmatrix *m = (lmatrix *)luaL_testudata(L, arg, LNN_MATRIX);
  if (m != NULL) {
    lblob *b;
    size_t i;
    if ((size_t)m->rows * m->cols != n)
      lnn_lua_argerror(L, arg, fname, "%d values expected, got %dx%d", (int)n, m->rows, m->cols);
    b = lnn_lua_newblob(L, n);
    for (i = 0; i < n; i++) {
      float v = m->data[i];
      v = v != v ? 0.0f : v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
      b->data[i] = (unsigned char)lrintf(v * 255.0f);
    }
    return b->data;
  } else {
    size_t len;
    const char *s = lua_tolstring(L, arg, &len);
    if (s == NULL || lua_type(L, arg) != LUA_TSTRING)
      lnn_lua_typeerror(L, arg, NULL, "string or lnn.Matrix");
    if (len != n) lnn_lua_argerror(L, arg, fname, "%d bytes expected, got %d", (int)n, (int)len);
    return (const unsigned char *)s;
  }
}

/* write_png(path, pixels, width, height [, channels = 1]) */
static int io_write_png(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_Integer w = luaL_checkinteger(L, 3), h = luaL_checkinteger(L, 4);
  lua_Integer c = luaL_optinteger(L, 5, 1);
  const unsigned char *pix;
  lnn_error e;
  lnn_lua_argcheck(L, w >= 1 && w <= 65535, 3, "width must be 1 to 65535");
  lnn_lua_argcheck(L, h >= 1 && h <= 65535, 4, "height must be 1 to 65535");
  lnn_lua_argcheck(L, c == 1 || c == 3, 5, "channels must be 1 or 3");
  pix = picture_bytes(L, 2, (size_t)(w * h * c), "write_png");
  if (lnn_png_write(path, pix, (int)w, (int)h, (int)c, &e) != LNN_OK)
    return lnn_lua_fail(L, "write_png", &e);
  return 0;
}

/* The whole file f into a new blob (pushed); at most max bytes. */
static lblob *read_whole(lua_State *L, lnn_rfile *f, size_t max, const char *fname) {
  lnn_error e;
  lblob *b;
  if (f->size > max)
    lnn_lua_error(L, fname, "%s: file too large (%I bytes, more than %I)", f->path,
                  (lua_Integer)f->size, (lua_Integer)max);
  b = lnn_lua_newblob(L, f->size);
  if (lnn_rfile_read_at(f, 0, b->data, f->size, &e) != LNN_OK) lnn_lua_fail(L, fname, &e);
  return b;
}

/* read_png(path): width, height, channels, pixels (a string of bytes) */
static int io_read_png(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lnn_rfile *f = lnn_lua_openfile(L, path, "read_png");
  lblob *file, *b;
  int w, h, c;
  lnn_error e;
  file = read_whole(L, f, LNN_PNG_MAX_FILE, "read_png");
  lnn_rfile_close(f);
  if (lnn_png_parse_header(path, file->data, file->size, &w, &h, &c, &e) != LNN_OK)
    return lnn_lua_fail(L, "read_png", &e);
  /* parse_header also refused an image the file's size cannot hold */
  b = lnn_lua_newblob(L, (size_t)w * (size_t)h * (size_t)c);
  if (lnn_png_decode(path, file->data, file->size, b->data, b->size, &w, &h, &c, &e) != LNN_OK)
    return lnn_lua_fail(L, "read_png", &e);
  lua_pushinteger(L, w);
  lua_pushinteger(L, h);
  lua_pushinteger(L, c);
  lua_pushlstring(L, (const char *)b->data, b->size);
  return 4;
}

/* write_idx(path, magic, dims, bytes [, gz_level = 6]): dims a list of 1 to 4
 * sizes, bytes a string of their product; gz_level 0 writes it raw */
static int io_write_idx(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_Integer magic = luaL_checkinteger(L, 2), level = luaL_optinteger(L, 5, 6);
  uint32_t dims[4];
  int nd, i;
  size_t len, total = 1;
  const char *bytes;
  lnn_error e;
  luaL_checktype(L, 3, LUA_TTABLE);
  bytes = luaL_checklstring(L, 4, &len);
  nd = (int)luaL_len(L, 3);
  lnn_lua_argcheck(L, nd >= 1 && nd <= 4, 3, "1 to 4 dimensions expected");
  lnn_lua_argcheck(L, magic == 0x800 + nd, 2, "magic must be 2048 + number of dimensions");
  lnn_lua_argcheck(L, level >= 0 && level <= 9, 5, "gzip level must be 0 to 9");
  for (i = 0; i < nd; i++) {
    lua_Integer v;
    int ok;
    lua_geti(L, 3, i + 1);
    v = lua_tointegerx(L, -1, &ok);
    lua_pop(L, 1);
    if (!ok || v < 0 || v > 0x7fffffff)
      return lnn_lua_argerror(L, 3, NULL, "dimension %d must be an integer 0 to 2^31-1", i + 1);
    dims[i] = (uint32_t)v;
    total *= (size_t)v;
  }
  if (total != len)
    return lnn_lua_argerror(L, 4, NULL, "%d bytes expected, got %d", (int)total, (int)len);
  if (lnn_idx_write(path, (uint32_t)magic, nd, dims, (const uint8_t *)bytes, (int)level, &e) !=
      LNN_OK)
    return lnn_lua_fail(L, "write_idx", &e);
  return 0;
}

/* A parsed document boxed so __gc frees it even if building tables raises. */
static int jsondoc_gc(lua_State *L) {
  lnn_json_doc **box = (lnn_json_doc **)luaL_checkudata(L, 1, LNN_JSONDOC);
  lnn_json_free(*box);
  *box = NULL;
  return 0;
}

static void push_json(lua_State *L, const lnn_json *v) {
  size_t i, n, len;
  const char *s;
  luaL_checkstack(L, 4, "json nesting too deep");
  switch (lnn_json_typeof(v)) {
    case LNN_JSON_NULL: lua_pushlightuserdata(L, NULL); break;
    case LNN_JSON_FALSE: lua_pushboolean(L, 0); break;
    case LNN_JSON_TRUE: lua_pushboolean(L, 1); break;
    case LNN_JSON_NUMBER: {
      double d = lnn_json_number(v);
      if (d == floor(d) && fabs(d) < 9007199254740992.0)
        lua_pushinteger(L, (lua_Integer)d);
      else
        lua_pushnumber(L, d);
      break;
    }
    case LNN_JSON_STRING:
      s = lnn_json_string(v, &len);
      lua_pushlstring(L, s, len);
      break;
    case LNN_JSON_ARRAY:
      n = lnn_json_length(v);
      lua_createtable(L, n < 1000000 ? (int)n : 0, 0);
      for (i = 0; i < n; i++) {
        push_json(L, lnn_json_at(v, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
      }
      break;
    case LNN_JSON_OBJECT:
      n = lnn_json_length(v);
      lua_createtable(L, 0, n < 1000000 ? (int)n : 0);
      for (i = 0; i < n; i++) {
        s = lnn_json_key(v, i, &len);
        lua_pushlstring(L, s, len);
        push_json(L, lnn_json_at(v, i));
        lua_rawset(L, -3);
      }
      break;
  }
}

/* json_decode(text [, name]): Lua values (null is json_null, a light userdata);
 * errors name the text (name, e.g. the file it came from) and the position */
static int io_json_decode(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  const char *name = luaL_optstring(L, 2, "json_decode");
  lnn_json_doc **box = (lnn_json_doc **)lua_newuserdatauv(L, sizeof *box, 0);
  lnn_error e;
  *box = NULL;
  luaL_setmetatable(L, LNN_JSONDOC);
  if (lnn_json_parse(text, len, box, &e) != LNN_OK) return lnn_lua_fail(L, name, &e);
  push_json(L, lnn_json_root(*box));
  lnn_json_free(*box);
  *box = NULL;
  return 1;
}

/* json_number(x): the shortest decimal text that reads back as the same float32 */
static int io_json_number(lua_State *L) {
  char buf[48];
  lua_Number v = luaL_checknumber(L, 1);
  float x = (float)v;
  int n = lnn_json_format_float(buf, sizeof buf, x);
  if (n < 0 && isfinite(v)) return lnn_lua_argerror(L, 1, NULL, "%f is beyond float32's range", v);
  if (n < 0) return lnn_lua_argerror(L, 1, NULL, "finite number expected (JSON has no NaN or Inf)");
  lua_pushlstring(L, buf, (size_t)n);
  return 1;
}

/* write_model(path, header_json, params): safetensors bytes, written atomically.
 * The header is padded with spaces to a multiple of 8, as the format allows. */
static int io_write_model(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  size_t hlen, padded;
  const char *header = luaL_checklstring(L, 2, &hlen);
  lmatrix *p = lnn_lua_checkmatrix(L, 3);
  unsigned char lenbytes[8];
  lnn_chunk chunks[3];
  lnn_error e;
  lblob *pad;
  int i;
  lnn_lua_argcheck(L, hlen > 0 && hlen <= MAX_HEADER, 2, "header of 1 byte to 100 MiB expected");
  padded = (hlen + 7) & ~(size_t)7;
  for (i = 0; i < 8; i++) lenbytes[i] = (unsigned char)((uint64_t)padded >> (8 * i));
  pad = lnn_lua_newblob(L, padded);
  memcpy(pad->data, header, hlen);
  memset(pad->data + hlen, ' ', padded - hlen);
  chunks[0].data = lenbytes;
  chunks[0].size = 8;
  chunks[1].data = pad->data;
  chunks[1].size = padded;
  chunks[2].data = p->data; /* the engine is little-endian x86-64/arm64, as safetensors */
  chunks[2].size = (size_t)p->rows * p->cols * sizeof(float);
  if (lnn_file_write_atomic(path, chunks, 3, &e) != LNN_OK) return lnn_lua_fail(L, "save", &e);
  return 0;
}

/* read_model(path): the header text and the data block as an n x 1 Matrix,
 * all through one descriptor (one whole save, whatever saves run meanwhile) */
static int io_read_model(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lnn_rfile *f = lnn_lua_openfile(L, path, "load");
  unsigned char lenbytes[8];
  uint64_t hlen = 0;
  size_t size = f->size, data;
  lnn_error e;
  lblob *h;
  lmatrix *m;
  int i;
  if (size < 8) return lnn_lua_error(L, "load", "%s: not a model file (%d bytes)", path, (int)size);
  if (lnn_rfile_read_at(f, 0, lenbytes, 8, &e) != LNN_OK) return lnn_lua_fail(L, "load", &e);
  for (i = 7; i >= 0; i--) hlen = (hlen << 8) | lenbytes[i];
  if (hlen < 2 || hlen > MAX_HEADER || hlen > size - 8)
    return lnn_lua_error(L, "load", "%s: not a model file (header length %d of a %d-byte file)",
                         path, (int)(hlen > MAX_HEADER ? -1 : (int)hlen), (int)size);
  data = size - 8 - (size_t)hlen;
  if (data % 4 != 0)
    return lnn_lua_error(L, "load", "%s: data block of %d bytes is not float32s", path, (int)data);
  if (data / 4 > LNN_LIMIT_PARAMS)
    return lnn_lua_error(L, "load", "%s: data block too large", path);
  h = lnn_lua_newblob(L, (size_t)hlen);
  if (lnn_rfile_read_at(f, 8, h->data, (size_t)hlen, &e) != LNN_OK)
    return lnn_lua_fail(L, "load", &e);
  lua_pushlstring(L, (const char *)h->data, (size_t)hlen);
  if (data == 0) return lnn_lua_error(L, "load", "%s: no parameters after the header", path);
  m = lnn_lua_newmatrix(L, (int)(data / 4), 1);
  if (lnn_rfile_read_at(f, 8 + (size_t)hlen, m->data, data, &e) != LNN_OK)
    return lnn_lua_fail(L, "load", &e);
  lnn_rfile_close(f);
  return 2;
}

/* read_file(path [, max_mib = 1024]): the whole content of a regular file as a
 * string, read through one descriptor (one whole save of it) */
static int io_read_file(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_Integer max = luaL_optinteger(L, 2, 1024);
  lnn_rfile *f;
  lblob *b;
  lnn_lua_argcheck(L, max >= 0 && max <= 1 << 20, 2, "size limit must be 0 to 1048576 MiB");
  f = lnn_lua_openfile(L, path, "read_file");
  b = read_whole(L, f, (size_t)max << 20, "read_file");
  lnn_rfile_close(f);
  lua_pushlstring(L, (const char *)b->data, b->size);
  return 1;
}

/* checksum(path): the CRC-32 of a regular file's bytes as 8 hex digits, and its
 * size: what a data folder's manifest records of each file, read through one
 * descriptor.  A check against mixed or changed files, not against tampering. */
static int io_checksum(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lnn_rfile *f = lnn_lua_openfile(L, path, "checksum");
  unsigned char buf[1 << 16];
  uLong crc = crc32(0L, Z_NULL, 0);
  size_t at = 0;
  lnn_error e;
  char hex[9];
  while (at < f->size) {
    size_t n = f->size - at < sizeof buf ? f->size - at : sizeof buf;
    if (lnn_rfile_read_at(f, at, buf, n, &e) != LNN_OK) return lnn_lua_fail(L, "checksum", &e);
    crc = crc32(crc, buf, (uInt)n);
    at += n;
  }
  lnn_rfile_close(f);
  snprintf(hex, sizeof hex, "%08lx", (unsigned long)crc & 0xffffffffUL);
  lua_pushstring(L, hex);
  lua_pushinteger(L, (lua_Integer)at);
  return 2;
}

/* write_file(path, text): replaces path's content atomically (temp + fsync + rename) */
static int io_write_file(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lnn_chunk c;
  lnn_error e;
  c.data = luaL_checklstring(L, 2, &c.size);
  if (lnn_file_write_atomic(path, &c, 1, &e) != LNN_OK) return lnn_lua_fail(L, "write_file", &e);
  return 0;
}

/* check_writable(path [, "file" | "folder"]): true if a save could write path
 * (fileio.h: absent, a regular file or a symlink to one, in an existing
 * writable folder) or, for "folder", if path is a writable folder or could be
 * made as one (tools.mkdir makes parents); else nil and why (out of memory is
 * an error).  Creates nothing. */
static int io_check_writable(lua_State *L) {
  static const char *const kinds[] = {"file", "folder", NULL};
  const char *path = luaL_checkstring(L, 1);
  int folder = luaL_checkoption(L, 2, "file", kinds);
  lnn_error e;
  if ((folder ? lnn_folder_check_writable(path, &e) : lnn_file_check_writable(path, &e)) != LNN_OK) {
    /* no memory is no answer about path: an error, not a refusal of the path */
    if (e.code == LNN_ENOMEM) return lnn_lua_fail(L, "check_writable", &e);
    lua_pushnil(L);
    lua_pushstring(L, e.msg);
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

static const luaL_Reg io_funcs[] = {
    {"check_writable", io_check_writable},
    {"write_file", io_write_file}, {"checksum", io_checksum}, {"read_file", io_read_file},
    {"write_png", io_write_png}, {"read_png", io_read_png}, {"write_idx", io_write_idx},
    {"json_decode", io_json_decode}, {"json_number", io_json_number},
    {"write_model", io_write_model}, {"read_model", io_read_model}, {NULL, NULL}};

int lnn_lua_open_io(lua_State *L) {
  luaL_newmetatable(L, LNN_JSONDOC);
  lua_pushcfunction(L, jsondoc_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_setfuncs(L, io_funcs, 0);
  lua_pushlightuserdata(L, NULL);
  lua_setfield(L, -2, "json_null");
  return 0;
}
