/* json.c -- strict RFC 8259 parser into an arena-owned tree, and shortest
 * float32 formatting.  Reads any bytes of any length without trusting a NUL;
 * does not stream, edit trees, accept JSON5 extensions or write documents. */
#include <assert.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#include "sys/fault.h" /* last: a fault-injection build wraps allocations and file calls */

struct lnn_json {
  lnn_json_type type;
  size_t n; /* string: bytes; array: elements; object: members */
  union {
    double num;
    const char *str;
    const lnn_json *kids; /* array: n values; object: key, value, key, ... (2n) */
  } u;
};

/* The arena: a list of blocks carved front to back.  Values only point
 * into blocks of their own document, so freeing the list frees the tree. */
typedef struct block {
  struct block *next;
  size_t cap, used;
  max_align_t data[]; /* aligns the payload for any value */
} block;

#define BLOCK_FIRST 4096u
#define BLOCK_LAST (1u << 20)

struct lnn_json_doc {
  block *head;      /* the block being carved */
  size_t next_size; /* of the next block: doubles from BLOCK_FIRST to BLOCK_LAST */
  lnn_json root;
};

/* Returns size bytes aligned to align (a power of two), or NULL. */
static void *arena_alloc(lnn_json_doc *d, size_t size, size_t align) {
  block *b = d->head;
  if (b != NULL) {
    size_t off = (b->used + align - 1) & ~(align - 1);
    if (off <= b->cap && size <= b->cap - off) {
      b->used = off + size;
      return (unsigned char *)b->data + off;
    }
  }
  if (size > SIZE_MAX - sizeof(block)) return NULL;
  if (size > d->next_size / 2) {
    /* A big request gets a block of its own, slipped in behind the head so
     * the head's free tail keeps serving small requests. */
    block *big = malloc(sizeof(block) + size);
    if (big == NULL) return NULL;
    big->cap = big->used = size;
    if (b != NULL) {
      big->next = b->next;
      b->next = big;
    } else {
      big->next = NULL;
      d->head = big;
    }
    return big->data;
  }
  b = malloc(sizeof(block) + d->next_size);
  if (b == NULL) return NULL;
  b->cap = d->next_size;
  b->used = size;
  b->next = d->head;
  d->head = b;
  if (d->next_size < BLOCK_LAST) d->next_size *= 2;
  return b->data;
}

/* Gives back the tail of the latest allocation p (old bytes, keeping keep). */
static void arena_trim(lnn_json_doc *d, const void *p, size_t old, size_t keep) {
  block *b = d->head;
  if (b != NULL && (const unsigned char *)p + old == (unsigned char *)b->data + b->used)
    b->used -= old - keep;
}

void lnn_json_free(lnn_json_doc *doc) {
  block *b, *next;
  if (doc == NULL) return;
  for (b = doc->head; b != NULL; b = next) {
    next = b->next;
    free(b);
  }
  free(doc);
}

/* ---- parser ---------------------------------------------------------- */

typedef struct parser {
  const unsigned char *s;
  size_t len, pos;
  lnn_json_doc *doc;
  lnn_json *stack; /* children of the open containers, copied out on close */
  size_t top, cap;
  lnn_error *err;
  const char *dp; /* the locale's decimal point, read when strtod is first needed */
  size_t dplen;
} parser;

/* How the byte at `at` reads in a message: 'x', byte 0x00, end of input. */
static void describe(const parser *p, size_t at, char *buf, size_t cap) {
  if (at >= p->len)
    snprintf(buf, cap, "end of input");
  else if (p->s[at] >= 0x20 && p->s[at] < 0x7f)
    snprintf(buf, cap, "'%c'", p->s[at]);
  else
    snprintf(buf, cap, "byte 0x%02X", (unsigned)p->s[at]);
}

