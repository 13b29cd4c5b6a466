/* lua_mpi.c -- lnn.mpi: the few MPI calls data-parallel training needs, over
 * MPI_COMM_WORLD of a real MPI (built only when CMake finds one).  A
 * communicator is an lnn.Reducer: train_epoch's `reducer` option sums each
 * mini-batch's gradient block with MPI_Allreduce inside the C epoch loop.
 * It does not spawn processes, split communicators or recover from a lost
 * rank: mpirun starts the job, and a rank that dies ends it (MPI's default
 * errors-are-fatal handler stays in place). */
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lua_lnn.h"

int luaopen_lnn_mpi(lua_State *L);

/* The communicator userdata: the reducer first (train_epoch reads it as an
 * lnn_reducer), then what only this file uses. */
typedef struct lcomm {
  lnn_reducer red;
  MPI_Comm comm;
  double delay; /* seconds added to every sum: LNN_TEST_NET_DELAY_US, a stand-in for a network */
  /* the parts of a nonblocking tree sum in flight (comm_start .. comm_finish) */
  int nparts;
  MPI_Request req[LNN_LIMIT_LAYERS];
  float *part[LNN_LIMIT_LAYERS]; /* where each part's sum goes */
  float *all[LNN_LIMIT_LAYERS];  /* more than 2 ranks: each part's gathered blocks (malloc) */
  size_t n[LNN_LIMIT_LAYERS];
  double ready;                  /* the delay hook: no part completes before this time */
} lcomm;

/* Whether MPI is usable now: initialized (by us or the host) and not finalized. */
static int mpi_live(void) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

/* This module is loaded apart from lnn.core (RTLD_LOCAL), so it calls none
 * of core's functions: it shares only the types of lua_lnn.h, and compiles
 * its own copy of engine/reduce.c (the tree of comm_tree). */
static void *scratch(lua_State *L, size_t bytes) {
  return lua_newuserdatauv(L, bytes ? bytes : 1, 0);
}

static double seconds_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int comm_sum(void *ctx, float *buf, size_t n, lnn_error *err) {
  const lcomm *c = (const lcomm *)ctx;
  if (!mpi_live()) {
    err->code = LNN_EINVAL;
    snprintf(err->msg, sizeof err->msg, "MPI is finalized");
    return LNN_EINVAL;
  }
  if (c->delay > 0.0) { /* the test hook: wait as a message on a slower network would (MPI polls too) */
    const double until = seconds_now() + c->delay;
    while (seconds_now() < until) {
    }
  }
  while (n > 0) { /* MPI counts are ints */
    int k = n > (size_t)INT_MAX ? INT_MAX : (int)n;
    MPI_Allreduce(MPI_IN_PLACE, buf, k, MPI_FLOAT, MPI_SUM, c->comm);
    buf += k;
    n -= (size_t)k;
  }
  return LNN_OK;
}

/* The reducer's tree: lnn_reduce_tree's order over the ranks.  Two ranks:
 * MPI_Allreduce (one addition per element, the same bits in any order).  More:
 * every rank's block gathered on every rank (P times the bytes of a sum) and
 * added in the tree here, so no rank depends on the order MPI would pick. */
static int comm_tree(void *ctx, float *buf, size_t n, lnn_error *err) {
  const lcomm *c = (const lcomm *)ctx;
  const int P = c->red.size;
  float *all, **rows;
  int i;
  if (P <= 2 || n == 0) return comm_sum(ctx, buf, n, err);
  if (!mpi_live() || n > (size_t)INT_MAX || (size_t)P > ((size_t)-1 / sizeof(float)) / n) {
    err->code = LNN_EINVAL;
    snprintf(err->msg, sizeof err->msg, !mpi_live() ? "MPI is finalized"
             : "a tree sum of %zu floats over %d ranks is too large", n, P);
    return LNN_EINVAL;
  }
  all = (float *)malloc((size_t)P * n * sizeof(float));
  rows = (float **)malloc((size_t)P * sizeof *rows);
  if (all == NULL || rows == NULL) {
    free(all);
    free(rows);
    err->code = LNN_ENOMEM;
    snprintf(err->msg, sizeof err->msg, "out of memory for a tree sum over %d ranks", P);
    return LNN_ENOMEM;
  }
  if (c->delay > 0.0) {
    const double until = seconds_now() + c->delay;
    while (seconds_now() < until) {
    }
  }
  MPI_Allgather(buf, (int)n, MPI_FLOAT, all, (int)n, MPI_FLOAT, c->comm);
  for (i = 0; i < P; i++) rows[i] = all + (size_t)i * n;
  lnn_reduce_tree(rows, P, 0, n);
  memcpy(buf, rows[0], n * sizeof(float));
  free(all);
  free(rows);
  return LNN_OK;
}

