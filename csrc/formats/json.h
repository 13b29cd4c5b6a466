/* json.h -- a strict RFC 8259 JSON reader for safetensors headers and
 * network2.py network files: one parse builds a read-only tree in an arena the
 * document owns.  It does not edit trees or write JSON (only float formatting). */
#ifndef LNN_JSON_H
#define LNN_JSON_H

#include <stddef.h>

#include "base/lnn.h"

/* Limits RFC 8259 (section 9) lets a parser set; going past one is LNN_EFORMAT. */
#define LNN_JSON_MAX_DEPTH 64     /* arrays/objects nested inside one another */
#define LNN_JSON_MAX_NUMBER 1024  /* characters in one number */

/* Room for any lnn_json_format_float result and its NUL. */
#define LNN_JSON_FLOAT_BUFSIZE 32

typedef enum {
  LNN_JSON_NULL,
  LNN_JSON_FALSE,
  LNN_JSON_TRUE,
  LNN_JSON_NUMBER,
  LNN_JSON_STRING,
  LNN_JSON_ARRAY,
  LNN_JSON_OBJECT
} lnn_json_type;

typedef struct lnn_json lnn_json;         /* one value, owned by its document */
typedef struct lnn_json_doc lnn_json_doc; /* owns every value and string */

/* Parses exactly len bytes at text (NUL bytes are data, not an end).  The
 * whole input must be one JSON value with optional whitespace around it; a
 * byte order mark, comments, trailing commas, NaN/Infinity, leading zeros,
 * raw control characters, invalid UTF-8, lone surrogates, duplicate object
 * keys and numbers that overflow a double are errors.  Numbers too small for
 * a double round to 0 or a subnormal, as strtod does.
 * On success *out is a document to pass to lnn_json_free and err is untouched.
 * On failure *out is NULL, nothing is left allocated, and the return is
 * LNN_EFORMAT ("json: expected ',' or ']' but found '}' at line 3 column 17
 * (byte 45)"; lines and columns count from 1 and columns count bytes, the
 * byte offset counts from 0), LNN_ENOMEM, or LNN_EINVAL for a NULL out or a
 * NULL text with len > 0. */
int lnn_json_parse(const char *text, size_t len, lnn_json_doc **out, lnn_error *err);

/* Frees the document and every value and string in it.  NULL is fine. */
void lnn_json_free(lnn_json_doc *doc);

/* The top-level value; NULL only for a NULL doc. */
const lnn_json *lnn_json_root(const lnn_json_doc *doc);

/* The accessors below accept NULL for v (a missing member, an index out of
 * range), so lookups can be chained and checked once at the end. */

/* LNN_JSON_NULL for a JSON null and for a NULL v: test for NULL first when a
 * missing member and a null member mean different things. */
lnn_json_type lnn_json_typeof(const lnn_json *v);

/* The value of a number, else 0. */
double lnn_json_number(const lnn_json *v);

/* The decoded UTF-8 bytes of a string, NUL-terminated, with their count in
 * *len (if len is not NULL; the string may itself contain NUL from \u0000);
 * NULL if v is not a string. */
const char *lnn_json_string(const lnn_json *v, size_t *len);

/* Elements of an array or members of an object, else 0. */
size_t lnn_json_length(const lnn_json *v);

/* The i-th element (from 0) of an array, or the value of the i-th member of
 * an object in document order; NULL if v is neither or i is out of range. O(1). */
const lnn_json *lnn_json_at(const lnn_json *v, size_t i);

/* The key of the i-th member of an object, as lnn_json_string returns it;
 * NULL if v is not an object or i is out of range. */
const char *lnn_json_key(const lnn_json *v, size_t i, size_t *len);

/* The value of the member of object v whose key equals the NUL-terminated
 * key, or NULL.  Keys are unique (duplicates are rejected by the parser).
 * A linear search: to visit every member of a big object, loop over
 * lnn_json_key and lnn_json_at instead. */
const lnn_json *lnn_json_get(const lnn_json *v, const char *key);

/* "null", "boolean", "number", "string", "array" or "object", for messages
 * such as "weights[2] is a string, expected an array". */
const char *lnn_json_type_name(lnn_json_type t);

/* Writes into buf the shortest decimal that reads back (strtof, or this
 * parser followed by a cast to float) as exactly x, e.g. "0.1", "-3e-07",
 * "1.17549435e-38", with '.' whatever the locale; -0 is written "-0".
 * Returns its length (without the NUL), or -1 if x is NaN or infinite (JSON
 * has no spelling for them) or cap is too small; LNN_JSON_FLOAT_BUFSIZE
 * always suffices. */
int lnn_json_format_float(char *buf, size_t cap, float x);

#endif