#if defined(__GNUC__)
static int fail(parser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif

/* Records an LNN_EFORMAT error about the byte at offset `at`. */
static int fail(parser *p, size_t at, const char *fmt, ...) {
  char what[384];
  size_t i, line = 1, linestart = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (at > p->len) at = p->len;
  for (i = 0; i < at; i++)
    if (p->s[i] == '\n') {
      line++;
      linestart = i + 1;
    }
  return lnn_error_set(p->err, LNN_EFORMAT, "json: %s at line %zu column %zu (byte %zu)", what, line,
                       at - linestart + 1, at);
}

/* "expected X but found Y" at `at`. */
static int fail_expected(parser *p, size_t at, const char *expected) {
  char found[32];
  describe(p, at, found, sizeof found);
  return fail(p, at, "expected %s but found %s", expected, found);
}

static int fail_nomem(parser *p) {
  return lnn_error_set(p->err, LNN_ENOMEM, "json: out of memory parsing %zu bytes", p->len);
}

static int push(parser *p, const lnn_json *v) {
  if (p->top == p->cap) {
    size_t ncap = p->cap ? p->cap * 2 : 256;
    lnn_json *ns;
    if (ncap > SIZE_MAX / sizeof *ns) return fail_nomem(p);
    ns = realloc(p->stack, ncap * sizeof *ns);
    if (ns == NULL) return fail_nomem(p);
    p->stack = ns;
    p->cap = ncap;
  }
  p->stack[p->top++] = *v;
  return LNN_OK;
}

/* Moves stack[base..top) into the arena as the children of v. */
static int pop_children(parser *p, size_t base, lnn_json *v) {
  size_t count = p->top - base;
  lnn_json *kids = NULL;
  if (count > 0) {
    if (count > SIZE_MAX / sizeof *kids) return fail_nomem(p);
    kids = arena_alloc(p->doc, count * sizeof *kids, _Alignof(lnn_json));
    if (kids == NULL) return fail_nomem(p);
    memcpy(kids, p->stack + base, count * sizeof *kids);
  }
  v->u.kids = kids;
  p->top = base;
  return LNN_OK;
}

static void skip_ws(parser *p) {
  const unsigned char *s = p->s;
  size_t i = p->pos, n = p->len;
  while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) i++;
  p->pos = i;
}

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads the 4 hex digits at s[i..i+4) into *cp. */
static int read_hex4(parser *p, size_t i, long *cp) {
  size_t k;
  *cp = 0;
  for (k = 0; k < 4; k++) {
    int h = i + k < p->len ? hexval(p->s[i + k]) : -1;
    if (h < 0) return fail_expected(p, i + k, "4 hex digits after \\u");
    *cp = *cp * 16 + h;
  }
  return LNN_OK;
}

