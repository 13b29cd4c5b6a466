/* lua_lnn.h -- what the binding files (the only C that includes lua.h) share:
 * type names, checkers, and the few helpers that turn core statuses into Lua
 * errors.  The core never sees a lua_State. */
#ifndef LUA_LNN_H
#define LUA_LNN_H

#include <stdint.h>

#include <lauxlib.h>
#include <lua.h>

#include "data.h"
#include "kernels.h"
#include "lnn.h"
#include "net.h"
#include "rng.h"

#define LNN_MATRIX "lnn.Matrix"
#define LNN_RNG "lnn.Rng"
#define LNN_DATA "lnn.Data"
#define LNN_NET "lnn.Net"
#define LNN_BLOB "lnn.Blob"
/* a userdata whose memory starts with an lnn_reducer (lnn.mpi's communicator) */
#define LNN_REDUCER "lnn.Reducer"

/* A float matrix: one userdata, header then payload (owned), or a view whose
 * owner is the user value.  vec marks a 1-D view (a row): m[k] is a number. */
typedef struct lmatrix {
  int rows, cols;
  int vec;
  float *data;
} lmatrix;

/* Bytes or floats owned by a userdata: the memory under data sets and views. */
/* Payloads that kernels stream (parameters, work buffers) start on a cache
 * line: Lua's allocator only promises 16 bytes, and a 512-bit load that
 * straddles two lines costs twice, so speed would vary from run to run. */
#define LNN_ALIGN 64
static inline void *lnn_align(void *p) {
  return (void *)(((uintptr_t)p + (LNN_ALIGN - 1)) & ~(uintptr_t)(LNN_ALIGN - 1));
}

typedef struct lblob {
  size_t size;
  unsigned char *data;
} lblob;

/* A data set: lnn_data pointing into blobs held as user values 1 (x) and 2 (y).
 * onehot: items give y as a one-hot vector (the book's training data) rather
 * than the class number (its validation and test data). */
typedef struct ldata {
  lnn_data d;
  int onehot;
} ldata;

/* A network: lnn_net whose params point into this userdata's payload; user
 * value 1 is the cached workspace blob, 2 the momentum velocity blob. */
typedef struct lnet {
  lnn_net net;
  const lnn_kernels *K;
} lnet;

/* lua_newuserdatauv for payloads that may be huge: a failed allocation raises
 * "<function>: not enough memory for N MB" naming the running function,
 * instead of Lua's bare "not enough memory". */
void *lnn_lua_newudata(lua_State *L, size_t size, int nuv);
lmatrix *lnn_lua_newmatrix(lua_State *L, int rows, int cols);
lmatrix *lnn_lua_checkmatrix(lua_State *L, int arg);
lmatrix *lnn_lua_pushview(lua_State *L, int owner, float *data, int rows, int cols, int vec);
lblob *lnn_lua_newblob(lua_State *L, size_t size);
ldata *lnn_lua_checkdata(lua_State *L, int arg);
/* A new, zeroed data set holding the blobs at stack indices xi and yi; the caller fills d. */
ldata *lnn_lua_newdata(lua_State *L, int xi, int yi);
lnn_rng *lnn_lua_checkrng(lua_State *L, int arg);
lnet *lnn_lua_checknet(lua_State *L, int arg);

/* A kernel table by name: "naive", "avx2", "avx512" or "best". */
const lnn_kernels *lnn_lua_checkkernels(lua_State *L, int arg);
/* lnn's resource limits, checked by the bindings and listed in core.limits
 * (the command line reports them by name; README documents them). */
#define LNN_LIMIT_LAYER (1 << 24)          /* units (or a convpool's sizes) in one layer */
#define LNN_LIMIT_BATCH (1 << 20)          /* items in one mini-batch */
#define LNN_LIMIT_THREADS 256              /* core.threads (at most LNN_MAX_THREADS run) */
#define LNN_LIMIT_PARAMS ((size_t)1 << 30) /* parameters of a network a model file holds */

/* Opens path for reading (fileio.h: one descriptor, one snapshot) in a new
 * userdata pushed on the stack, whose __gc closes it; a failure raises,
 * prefixed by fname.  Close it with lnn_rfile_close when done. */
struct lnn_rfile;
struct lnn_rfile *lnn_lua_openfile(lua_State *L, const char *path, const char *fname);
/* Raises a Lua error with the core's message, prefixed by the function name. */
int lnn_lua_fail(lua_State *L, const char *fname, const lnn_error *e);
/* Raises "unknown option 'x' to 'f'" if the table at arg has a key not in names. */
void lnn_lua_checkoptions(lua_State *L, int arg, const char *fname, const char *const names[]);
/* Number field of an options table, or def when absent; errors name the option. */
lua_Number lnn_lua_optnumfield(lua_State *L, int arg, const char *fname, const char *key,
                               lua_Number def);
lua_Integer lnn_lua_optintfield(lua_State *L, int arg, const char *fname, const char *key,
                                lua_Integer def);

void lnn_lua_open_matrix(lua_State *L);
void lnn_lua_open_rng(lua_State *L);
void lnn_lua_open_data(lua_State *L);
void lnn_lua_open_net(lua_State *L);
void lnn_lua_open_io(lua_State *L);
void lnn_lua_open_tools(lua_State *L);

#endif
