/* lnn.h -- what every file of the C core shares: status codes and the error
 * record.  The core never prints, exits or calls Lua; a function that can fail
 * returns a status and fills an lnn_error the binding turns into a Lua error. */
#ifndef LNN_H
#define LNN_H

#include <stddef.h>
#include <stdint.h>

enum {
  LNN_OK = 0,
  LNN_EIO = 1,      /* open/read/write/rename failed: message names the file */
  LNN_EFORMAT = 2,  /* the bytes are not what the format says: names the file and the field */
  LNN_ENOMEM = 3,   /* an allocation failed */
  LNN_EINVAL = 4    /* an argument is out of range */
};

typedef struct lnn_error {
  int code;
  char msg[512];
} lnn_error;

/* Records code and a printf-style message in e (if e is not NULL); returns code. */
int lnn_error_set(lnn_error *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