/* Length of the valid UTF-8 sequence at s[i] (a byte >= 0x80), or 0.
 * Table 3-7 of the Unicode standard: no overlongs, surrogates or > U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t i, size_t n) {
  unsigned char c = s[i], lo = 0x80, hi = 0xBF;
  size_t need, k;
  if (c >= 0xC2 && c <= 0xDF)
    need = 1;
  else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else
    return 0;
  if (need >= n - i) return 0;
  if (s[i + 1] < lo || s[i + 1] > hi) return 0;
  for (k = 2; k <= need; k++)
    if (s[i + k] < 0x80 || s[i + k] > 0xBF) return 0;
  return need + 1;
}

static char *put_utf8(char *o, unsigned long cp) {
  if (cp < 0x80) {
    *o++ = (char)cp;
  } else if (cp < 0x800) {
    *o++ = (char)(0xC0 | (cp >> 6));
    *o++ = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *o++ = (char)(0xE0 | (cp >> 12));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (char)(0x80 | (cp & 0x3F));
  } else {
    *o++ = (char)(0xF0 | (cp >> 18));
    *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (char)(0x80 | (cp & 0x3F));
  }
  return o;
}

/* p->pos is at the opening quote.  Decodes into the arena. */
static int parse_string(parser *p, lnn_json *v) {
  const unsigned char *s = p->s;
  size_t n = p->len, start = p->pos + 1, i, bound, cap;
  char *out, *o;
  /* A first pass finds where the string must end at the latest: escapes
   * only shrink, so the decoded bytes fit in (bound - start) plus the NUL.
   * The decoding pass below steps through the same units, so it stops at
   * or before bound, reporting the first error in order. */
  i = start;
  while (i < n) {
    unsigned char c = s[i];
    if (c == '"' || c < 0x20) break;
    i += c == '\\' ? 2 : 1;
  }
  bound = i < n ? i : n;
  cap = bound - start + 1;
  out = arena_alloc(p->doc, cap, 1);
  if (out == NULL) return fail_nomem(p);
  o = out;
  i = start;
  for (;;) {
    unsigned char c;
    if (i >= n) return fail(p, i, "unterminated string (opened at byte %zu)", start - 1);
    c = s[i];
    if (c == '"') {
      i++;
      break;
    } else if (c == '\\') {
      unsigned char e;
      if (i + 1 >= n) return fail(p, i + 1, "unterminated string (opened at byte %zu)", start - 1);
      e = s[i + 1];
      switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
          long cp, lo;
          if (read_hex4(p, i + 2, &cp) != LNN_OK) return LNN_EFORMAT;
          if (cp >= 0xDC00 && cp <= 0xDFFF)
            return fail(p, i, "lone low surrogate \\u%04lX in string", cp);
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (i + 7 >= n || s[i + 6] != '\\' || s[i + 7] != 'u')
              return fail(p, i, "high surrogate \\u%04lX not followed by a \\u low surrogate", cp);
            if (read_hex4(p, i + 8, &lo) != LNN_OK) return LNN_EFORMAT;
            if (lo < 0xDC00 || lo > 0xDFFF)
              return fail(p, i + 6, "\\u%04lX after high surrogate \\u%04lX is not a low surrogate", lo, cp);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
          o = put_utf8(o, (unsigned long)cp);
          i += 4;
          break;
        }
        default: {
          char found[32];
          describe(p, i + 1, found, sizeof found);
          return fail(p, i, "invalid escape: backslash followed by %s", found);
        }
      }
      i += 2;
    } else if (c < 0x20) {
      return fail(p, i, "raw control character 0x%02X in string (must be escaped)", (unsigned)c);
    } else if (c < 0x80) {
      *o++ = (char)c;
      i++;
    } else {
      size_t k = utf8_len(s, i, n);
      if (k == 0) return fail(p, i, "invalid UTF-8 in string");
      memcpy(o, s + i, k);
      o += k;
      i += k;
    }
  }
  assert((size_t)(o - out) < cap);
  *o = '\0';
  arena_trim(p->doc, out, cap, (size_t)(o - out) + 1);
  v->type = LNN_JSON_STRING;
  v->n = (size_t)(o - out);
  v->u.str = out;
  p->pos = i;
  return LNN_OK;
}