/* The nonblocking tree (lnn_reducer's start, poke, finish): two ranks
 * MPI_Iallreduce, more MPI_Iallgather then the tree at the finish, as
 * comm_tree.  The delay hook makes a part complete no sooner than the delay
 * after it started, while this rank computes on: as a slower network's latency
 * would (the parts' latencies overlap one another and the backward pass). */
static int comm_start(void *ctx, float *buf, size_t n, lnn_error *err) {
  lcomm *c = (lcomm *)ctx;
  const int P = c->red.size, i = c->nparts;
  if (!mpi_live() || i >= LNN_LIMIT_LAYERS || n > (size_t)INT_MAX ||
      (size_t)P > ((size_t)-1 / sizeof(float)) / (n ? n : 1)) {
    err->code = LNN_EINVAL;
    snprintf(err->msg, sizeof err->msg, !mpi_live() ? "MPI is finalized"
             : "a nonblocking sum of %zu floats in part %d is out of range", n, i + 1);
    return LNN_EINVAL;
  }
  c->part[i] = buf;
  c->n[i] = n;
  c->all[i] = NULL;
  if (P <= 2) {
    MPI_Iallreduce(MPI_IN_PLACE, buf, (int)n, MPI_FLOAT, MPI_SUM, c->comm, &c->req[i]);
  } else {
    c->all[i] = (float *)malloc((size_t)P * (n ? n : 1) * sizeof(float));
    if (c->all[i] == NULL) {
      err->code = LNN_ENOMEM;
      snprintf(err->msg, sizeof err->msg, "out of memory for a tree sum over %d ranks", P);
      return LNN_ENOMEM;
    }
    MPI_Iallgather(buf, (int)n, MPI_FLOAT, c->all[i], (int)n, MPI_FLOAT, c->comm, &c->req[i]);
  }
  c->nparts = i + 1;
  if (c->delay > 0.0) c->ready = seconds_now() + c->delay;
  return LNN_OK;
}

static void comm_poke(void *ctx) {
  lcomm *c = (lcomm *)ctx;
  int done;
  if (c->nparts > 0) MPI_Testall(c->nparts, c->req, &done, MPI_STATUSES_IGNORE);
}

static int comm_finish(void *ctx, lnn_error *err) {
  lcomm *c = (lcomm *)ctx;
  const int P = c->red.size;
  float *rows[64], **row = rows;
  int i, j;
  if (c->nparts == 0) return LNN_OK;
  if (c->delay > 0.0)
    while (seconds_now() < c->ready) {
    }
  MPI_Waitall(c->nparts, c->req, MPI_STATUSES_IGNORE);
  if (P > 2 && P > 64 && (row = (float **)malloc((size_t)P * sizeof *row)) == NULL) {
    for (i = 0; i < c->nparts; i++) free(c->all[i]);
    c->nparts = 0;
    err->code = LNN_ENOMEM;
    snprintf(err->msg, sizeof err->msg, "out of memory for a tree sum over %d ranks", P);
    return LNN_ENOMEM;
  }
  for (i = 0; i < c->nparts; i++) {
    if (c->all[i] == NULL) continue;
    for (j = 0; j < P; j++) row[j] = c->all[i] + (size_t)j * c->n[i];
    lnn_reduce_tree(row, P, 0, c->n[i]);
    memcpy(c->part[i], row[0], c->n[i] * sizeof(float));
    free(c->all[i]);
  }
  if (row != rows) free(row);
  c->nparts = 0;
  return LNN_OK;
}

static lcomm *checkcomm(lua_State *L, const char *fname) {
  lcomm *c = (lcomm *)luaL_checkudata(L, 1, LNN_REDUCER);
  if (!mpi_live()) luaL_error(L, "%s: MPI is finalized", fname);
  return c;
}

/* --- the module state: upvalue 1 of every module function ------------------ */

/* owned = 1 when this module called MPI_Init (and so finalizes it); done is a
 * communicator of its own for the exit barrier, apart from the work's. */
typedef struct lstate {
  int owned;
  MPI_Comm done;
} lstate;

