/* fuzz_model.c -- libFuzzer target: any bytes as a saved network, through the
 * very path a user's load takes: lnn.network.load -> lnn.model.load ->
 * lnn.core.read_model (safetensors framing) and json_decode (the header),
 * core.Net and the parameter copy, in a Lua 5.4 state kept across inputs.
 * Built a second time with FUZZ_FACE "lnn.network2" (fuzz_network2): the same
 * through network2.load, i.e. network2.py's JSON files; and a third time with
 * "lnn.network3" (fuzz_network3): layered files, conv-pool and dropout layers;
 * and a fourth with FUZZ_IMPORT (fuzz_import): plain safetensors files through
 * lnn.model.import.
 * A Lua error is a clean rejection; anything the sanitizers see, a crash, or
 * an error that is not a string naming "load" is a finding.  A network that
 * loads is run forward once, so a bad layout cannot hide until first use. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int luaopen_lnn_core(lua_State *L);

static lua_State *L;
static fuzz_file file;

#ifndef FUZZ_FACE
#define FUZZ_FACE "lnn.network"
#endif

#ifdef FUZZ_IMPORT
/* fuzz_import: any bytes as a plain safetensors file for lnn.model.import into
 * a dense network and a conv-pool one.  A refusal must be a string naming
 * "import" and leave the network as it was; a file that reads must fill it
 * with finite values that run forward. */
static const char driver[] =
    "local model, network, network3, core = require 'lnn.model', require 'lnn.network',\n"
    "  require 'lnn.network3', require 'lnn.core'\n"
    "local nets = {network.Network({3, 2, 2}, {seed = 1}),\n"
    "  network3.Network({network3.ConvPoolLayer {image_shape = {1, 1, 6, 6}, filter_shape = {2, 1, 3, 3},\n"
    "    poolsize = {2, 2}, activation_fn = network3.ReLU}, network3.SoftmaxLayer {n_in = 8, n_out = 2}}, 1, {seed = 2})}\n"
    "local inputs = {core.Matrix(3, 1, 0.5), core.Matrix(36, 1, 0.5)}\n"
    "local outs = {2, 2}\n"
    "return function(path)\n"
    "  for k, net in ipairs(nets) do\n"
    "    local before = net:engine():params():copy()\n"
    "    local ok, err = pcall(model.import, net, path)\n"
    "    if not ok then\n"
    "      if type(err) ~= 'string' or not err:find('import', 1, true) then\n"
    "        return 'bad error: ' .. tostring(err)\n"
    "      end\n"
    "      local now = net:engine():params()\n"
    "      for i = 1, now:numel() do\n"
    "        if now[i][1] ~= before[i][1] then return 'a refused file changed the network' end\n"
    "      end\n"
    "    else\n"
    "      local out = net:feedforward(inputs[k])\n"
    "      if out:numel() ~= outs[k] then return 'bad output size' end\n"
    "      net:engine():params():copy_from(before)\n"
    "    end\n"
    "  end\n"
    "  return nil\n"
    "end\n";
#else
static const char driver[] =
    "local network, core = require '" FUZZ_FACE "', require 'lnn.core'\n"
    "return function(path)\n"
    "  local ok, net = pcall(network.load, path)\n"
    "  if not ok then\n"
    "    if type(net) ~= 'string' or not net:find('load', 1, true) then\n"
    "      return 'bad error: ' .. tostring(net)\n"
    "    end\n"
    "    return nil\n"
    "  end\n"
    "  local n_in = net.sizes and net.sizes[1] or net.layers[1].n_in\n"
    "  local n_out = net.sizes and net.sizes[#net.sizes] or net.layers[#net.layers].n_out\n"
    "  local out = net:feedforward(core.Matrix(n_in, 1, 0.5))\n"
    "  if out:numel() ~= n_out then return 'bad output size' end\n"
    "  return nil\n"
    "end\n";
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  L = luaL_newstate();
  luaL_openlibs(L);
  luaL_requiref(L, "lnn.core", luaopen_lnn_core, 0);
  lua_pop(L, 1);
  /* find lnn's Lua files in the source tree this target was built from */
  lua_getglobal(L, "package");
  lua_pushstring(L, LNN_SOURCE_DIR "/lua/?.lua;" LNN_SOURCE_DIR "/lua/?/init.lua");
  lua_setfield(L, -2, "path");
  lua_pop(L, 1);
  if (luaL_loadstring(L, driver) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
    fprintf(stderr, "fuzz_model: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_setglobal(L, "fuzz_load");
  lua_gc(L, LUA_GCCOLLECT);
  lua_gc(L, LUA_GCGEN, 0, 0);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file_put(&file, "model", data, size);
  int top = lua_gettop(L);
  lua_getglobal(L, "fuzz_load");
  lua_pushstring(L, path);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    fprintf(stderr, "fuzz_model: uncaught error: %s\n", lua_tostring(L, -1));
    abort();
  }
  if (!lua_isnil(L, -1)) {
    fprintf(stderr, "fuzz_model: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_settop(L, top);
  /* Free this input's garbage now: libFuzzer counts mallocs and frees per
   * input, reruns every input where they differ and scans for leaks (and
   * after 1000 such inputs stops checking leaks at all).  In generational
   * mode one step is a minor collection, which frees this input's young
   * garbage without marking the modules' whole heap again. */
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}