/* Powers of ten a double holds exactly. */
static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* p->pos is at '-' or a digit. */
static int parse_number(parser *p, lnn_json *v) {
  const unsigned char *s = p->s;
  size_t n = p->len, start = p->pos, i = start, fracdigits = 0;
  uint64_t mant = 0;
  int ndigits = 0, exact = 1, neg = 0, eneg = 0;
  long e = 0, exp10;
  double x;
  if (s[i] == '-') {
    neg = 1;
    i++;
    if (i < n && s[i] == 'I') return fail(p, start, "-Infinity is not valid JSON");
  }
  if (i >= n || s[i] < '0' || s[i] > '9') return fail_expected(p, i, "a digit after '-'");
  if (s[i] == '0') {
    i++;
    if (i < n && s[i] >= '0' && s[i] <= '9') return fail(p, start, "number with a leading zero");
  } else {
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
      if (ndigits < 19) mant = mant * 10 + (uint64_t)(s[i] - '0');
      else exact = 0;
      ndigits++;
    }
  }
  if (i < n && s[i] == '.') {
    i++;
    if (i >= n || s[i] < '0' || s[i] > '9') return fail_expected(p, i, "a digit after '.'");
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
      if (mant == 0 && s[i] == '0') {
        fracdigits++; /* leading zeros are not significant */
      } else if (ndigits < 19) {
        mant = mant * 10 + (uint64_t)(s[i] - '0');
        ndigits++;
        fracdigits++;
      } else {
        exact = 0;
      }
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    if (i >= n || s[i] < '0' || s[i] > '9') return fail_expected(p, i, "a digit in the exponent");
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      if (e < 100000) e = e * 10 + (s[i] - '0'); /* saturating: far past any double */
  }
  if (i - start > LNN_JSON_MAX_NUMBER)
    return fail(p, start, "number longer than %d characters", LNN_JSON_MAX_NUMBER);
  p->pos = i;
  v->type = LNN_JSON_NUMBER;
  v->n = 0;
  exp10 = (eneg ? -e : e) - (long)fracdigits;
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
  /* Clinger's fast path: an exact mantissa times or over an exact power of
   * ten rounds once, so it is correctly rounded.  It covers lnn's own files. */
  if (exact && mant == 0) {
    v->u.num = neg ? -0.0 : 0.0;
    return LNN_OK;
  }
  if (exact && mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
    x = (double)mant;
    x = exp10 < 0 ? x / pow10_exact[-exp10] : x * pow10_exact[exp10];
    v->u.num = neg ? -x : x;
    return LNN_OK;
  }
#else
  (void)neg; /* strtod reads the sign itself */
  (void)exact;
  (void)exp10;
  (void)pow10_exact;
#endif
  {
    /* strtod reads the locale's decimal point, so the copy spells it so. */
    char buf[LNN_JSON_MAX_NUMBER + 16], *end;
    size_t k, j = 0;
    if (p->dp == NULL) {
      const struct lconv *lc = localeconv();
      p->dp = lc && lc->decimal_point && lc->decimal_point[0] ? lc->decimal_point : ".";
      p->dplen = strlen(p->dp);
      if (p->dplen > 8) {
        p->dp = ".";
        p->dplen = 1;
      }
    }
    for (k = start; k < i; k++) {
      if (s[k] == '.') {
        memcpy(buf + j, p->dp, p->dplen);
        j += p->dplen;
      } else {
        buf[j++] = (char)s[k];
      }
    }
    buf[j] = '\0';
    x = strtod(buf, &end);
    if (end != buf + j) return fail(p, start, "number strtod cannot read");
    if (isinf(x)) return fail(p, start, "number out of range");
    v->u.num = x;
  }
  return LNN_OK;
}

static int parse_value(parser *p, lnn_json *v, int depth);

/* Detects a repeated key among the n members now on the stack at base. */
static int cmp_keys(const void *a, const void *b) {
  const lnn_json *x = *(const lnn_json *const *)a, *y = *(const lnn_json *const *)b;
  size_t m = x->n < y->n ? x->n : y->n;
  int c = memcmp(x->u.str, y->u.str, m);
  if (c != 0) return c;
  return (x->n > y->n) - (x->n < y->n);
}

static int same_key(const lnn_json *x, const lnn_json *y) {
  return x->n == y->n && memcmp(x->u.str, y->u.str, x->n) == 0;
}

static int fail_duplicate(parser *p, size_t objpos, const lnn_json *key) {
  /* Quote at most 40 bytes, cut at a character boundary, control bytes escaped. */
  char q[200];
  size_t i, j = 0, n = key->n > 40 ? 40 : key->n;
  const unsigned char *k = (const unsigned char *)key->u.str;
  if (n < key->n)
    while (n > 0 && (k[n] & 0xC0) == 0x80) n--;
  for (i = 0; i < n; i++) {
    if (k[i] < 0x20 || k[i] == '"' || k[i] == '\\' || k[i] == 0x7f)
      j += (size_t)snprintf(q + j, sizeof q - j, "\\x%02X", (unsigned)k[i]);
    else
      q[j++] = (char)k[i];
  }
  q[j] = '\0';
  return fail(p, objpos, "duplicate key \"%s\"%s in the object starting", q, n < key->n ? "..." : "");
}