/* Seconds a finishing rank waits for the others before it ends the job. */
static double exit_timeout(void) {
  const char *s = getenv("LNN_MPI_EXIT_TIMEOUT");
  double t = s ? atof(s) : 0.0;
  return t > 0.0 ? t : 120.0;
}

/* Finalizes MPI once every rank got here.  A rank that ends while another is
 * stopped by an error would wait in MPI_Finalize for ever (that one may sit
 * in an all-reduce waiting for it): the ranks first meet in a barrier of
 * their own, polled until exit_timeout(), and the job is aborted when it
 * does not complete. */
static void finish(lstate *st) {
  if (st->owned && mpi_live()) {
    MPI_Request req;
    int flag = 0, rank = 0;
    double limit = exit_timeout(), t0 = MPI_Wtime();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Ibarrier(st->done, &req);
    for (;;) {
      MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
      if (flag) break;
      if (MPI_Wtime() - t0 > limit) {
        fprintf(stderr, "lnn.mpi: rank %d finished, but other ranks did not within %.0f s "
                "(stopped by an error?); ending the job\n", rank, limit);
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
      {
        struct timespec ts = {0, 2000000}; /* 2 ms: do not spin a core the others need */
        nanosleep(&ts, NULL);
      }
    }
    MPI_Comm_free(&st->done);
    MPI_Finalize();
  }
  st->owned = 0;
}

static int state_gc(lua_State *L) {
  finish((lstate *)lua_touserdata(L, 1));
  return 0;
}

/* init(): MPI_Init once (later calls return the same communicator) and the
 * world communicator.  MPI is finalized by finalize(), by closing the
 * communicator (`local comm <close> = mpi.init()`: closed by an error, it
 * aborts the whole job at once), or when the Lua state closes. */
static int mpi_init(lua_State *L) {
  lstate *st = (lstate *)lua_touserdata(L, lua_upvalueindex(1));
  lcomm *c;
  int init = 0, fin = 0, rank, size;
  MPI_Finalized(&fin);
  if (fin) return luaL_error(L, "init: MPI was finalized and cannot start again");
  if (lua_getiuservalue(L, lua_upvalueindex(1), 1) == LUA_TUSERDATA) return 1;
  lua_pop(L, 1);
  MPI_Initialized(&init);
  if (!init) {
    int provided;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
      return luaL_error(L, "init: MPI_Init failed");
    MPI_Comm_dup(MPI_COMM_WORLD, &st->done);
    st->owned = 1;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  c = (lcomm *)lua_newuserdatauv(L, sizeof *c, 1);
  c->comm = MPI_COMM_WORLD;
  {
    const char *d = getenv("LNN_TEST_NET_DELAY_US");
    c->delay = d != NULL && atof(d) > 0.0 ? atof(d) * 1e-6 : 0.0;
  }
  c->red.sum = comm_sum;
  c->red.tree = comm_tree;
  c->red.start = comm_start;
  c->red.poke = comm_poke;
  c->red.finish = comm_finish;
  c->nparts = 0;
  c->ready = 0.0;
  c->red.ctx = c;
  c->red.rank = rank;
  c->red.size = size;
  luaL_setmetatable(L, LNN_REDUCER);
  lua_pushvalue(L, lua_upvalueindex(1)); /* __close finds the state here */
  lua_setiuservalue(L, -2, 1);
  lua_pushvalue(L, -1);
  lua_setiuservalue(L, lua_upvalueindex(1), 1);
  return 1;
}

/* initialized(): whether MPI is running (initialized and not finalized). */
static int mpi_initialized(lua_State *L) {
  lua_pushboolean(L, mpi_live());
  return 1;
}

/* finalize(): MPI_Finalize once every rank calls it (a no-op when MPI is not
 * running). */
static int mpi_finalize(lua_State *L) {
  finish((lstate *)lua_touserdata(L, lua_upvalueindex(1)));
  return 0;
}

/* --- communicator methods ------------------------------------------------- */

static int comm_rank(lua_State *L) {
  lua_pushinteger(L, checkcomm(L, "rank")->red.rank);
  return 1;
}

static int comm_size(lua_State *L) {
  lua_pushinteger(L, checkcomm(L, "size")->red.size);
  return 1;
}

static int comm_barrier(lua_State *L) {
  MPI_Barrier(checkcomm(L, "barrier")->comm);
  return 0;
}

/* __close(comm, err): a normal end finalizes MPI; an error ends the whole
 * job now with it (the other ranks may be waiting for this one in an
 * all-reduce, and would otherwise wait for ever). */
static int comm_close(lua_State *L) {
  lcomm *c = (lcomm *)luaL_checkudata(L, 1, LNN_REDUCER);
  lstate *st;
  if (!lua_isnil(L, 2) && mpi_live()) {
    const char *msg = luaL_tolstring(L, 2, NULL);
    fprintf(stderr, "lnn.mpi: rank %d stopped: %s\n", c->red.rank, msg);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  lua_getiuservalue(L, 1, 1);
  st = (lstate *)lua_touserdata(L, -1);
  if (st != NULL) finish(st);
  return 0;
}

static int comm_tostring(lua_State *L) {
  lcomm *c = (lcomm *)luaL_checkudata(L, 1, LNN_REDUCER);
  lua_pushfstring(L, "lnn.mpi communicator (rank %d of %d)", c->red.rank, c->red.size);
  return 1;
}

/* The floats (or bytes) of an lnn.Net's parameter block, lnn.Matrix or lnn.Rng at arg. */
typedef struct block {
  void *p;
  size_t bytes;
  const char *what;
} block;

static int get_block(lua_State *L, int arg, block *b) {
  lnet *u;
  lmatrix *m;
  lnn_rng *r;
  if ((u = (lnet *)luaL_testudata(L, arg, LNN_NET)) != NULL) {
    b->p = u->net.params;
    b->bytes = u->net.nparams * sizeof(float);
    b->what = "parameters";
  } else if ((m = (lmatrix *)luaL_testudata(L, arg, LNN_MATRIX)) != NULL) {
    b->p = m->data;
    b->bytes = (size_t)m->rows * (size_t)m->cols * sizeof(float);
    b->what = "matrices";
  } else if ((r = (lnn_rng *)luaL_testudata(L, arg, LNN_RNG)) != NULL) {
    b->p = r;
    b->bytes = sizeof *r;
    b->what = "generator states";
  } else {
    return 0;
  }
  return 1;
}

/* bytes in chunks MPI's int counts can hold */
static void bcast_bytes(void *p, size_t n, int root, MPI_Comm comm) {
  unsigned char *q = (unsigned char *)p;
  while (n > 0) {
    int k = n > (size_t)INT_MAX ? INT_MAX : (int)n;
    MPI_Bcast(q, k, MPI_BYTE, root, comm);
    q += k;
    n -= (size_t)k;
  }
}

/* Raises the same error on every rank when any rank's sizes disagree. */
static void agree(lua_State *L, lcomm *c, const char *fname, const char *what,
                  unsigned long long mine) {
  unsigned long long lo = 0, hi = 0;
  MPI_Allreduce(&mine, &lo, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, c->comm);
  MPI_Allreduce(&mine, &hi, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, c->comm);
  if (lo != hi) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: the %s differ in size across ranks (%llu to %llu bytes)",
             fname, what, lo, hi);
    luaL_error(L, "%s", msg);
  }
}

static int root_arg(lua_State *L, int arg, const lcomm *c, const char *fname) {
  lua_Integer root = luaL_optinteger(L, arg, 0);
  if (root < 0 || root >= c->red.size)
    luaL_error(L, "bad argument #%d to '%s' (rank 0 to %d expected, got %d)", arg - 1, fname,
               c->red.size - 1, (int)root);
  return (int)root;
}

/* broadcast(x [, root = 0]): x on every rank becomes root's.  x is an
 * lnn.Net (its parameter block), lnn.Matrix or lnn.Rng, changed in place and
 * returned (the same kind and size on every rank); or, on the root, a number,
 * string, boolean or nil, whose value every rank returns (the others' x is
 * ignored). */
static int comm_broadcast(lua_State *L) {
  lcomm *c = checkcomm(L, "broadcast");
  int root = root_arg(L, 3, c, "broadcast");
  block b;
  if (get_block(L, 2, &b)) {
    agree(L, c, "broadcast", b.what, b.bytes);
    bcast_bytes(b.p, b.bytes, root, c->comm);
    lua_settop(L, 2);
    return 1;
  }
  {
    /* a scalar: type tag then payload */
    int t = lua_type(L, 2);
    unsigned long long len = 0;
    size_t sl = 0;
    const char *s = NULL;
    lua_Number num = 0;
    int isint = 0;
    lua_Integer ival = 0;
    if (c->red.rank == root) {
      /* only the root's value counts: the others may pass anything (nil) */
      if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN && t != LUA_TNIL)
        return luaL_error(L, "bad argument #1 to 'broadcast' (lnn.Net, lnn.Matrix, lnn.Rng, "
                          "number, string, boolean or nil expected, got %s)", luaL_typename(L, 2));
      if (t == LUA_TSTRING) s = lua_tolstring(L, 2, &sl);
      if (t == LUA_TNUMBER) {
        isint = lua_isinteger(L, 2);
        if (isint) ival = lua_tointeger(L, 2); else num = lua_tonumber(L, 2);
      }
      if (t == LUA_TBOOLEAN) ival = lua_toboolean(L, 2);
      len = sl;
    }
    {
      long long head[3];
      head[0] = t;
      head[1] = isint;
      head[2] = (long long)len;
      MPI_Bcast(head, 3, MPI_LONG_LONG, root, c->comm);
      t = (int)head[0];
      isint = (int)head[1];
      len = (unsigned long long)head[2];
    }
    switch (t) {
      case LUA_TNUMBER:
        MPI_Bcast(&ival, (int)sizeof ival, MPI_BYTE, root, c->comm);
        MPI_Bcast(&num, (int)sizeof num, MPI_BYTE, root, c->comm);
        if (isint) lua_pushinteger(L, ival); else lua_pushnumber(L, num);
        return 1;
      case LUA_TBOOLEAN:
        MPI_Bcast(&ival, (int)sizeof ival, MPI_BYTE, root, c->comm);
        lua_pushboolean(L, (int)ival);
        return 1;
      case LUA_TSTRING: {
        luaL_Buffer buf;
        char *p = luaL_buffinitsize(L, &buf, (size_t)len);
        if (c->red.rank == root) memcpy(p, s, (size_t)len);
        bcast_bytes(p, (size_t)len, root, c->comm);
        luaL_pushresultsize(&buf, (size_t)len);
        return 1;
      }
      default: lua_pushnil(L); return 1;
    }
  }
}

