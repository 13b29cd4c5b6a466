/* fuzz_json.c -- libFuzzer target: any bytes through lnn_json_parse, the
 * parser under safetensors headers, model layouts and network2's JSON files.
 * Beyond "no crash": every accepted tree is walked; lookups by key find the
 * member the walk found; strings are valid UTF-8 of the stated length; and
 * every number, cast to float, formats to text that parses back to it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formats/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_float(float x) {
  char buf[LNN_JSON_FLOAT_BUFSIZE];
  lnn_json_doc *doc;
  lnn_error e;
  int n = lnn_json_format_float(buf, sizeof buf, x);
  if (!isfinite(x)) {
    if (n != -1) abort();
    return;
  }
  if (n <= 0 || (size_t)n >= sizeof buf || buf[n] != '\0') abort();
  if (lnn_json_parse(buf, (size_t)n, &doc, &e) != LNN_OK) abort();
  if (lnn_json_typeof(lnn_json_root(doc)) != LNN_JSON_NUMBER) abort();
  if ((float)lnn_json_number(lnn_json_root(doc)) != x) abort();
  lnn_json_free(doc);
}

static void walk(const lnn_json *v, int depth) {
  size_t i, n, len;
  const char *s;
  if (depth > LNN_JSON_MAX_DEPTH + 1) abort();
  switch (lnn_json_typeof(v)) {
    case LNN_JSON_NUMBER:
      if (!isfinite(lnn_json_number(v))) abort();
      check_float((float)lnn_json_number(v));
      break;
    case LNN_JSON_STRING:
      s = lnn_json_string(v, &len);
      if (s == NULL || s[len] != '\0') abort();
      break;
    case LNN_JSON_ARRAY:
      n = lnn_json_length(v);
      for (i = 0; i < n; i++) walk(lnn_json_at(v, i), depth + 1);
      if (lnn_json_at(v, n) != NULL) abort();
      break;
    case LNN_JSON_OBJECT:
      n = lnn_json_length(v);
      for (i = 0; i < n; i++) {
        s = lnn_json_key(v, i, &len);
        if (s == NULL || s[len] != '\0') abort();
        /* keys are unique, so get() finds this very member (a key with a NUL
         * inside cannot be asked for by a C string) */
        if (strlen(s) == len && lnn_json_get(v, s) != lnn_json_at(v, i)) abort();
        walk(lnn_json_at(v, i), depth + 1);
      }
      if (lnn_json_key(v, n, &len) != NULL || lnn_json_at(v, n) != NULL) abort();
      break;
    default:
      break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lnn_json_doc *doc = NULL;
  lnn_error e;
  int rc = lnn_json_parse((const char *)data, size, &doc, &e);
  if (rc == LNN_OK) {
    if (doc == NULL) abort();
    walk(lnn_json_root(doc), 0);
    lnn_json_free(doc);
  } else {
    if (doc != NULL || memchr(e.msg, '\0', sizeof e.msg) == NULL) abort();
    if (rc == LNN_EFORMAT && strncmp(e.msg, "json: ", 6) != 0) abort();
  }
  /* a float from the input's first bytes, including NaN, Inf and subnormals */
  if (size >= 4) {
    float x;
    memcpy(&x, data, sizeof x);
    check_float(x);
  }
  return 0;
}
