/* lua_rng.c -- lnn.Rng: the seedable generator as a Lua object.  Its state
 * round-trips through a string so checkpoints can carry it.  Never seeded
 * from the clock here: a script that wants that passes os.time() itself. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lua_lnn.h"

static lnn_rng *newrng(lua_State *L) {
  lnn_rng *r = (lnn_rng *)lua_newuserdatauv(L, sizeof(lnn_rng), 0);
  luaL_setmetatable(L, LNN_RNG);
  return r;
}

/* Rng([seed [, stream]]): seed is any integer (default 0) */
static int rng_new(lua_State *L) {
  lua_Integer seed = luaL_optinteger(L, 1, 0), stream = luaL_optinteger(L, 2, 0);
  lnn_rng *r = newrng(L);
  lnn_rng_seed(r, (uint64_t)seed, (uint64_t)stream);
  return 1;
}

static int rng_uniform(lua_State *L) {
  lua_pushnumber(L, lnn_rng_uniform(lnn_lua_checkrng(L, 1)));
  return 1;
}

static int rng_normal(lua_State *L) {
  lnn_rng *r = lnn_lua_checkrng(L, 1);
  lua_Number mean = luaL_optnumber(L, 2, 0.0), sd = luaL_optnumber(L, 3, 1.0);
  lua_pushnumber(L, mean + sd * lnn_rng_normal(r));
  return 1;
}

/* random(n): integer in 1..n, like math.random(n) */
static int rng_random(lua_State *L) {
  lnn_rng *r = lnn_lua_checkrng(L, 1);
  lua_Integer n = luaL_checkinteger(L, 2);
  lnn_lua_argcheck(L, n >= 1 && n <= UINT32_MAX, 2, "n must be 1 to 2^32-1");
  lua_pushinteger(L, (lua_Integer)lnn_rng_below(r, (uint32_t)n) + 1);
  return 1;
}

/* permutation(n): table holding 1..n in the order the engine's shuffle uses */
static int rng_permutation(lua_State *L) {
  lnn_rng *r = lnn_lua_checkrng(L, 1);
  lua_Integer n = luaL_checkinteger(L, 2), i;
  uint32_t *idx;
  lnn_lua_argcheck(L, n >= 0 && n <= (1 << 28), 2, "n must be 0 to 2^28");
  idx = (uint32_t *)lnn_lua_newudata(L, (size_t)n * sizeof *idx + 1, 0);
  lnn_rng_permutation(r, idx, (size_t)n);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushinteger(L, (lua_Integer)idx[i] + 1);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int rng_clone(lua_State *L) {
  lnn_rng *r = lnn_lua_checkrng(L, 1);
  *newrng(L) = *r;
  return 1;
}

/* state(): "pcg32:<state hex>:<inc hex>" */
static int rng_state(lua_State *L) {
  lnn_rng *r = lnn_lua_checkrng(L, 1);
  char buf[64];
  snprintf(buf, sizeof buf, "pcg32:%016" PRIx64 ":%016" PRIx64, r->state, r->inc);
  lua_pushstring(L, buf);
  return 1;
}

static int parse_state(const char *s, lnn_rng *out) {
  uint64_t v[2] = {0, 0};
  int k, i;
  if (strncmp(s, "pcg32:", 6) != 0 || strlen(s) != 6 + 16 + 1 + 16 || s[22] != ':') return 0;
  for (k = 0; k < 2; k++) {
    const char *p = s + 6 + 17 * k;
    for (i = 0; i < 16; i++) {
      int c = p[i], d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else return 0;
      v[k] = (v[k] << 4) | (uint64_t)d;
    }
  }
  if ((v[1] & 1u) == 0) return 0;
  out->state = v[0];
  out->inc = v[1];
  return 1;
}

/* set_state(s): restore what state() returned */
static int rng_set_state(lua_State *L) {
  lnn_rng *r = lnn_lua_checkrng(L, 1);
  const char *s = luaL_checkstring(L, 2);
  if (!parse_state(s, r))
    return lnn_lua_argerror(L, 2, NULL,
                            "rng state expected ('pcg32:<16 hex>:<16 hex>'"
                            " with odd increment), got '%s'",
                            s);
  lua_settop(L, 1);
  return 1;
}

static int rng_tostring(lua_State *L) {
  rng_state(L);
  lua_pushfstring(L, "lnn.Rng(%s)", lua_tostring(L, -1));
  return 1;
}

static const luaL_Reg rng_meta[] = {
    {"uniform", rng_uniform}, {"normal", rng_normal}, {"random", rng_random},
    {"permutation", rng_permutation}, {"clone", rng_clone}, {"state", rng_state},
    {"set_state", rng_set_state}, {"__tostring", rng_tostring}, {NULL, NULL}};

int lnn_lua_open_rng(lua_State *L) {
  luaL_newmetatable(L, LNN_RNG);
  luaL_setfuncs(L, rng_meta, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_pushcfunction(L, rng_new);
  lua_setfield(L, -2, "Rng");
  return 0;
}