/* FNV-1a, 64 bits, over the block's bytes */
static unsigned long long fnv1a(const void *p, size_t n) {
  const unsigned char *q = (const unsigned char *)p;
  unsigned long long h = 14695981039346656037ULL;
  size_t i;
  for (i = 0; i < n; i++) {
    h ^= q[i];
    h *= 1099511628211ULL;
  }
  return h;
}

/* same(x [, what]): checks that x (lnn.Net parameters, lnn.Matrix or
 * lnn.Rng) is bit-identical on every rank, by a 64-bit checksum of its bytes
 * gathered from all ranks; returns the checksum as 16 hex digits, or raises
 * the same error on every rank naming what differs ("parameters differ across
 * ranks after epoch 3: rank 0 ..., rank 1 ..."). */
static int comm_same(lua_State *L) {
  lcomm *c = checkcomm(L, "same");
  const char *what = luaL_optstring(L, 3, NULL);
  unsigned long long h, *all;
  block b;
  int i, differ = 0;
  if (!get_block(L, 2, &b))
    return luaL_error(L, "bad argument #1 to 'same' (lnn.Net, lnn.Matrix or lnn.Rng expected, "
                      "got %s)", luaL_typename(L, 2));
  h = fnv1a(b.p, b.bytes);
  agree(L, c, "same", b.what, b.bytes);
  all = (unsigned long long *)scratch(L, (size_t)c->red.size * sizeof h);
  MPI_Allgather(&h, 1, MPI_UNSIGNED_LONG_LONG, all, 1, MPI_UNSIGNED_LONG_LONG, c->comm);
  for (i = 1; i < c->red.size; i++) differ |= all[i] != all[0];
  if (differ) {
    luaL_Buffer buf;
    luaL_buffinit(L, &buf);
    lua_pushfstring(L, "same: %s differ across ranks%s%s:", b.what, what ? " " : "",
                    what ? what : "");
    luaL_addvalue(&buf);
    for (i = 0; i < c->red.size && i < 16; i++) {
      char line[64];
      snprintf(line, sizeof line, "%s rank %d %016llx", i ? "," : "", i, all[i]);
      luaL_addstring(&buf, line);
    }
    luaL_pushresult(&buf);
    return lua_error(L);
  }
  {
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", h);
    lua_pushstring(L, hex);
  }
  return 1;
}