static int check_duplicates(parser *p, size_t base, size_t members, size_t objpos) {
  const lnn_json *st;
  size_t i, j;
  if (members < 2) return LNN_OK; /* and the stack may not exist yet */
  st = p->stack + base;
  if (members <= 16) {
    for (i = 1; i < members; i++)
      for (j = 0; j < i; j++)
        if (same_key(&st[2 * i], &st[2 * j])) return fail_duplicate(p, objpos, &st[2 * i]);
  } else {
    const lnn_json **keys = malloc(members * sizeof *keys);
    int rc = LNN_OK;
    if (keys == NULL) return fail_nomem(p);
    for (i = 0; i < members; i++) keys[i] = &st[2 * i];
    qsort(keys, members, sizeof *keys, cmp_keys);
    for (i = 1; i < members; i++)
      if (same_key(keys[i - 1], keys[i])) {
        rc = fail_duplicate(p, objpos, keys[i]);
        break;
      }
    free(keys);
    return rc;
  }
  return LNN_OK;
}

/* p->pos is at '['; depth counts the containers around this one. */
static int parse_array(parser *p, lnn_json *v, int depth) {
  size_t base = p->top, count = 0;
  lnn_json child;
  int rc;
  if (depth >= LNN_JSON_MAX_DEPTH) return fail(p, p->pos, "nesting deeper than %d", LNN_JSON_MAX_DEPTH);
  p->pos++;
  skip_ws(p);
  if (p->pos < p->len && p->s[p->pos] == ']') {
    p->pos++;
  } else {
    for (;;) {
      if ((rc = parse_value(p, &child, depth + 1)) != LNN_OK) return rc;
      if ((rc = push(p, &child)) != LNN_OK) return rc;
      count++;
      skip_ws(p);
      if (p->pos < p->len && p->s[p->pos] == ',') {
        p->pos++;
        continue;
      }
      if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        break;
      }
      return fail_expected(p, p->pos, "',' or ']'");
    }
  }
  v->type = LNN_JSON_ARRAY;
  v->n = count;
  return pop_children(p, base, v);
}

/* p->pos is at '{'. */
static int parse_object(parser *p, lnn_json *v, int depth) {
  size_t base = p->top, count = 0, objpos = p->pos;
  lnn_json child;
  int rc;
  if (depth >= LNN_JSON_MAX_DEPTH) return fail(p, p->pos, "nesting deeper than %d", LNN_JSON_MAX_DEPTH);
  p->pos++;
  skip_ws(p);
  if (p->pos < p->len && p->s[p->pos] == '}') {
    p->pos++;
  } else {
    for (;;) {
      skip_ws(p);
      if (p->pos >= p->len || p->s[p->pos] != '"')
        return fail_expected(p, p->pos, count ? "a string key after ','" : "a string key or '}'");
      if ((rc = parse_string(p, &child)) != LNN_OK) return rc;
      if ((rc = push(p, &child)) != LNN_OK) return rc;
      skip_ws(p);
      if (p->pos >= p->len || p->s[p->pos] != ':') return fail_expected(p, p->pos, "':' after an object key");
      p->pos++;
      if ((rc = parse_value(p, &child, depth + 1)) != LNN_OK) return rc;
      if ((rc = push(p, &child)) != LNN_OK) return rc;
      count++;
      skip_ws(p);
      if (p->pos < p->len && p->s[p->pos] == ',') {
        p->pos++;
        continue;
      }
      if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        break;
      }
      return fail_expected(p, p->pos, "',' or '}'");
    }
  }
  if ((rc = check_duplicates(p, base, count, objpos)) != LNN_OK) return rc;
  v->type = LNN_JSON_OBJECT;
  v->n = count;
  return pop_children(p, base, v);
}

