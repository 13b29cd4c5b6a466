/* lua_lnn.h -- what the binding files (the only C that includes lua.h) share:
 * type names, checkers, and the few helpers that turn core statuses into Lua
 * errors (all in lua_util.c), and each file's part of the module table
 * (lua_core.c assembles them).  The core never sees a lua_State. */
#ifndef LUA_LNN_H
#define LUA_LNN_H

#include <math.h>
#include <stdint.h>

#include <lauxlib.h>
#include <lua.h>

#include "base/limits.h"
#include "base/lnn.h"
#include "engine/data.h"
#include "engine/kernels.h"
#include "engine/net.h"
#include "engine/rng.h"

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
  int busy; /* a call is using the workspace or the parameters (lnn_lua_exclusive) */
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
/* lnn's thread count (core.threads): what training, evaluation and the
 * one-vs-one SVM share their work over; results never depend on it */
int lnn_lua_threads(lua_State *L);

/* Opens path for reading (fileio.h: one descriptor, one snapshot) in a new
 * userdata pushed on the stack, whose __gc closes it; a failure raises,
 * prefixed by fname.  Close it with lnn_rfile_close when done. */
struct lnn_rfile;
struct lnn_rfile *lnn_lua_openfile(lua_State *L, const char *path, const char *fname);

/* Errors name the public function.
 *
 * A binding names itself: fname is its public name ("update", "Net"), and
 * arg the argument's number as its user counts it; or fname is NULL in
 * lnn_lua_argerror/typeerror, arg the stack index, and luaL_argerror names
 * the function as the call did (a method call net:f(x) not counting self).
 * Without call_as, the messages are Lua's own:
 *   "bad argument #2 to 'Data' (label 1 must be an integer 0..9)"
 *   "bad option 'mu' to 'update' (number in [0, 1) expected)"
 *   "load_idx: x.gz: not an IDX file"
 *
 * A face reports for its own public function by calling the binding through
 *   core.call_as(name, argn, f, ...)  -> f(...)
 * where f is a function of lnn.core, name the face's function and argn (an
 * integer, or nil) the face's argument the whole call stands for.  While f
 * runs (and only f: not what f calls), every error raised through the helpers
 * below names name instead of f, and an argument error names argument argn
 * (nil: the number f gives), so a face never parses this text:
 *   core.call_as("update_mini_batch", 1, core.Data, xs, ys)
 *     -> "bad argument #1 to 'update_mini_batch' (label 1 must be ...)"
 * lauxlib's own checks (luaL_checkinteger, ...) called by f still name f: a
 * face checks the types of what it passes before the call. */
/* "bad argument #arg to 'fname' (fmt...)" */
int lnn_lua_argerror(lua_State *L, int arg, const char *fname, const char *fmt, ...);
/* lnn_lua_argerror(L, arg, NULL, fmt...) unless cond */
#define lnn_lua_argcheck(L, cond, arg, ...) \
  ((void)((cond) || lnn_lua_argerror((L), (arg), NULL, __VA_ARGS__)))
/* "bad argument #arg to 'fname' (tname expected, got <type or __name>)" */
int lnn_lua_typeerror(lua_State *L, int arg, const char *fname, const char *tname);
/* "fname: fmt..." */
int lnn_lua_error(lua_State *L, const char *fname, const char *fmt, ...);
/* "bad option 'key' to 'fname' (fmt...)" */
int lnn_lua_opterror(lua_State *L, const char *fname, const char *key, const char *fmt, ...);
/* The name errors give the running binding: call_as's name, else fname. */
const char *lnn_lua_fname(lua_State *L, const char *fname);
/* "fname: <the core's message>" */
int lnn_lua_fail(lua_State *L, const char *fname, const lnn_error *e);
/* Raises "unknown option 'x' to 'f'" if the table at arg has a key not in names. */
void lnn_lua_checkoptions(lua_State *L, int arg, const char *fname, const char *const names[]);
/* Number field of an options table, or def when absent; errors name the option. */
lua_Number lnn_lua_optnumfield(lua_State *L, int arg, const char *fname, const char *key,
                               lua_Number def);
lua_Integer lnn_lua_optintfield(lua_State *L, int arg, const char *fname, const char *key,
                                lua_Integer def);

/* Re-entrancy.  Lua code can run in the middle of a binding: a __gc
 * finalizer during any allocation, an __index metamethod while an options
 * table is read, a callback.  lnn_lua_exclusive(L, busy, fname, body) runs
 * body(L) on the running binding's arguments (at the same indices) with
 * *busy set, and clears it however body ends (body runs in a protected call;
 * its error is raised again).  While *busy is set, a second call refuses
 * with "fname: the network is busy in another call (...)".  Check the
 * arguments' types before (their errors name the function as usual); body's
 * errors through the helpers above keep the binding's name and position.
 * Returns the number of body's results. */
int lnn_lua_exclusive(lua_State *L, int *busy, const char *fname, lua_CFunction body);
/* The error a busy call raises, for a binding that only reads. */
int lnn_lua_busyerror(lua_State *L, const char *fname);

/* Whether a number survives its conversion to float32: NaN and the
 * infinities pass as themselves, a finite v must stay finite (1e39 does not). */
static inline int lnn_lua_fitsfloat(lua_Number v) { return !isfinite(v) || isfinite((float)v); }

/* The parts of lnn.core: each adds its functions and metatables to the
 * module table given as argument 1 (lua_core.c calls them in turn). */
int lnn_lua_open_matrix(lua_State *L);
int lnn_lua_open_rng(lua_State *L);
int lnn_lua_open_data(lua_State *L);
int lnn_lua_open_net(lua_State *L);
int lnn_lua_open_io(lua_State *L);
int lnn_lua_open_signals(lua_State *L);
int lnn_lua_open_tools(lua_State *L);
int lnn_lua_open_sys(lua_State *L);
/* call_as (above), and type(v): "lnn.Matrix", "lnn.Data", "lnn.Rng" or
 * "lnn.Net" when v is one by its metatable (luaL_testudata), else nil: the
 * one type test the Lua modules use (never tostring or a method's presence) */
int lnn_lua_open_util(lua_State *L);

#endif