/* sum(x): a number's sum over the ranks (returned), or an lnn.Matrix summed
 * element-wise in place (returned). */
static int comm_allsum(lua_State *L) {
  lcomm *c = checkcomm(L, "sum");
  lmatrix *m = (lmatrix *)luaL_testudata(L, 2, LNN_MATRIX);
  if (m != NULL) {
    lnn_error e = {0, ""};
    size_t n = (size_t)m->rows * (size_t)m->cols;
    agree(L, c, "sum", "matrices", n * sizeof(float));
    comm_sum(c, m->data, n, &e);
    lua_settop(L, 2);
    return 1;
  }
  if (lua_type(L, 2) == LUA_TNUMBER) {
    int isint = lua_isinteger(L, 2), all = 0;
    MPI_Allreduce(&isint, &all, 1, MPI_INT, MPI_MIN, c->comm);
    if (all) {
      long long v = (long long)lua_tointeger(L, 2), s = 0;
      MPI_Allreduce(&v, &s, 1, MPI_LONG_LONG, MPI_SUM, c->comm);
      lua_pushinteger(L, (lua_Integer)s);
    } else {
      double v = (double)lua_tonumber(L, 2), s = 0;
      MPI_Allreduce(&v, &s, 1, MPI_DOUBLE, MPI_SUM, c->comm);
      lua_pushnumber(L, (lua_Number)s);
    }
    return 1;
  }
  return luaL_error(L, "bad argument #1 to 'sum' (number or lnn.Matrix expected, got %s)",
                    luaL_typename(L, 2));
}