static int parse_literal(parser *p, lnn_json *v, const char *word, lnn_json_type t) {
  size_t k = strlen(word);
  if (p->len - p->pos < k || memcmp(p->s + p->pos, word, k) != 0)
    return fail(p, p->pos, "invalid literal (expected '%s')", word);
  p->pos += k;
  v->type = t;
  v->n = 0;
  v->u.num = 0;
  return LNN_OK;
}

/* Skips whitespace, then reads one value. */
static int parse_value(parser *p, lnn_json *v, int depth) {
  unsigned char c;
  skip_ws(p);
  if (p->pos >= p->len) return fail_expected(p, p->pos, "a value");
  c = p->s[p->pos];
  switch (c) {
    case '{': return parse_object(p, v, depth);
    case '[': return parse_array(p, v, depth);
    case '"': return parse_string(p, v);
    case 't': return parse_literal(p, v, "true", LNN_JSON_TRUE);
    case 'f': return parse_literal(p, v, "false", LNN_JSON_FALSE);
    case 'n': return parse_literal(p, v, "null", LNN_JSON_NULL);
    case 'N': return fail(p, p->pos, "NaN is not valid JSON");
    case 'I': return fail(p, p->pos, "Infinity is not valid JSON");
    default:
      if (c == '-' || (c >= '0' && c <= '9')) return parse_number(p, v);
      if (c == 0xEF && p->len - p->pos >= 3 && p->s[p->pos + 1] == 0xBB && p->s[p->pos + 2] == 0xBF)
        return fail(p, p->pos, "byte order mark is not allowed");
      if ((c == ']' || c == '}') && p->pos > 0) {
        /* Say "trailing comma" when that is what it is. */
        size_t k = p->pos;
        while (k > 0 && (p->s[k - 1] == ' ' || p->s[k - 1] == '\n' || p->s[k - 1] == '\r' || p->s[k - 1] == '\t'))
          k--;
        if (k > 0 && p->s[k - 1] == ',') return fail(p, k - 1, "trailing comma before '%c'", c);
      }
      return fail_expected(p, p->pos, "a value");
  }
}

int lnn_json_parse(const char *text, size_t len, lnn_json_doc **out, lnn_error *err) {
  parser p;
  lnn_json_doc *doc;
  int rc;
  if (out == NULL) return lnn_error_set(err, LNN_EINVAL, "json: NULL output pointer");
  *out = NULL;
  if (text == NULL) {
    if (len > 0) return lnn_error_set(err, LNN_EINVAL, "json: NULL text with length %zu", len);
    text = "";
  }
  doc = malloc(sizeof *doc);
  if (doc == NULL) return lnn_error_set(err, LNN_ENOMEM, "json: out of memory parsing %zu bytes", len);
  doc->head = NULL;
  doc->next_size = BLOCK_FIRST;
  memset(&p, 0, sizeof p);
  p.s = (const unsigned char *)text;
  p.len = len;
  p.doc = doc;
  p.err = err;
  rc = parse_value(&p, &doc->root, 0);
  if (rc == LNN_OK) {
    skip_ws(&p);
    if (p.pos < p.len) {
      char found[32];
      describe(&p, p.pos, found, sizeof found);
      rc = fail(&p, p.pos, "unexpected %s after the JSON value", found);
    }
  }
  free(p.stack);
  if (rc != LNN_OK) {
    lnn_json_free(doc);
    return rc;
  }
  *out = doc;
  return LNN_OK;
}

/* ---- access ---------------------------------------------------------- */

const lnn_json *lnn_json_root(const lnn_json_doc *doc) { return doc ? &doc->root : NULL; }

lnn_json_type lnn_json_typeof(const lnn_json *v) { return v ? v->type : LNN_JSON_NULL; }

double lnn_json_number(const lnn_json *v) { return v && v->type == LNN_JSON_NUMBER ? v->u.num : 0; }

const char *lnn_json_string(const lnn_json *v, size_t *len) {
  if (v == NULL || v->type != LNN_JSON_STRING) {
    if (len) *len = 0;
    return NULL;
  }
  if (len) *len = v->n;
  return v->u.str;
}

