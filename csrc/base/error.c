/* error.c -- filling an lnn_error.  Nothing else. */
#include <stdarg.h>
#include <stdio.h>

#include "lnn.h"

int lnn_error_set(lnn_error *e, int code, const char *fmt, ...) {
  if (e != NULL) {
    va_list ap;
    va_start(ap, fmt);
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}