/* gather(s): every rank's string s, as a list indexed by rank + 1, on every rank. */
static int comm_gather(lua_State *L) {
  lcomm *c = checkcomm(L, "gather");
  size_t len, total = 0;
  const char *s = luaL_checklstring(L, 2, &len);
  int i, P = c->red.size, *lens, *offs, mine;
  char *all;
  if (len > (size_t)INT_MAX / (size_t)P)
    return luaL_error(L, "bad argument #1 to 'gather' (string of at most %d bytes expected, "
                      "got %d)", INT_MAX / P, (int)(len > INT_MAX ? INT_MAX : len));
  mine = (int)len;
  lens = (int *)scratch(L, 2 * (size_t)P * sizeof(int));
  offs = lens + P;
  MPI_Allgather(&mine, 1, MPI_INT, lens, 1, MPI_INT, c->comm);
  for (i = 0; i < P; i++) {
    if (total + (size_t)lens[i] > (size_t)INT_MAX)
      return luaL_error(L, "gather: more than %d bytes in all", INT_MAX);
    offs[i] = (int)total;
    total += (size_t)lens[i];
  }
  all = (char *)scratch(L, total);
  MPI_Allgatherv(s, mine, MPI_CHAR, all, lens, offs, MPI_CHAR, c->comm);
  lua_createtable(L, P, 0);
  for (i = 0; i < P; i++) {
    lua_pushlstring(L, all + offs[i], (size_t)lens[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* abort(message [, code = 1]): writes message to stderr and ends every rank
 * of the job now (MPI_Abort). */
static int comm_abort(lua_State *L) {
  lcomm *c = checkcomm(L, "abort");
  const char *msg = luaL_checkstring(L, 2);
  int code = (int)luaL_optinteger(L, 3, 1);
  fprintf(stderr, "%s\n", msg);
  fflush(stderr);
  MPI_Abort(c->comm, code);
  return 0;
}

int luaopen_lnn_mpi(lua_State *L) {
  static const luaL_Reg methods[] = {
      {"rank", comm_rank},     {"size", comm_size},   {"barrier", comm_barrier},
      {"broadcast", comm_broadcast}, {"same", comm_same}, {"sum", comm_allsum},
      {"gather", comm_gather}, {"abort", comm_abort}, {NULL, NULL}};
  static const luaL_Reg funcs[] = {{"init", mpi_init},
                                   {"initialized", mpi_initialized},
                                   {"finalize", mpi_finalize},
                                   {NULL, NULL}};
  lstate *st;
  if (luaL_newmetatable(L, LNN_REDUCER)) {
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, comm_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, comm_close);
    lua_setfield(L, -2, "__close");
  }
  lua_pop(L, 1);
  lua_newtable(L);
  st = (lstate *)lua_newuserdatauv(L, sizeof *st, 1);
  st->owned = 0;
  st->done = MPI_COMM_NULL;
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, state_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  luaL_setfuncs(L, funcs, 1);
  {
    int major = 0, minor = 0;
    MPI_Get_version(&major, &minor);
    lua_pushfstring(L, "MPI %d.%d", major, minor);
    lua_setfield(L, -2, "version");
  }
  return 1;
}