size_t lnn_json_length(const lnn_json *v) {
  return v && (v->type == LNN_JSON_ARRAY || v->type == LNN_JSON_OBJECT) ? v->n : 0;
}

const lnn_json *lnn_json_at(const lnn_json *v, size_t i) {
  if (v == NULL || i >= v->n) return NULL;
  if (v->type == LNN_JSON_ARRAY) return &v->u.kids[i];
  if (v->type == LNN_JSON_OBJECT) return &v->u.kids[2 * i + 1];
  return NULL;
}

const char *lnn_json_key(const lnn_json *v, size_t i, size_t *len) {
  if (v == NULL || v->type != LNN_JSON_OBJECT || i >= v->n) {
    if (len) *len = 0;
    return NULL;
  }
  return lnn_json_string(&v->u.kids[2 * i], len);
}

const lnn_json *lnn_json_get(const lnn_json *v, const char *key) {
  size_t i, k;
  if (v == NULL || v->type != LNN_JSON_OBJECT || key == NULL) return NULL;
  k = strlen(key);
  for (i = 0; i < v->n; i++) {
    const lnn_json *kv = &v->u.kids[2 * i];
    if (kv->n == k && memcmp(kv->u.str, key, k) == 0) return &v->u.kids[2 * i + 1];
  }
  return NULL;
}

const char *lnn_json_type_name(lnn_json_type t) {
  switch (t) {
    case LNN_JSON_NULL: return "null";
    case LNN_JSON_FALSE:
    case LNN_JSON_TRUE: return "boolean";
    case LNN_JSON_NUMBER: return "number";
    case LNN_JSON_STRING: return "string";
    case LNN_JSON_ARRAY: return "array";
    case LNN_JSON_OBJECT: return "object";
  }
  return "unknown type";
}

/* ---- writing --------------------------------------------------------- */

int lnn_json_format_float(char *buf, size_t cap, float x) {
  char tmp[64];
  const struct lconv *lc;
  const char *dp;
  int prec, n = 0;
  size_t dplen;
  if (!isfinite(x) || buf == NULL) return -1;
  /* %.9g always reads back; the first shorter one that does is shortest,
   * since %g drops trailing zeros.  Below 6 digits need not be tried for a
   * normal float: a float that 5 digits name rounds to them at 6 digits too,
   * its ulp being far below the 6-digit spacing.  Subnormals have fewer bits
   * ("1e-45"), so they start from 1.  strtof and snprintf share the locale. */
  for (prec = fabsf(x) < FLT_MIN ? 1 : 6; prec <= 9; prec++) {
    n = snprintf(tmp, sizeof tmp, "%.*g", prec, (double)x);
    if (n < 0 || (size_t)n >= sizeof tmp) return -1;
    if (strtof(tmp, NULL) == x) break;
  }
  /* Spell the decimal point '.', whatever the locale says. */
  lc = localeconv();
  dp = lc && lc->decimal_point && lc->decimal_point[0] ? lc->decimal_point : ".";
  dplen = strlen(dp);
  if (strcmp(dp, ".") != 0) {
    char *at = strstr(tmp, dp);
    if (at != NULL) {
      *at = '.';
      memmove(at + 1, at + dplen, strlen(at + dplen) + 1);
    }
  }
  /* "1e-07" -> "1e-7", "1e+20" -> "1e20": still valid JSON, and shorter. */
  {
    char *e = strchr(tmp, 'e');
    if (e != NULL) {
      char *d = e + 1, *src;
      if (*d == '+') memmove(d, d + 1, strlen(d + 1) + 1);
      else if (*d == '-') d++;
      src = d;
      while (src[0] == '0' && src[1] != '\0') src++;
      if (src != d) memmove(d, src, strlen(src) + 1);
    }
  }
  n = (int)strlen(tmp);
  if ((size_t)n + 1 > cap) return -1;
  memcpy(buf, tmp, (size_t)n + 1);
  return n;
}
