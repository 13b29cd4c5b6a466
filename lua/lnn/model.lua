--- lnn.model: saving and loading any lnn network in one documented format,
-- safetensors (https://huggingface.co/docs/safetensors): 8-byte little-endian
-- header length, JSON header, raw float32 data.  numpy and PyTorch read it.
-- The header's "__metadata__" (strings only, as the format requires) holds:
--   format = "lnn", version = "1", face = "network" | "network3" | ...,
--   layout = JSON {"cost": "quadratic" | "cross-entropy" | "log-likelihood",
--                  "layers": [one object per engine layer, in order]}, where a layer is
--     {"kind":"dense", "n_in":N, "n_out":N, "activation":A}
--     {"kind":"convpool", "image":[c,h,w], "filters":[f,c,kh,kw], "pool":[ph,pw], "activation":A}
--     {"kind":"dropout", "n_in":N, "p":P}
--   and A is "linear", "sigmoid", "tanh", "relu" or "softmax";
--   plus whatever the face adds (epoch = "N", rng = "pcg32:..", mini_batch_size, ...).
-- One tensor per parameter, named by the engine layer L (1-based; dropout
-- layers have none): "layers.L.weight" [n_out, n_in] (dense) or [f, c, kh, kw]
-- (convpool: PyTorch's Conv2d layout; the convolution is a cross-correlation,
-- as Conv2d's, no filter flip), "layers.L.bias" [n_out] or [f].
-- Files of version 1 written before conv layers existed hold only dense layers
-- and read unchanged.  import and export read and write plain safetensors
-- files (no lnn metadata: a PyTorch state_dict saved with safetensors) whose
-- tensors match a network's layers.  This module does not know the book's
-- faces (a face's network is accepted for its engine, net:engine() or net._net).
-- @module lnn.model
local core = require "lnn.core"
local args = require "lnn.args"
local json = require "lnn.json"

local model = {}

-- the layer fields that describe the architecture (not the offsets)
local ARCH = {dense = {"n_in", "n_out", "activation"},
              convpool = {"image", "filters", "pool", "activation"},
              dropout = {"n_in", "p"}}

local function is_net(net) return core.type(net) == "lnn.Net" end

-- the engine of net: a core network, or a face's network holding one
local function engine_of(net)
  if is_net(net) then return net end
  if type(net) == "table" then
    local ok, e = pcall(function() return type(net.engine) == "function" and net:engine() or rawget(net, "_net") end)
    if ok and is_net(e) then return e end
  end
  return nil
end

--- layout_of(net): the layout a file holds for core network net (cost and
--- layer list, architecture fields only), and net:layout() itself.
local function layout_of(net)
  if not is_net(net) then
    args.fail("layout_of", 1, "lnn.Net expected, got " .. type(net))
  end
  local lay = net:layout()
  local layers = {}
  for i, l in ipairs(lay.layers) do
    local t = {kind = l.kind}
    for _, k in ipairs(ARCH[l.kind]) do t[k] = l[k] end
    layers[i] = t
  end
  return {cost = lay.cost, layers = layers}, lay
end
model.layout_of = layout_of

-- the tensors of engine layer l: {name, offset, shape} for weight and bias
local function tensors_of(i, l)
  if l.nweights == 0 then return {} end
  local wshape = l.kind == "convpool" and l.filters or {l.n_out, l.n_in}
  return {{("layers.%d.weight"):format(i), l.weights, wshape},
          {("layers.%d.bias"):format(i), l.biases, {l.nbiases}}}
end

-- the first tensor of net's parameter block params holding a NaN or an
-- infinity (its sum in double is then not finite; finite floats cannot overflow it),
-- as "layer L weight"/"layer L bias", or nil
local function nonfinite(params, layers)
  for i, l in ipairs(layers) do
    for _, t in ipairs(tensors_of(i, l)) do
      local count = 1
      for _, d in ipairs(t[3]) do count = count * d end
      local s = params:view(t[2] + 1, count, 1):sum()
      if s ~= s or s == math.huge or s == -math.huge then
        return t[1], ("layer %d %s"):format(i, t[1]:match("[^.]+$"))
      end
    end
  end
end

-- the safetensors header of net's parameters: tensor names from name(i,
-- part) (default "layers.L.weight" and "layers.L.bias"), offsets into net:params()
local function header_of(net, name)
  local _, lay = layout_of(net)
  local header = {}
  for i, l in ipairs(lay.layers) do
    for _, t in ipairs(tensors_of(i, l)) do
      local count = 1
      for _, d in ipairs(t[3]) do count = count * d end
      local n = name and name(i, t[1]:match("%.(%a+)$")) or t[1]
      header[n] = {dtype = "F32", shape = t[3], data_offsets = {4 * t[2], 4 * (t[2] + count)}}
    end
  end
  return header
end

-- writes header and net's parameter block to path; a network holding a NaN or
-- an infinity is refused (the old file stays)
local function write(path, net, header)
  local _, where = nonfinite(net:params(), net:layout().layers)
  if where then
    error(("save: %s: %s is not finite (NaN or infinity): refusing to save a broken network"):format(
      path, where), 0)
  end
  -- a failed write names the file, not this line (called straight from pcall,
  -- the core's error carries no position)
  local ok, err = pcall(core.write_model, path, json.encode(header), net:params())
  if not ok then error(err, 0) end
end

--- save(path, net [, meta]): writes core network net to path atomically as an
--- lnn model file; meta: extra string metadata (the face's).  A network
--- holding a NaN or an infinity is refused (the old file stays).
-- @param path the file's name
-- @param net the lnn.Net to write
-- @param meta extra string metadata
-- @usage
-- local net = lnn.core.Net {sizes = {2, 3, 1}}
-- net:init(lnn.Rng(1))
-- local path = os.tmpname()
-- lnn.model.save(path, net, {note = "an example"})
-- os.remove(path)
function model.save(path, net, meta)
  if type(path) ~= "string" then
    args.fail("save", 1, "file name expected, got " .. type(path))
  end
  if not is_net(net) then
    args.fail("save", 2, "lnn.Net expected, got " .. type(net))
  end
  if meta ~= nil and type(meta) ~= "table" then
    args.fail("save", 3, "metadata table expected, got " .. type(meta))
  end
  local header = header_of(net)
  local md = {format = "lnn", version = "1", layout = json.encode((layout_of(net)))}
  for k, v in pairs(meta or {}) do md[k] = tostring(v) end
  header.__metadata__ = md
  write(path, net, header)
end

--- which_loader(path): what the file at path is, in plain words, and which
--- loader reads it: "lnn.network2.load" (a network2 JSON file), "lnn.FACE.load"
--- (an lnn model file saved by lnn.FACE), "lnn.model.import" (a plain
--- safetensors file), or nil: a file lnn writes that is not a network (the
--- per-epoch metrics JSON), another JSON file, or none of these (then both
--- are nil).  For messages when the wrong loader or file is used.
-- @tparam string path the file
-- @treturn ?string the loader's name
-- @treturn ?string what the file is ("a metrics JSON file (...), not a network")
-- @usage
-- local path = os.tmpname()
-- lnn.network.Network({2, 3, 1}):save(path)
-- local what, loader = lnn.model.which_loader(path)  -- loader "lnn.network.load"
-- os.remove(path)
function model.which_loader(path)
  if type(path) ~= "string" then return nil end
  local f = io.open(path, "rb")
  if not f then return nil end
  local head = f:read(8) or ""
  local size = f:seek("end") or 0
  local what, loader
  if head:match("^%s*[{%[]") then
    -- a JSON file: decoded when small (metrics files are), else its first
    -- 64 KiB are searched for network2's keys (only networks grow large)
    f:seek("set", 0)
    local text = f:read(math.min(size, 4 * 1024 * 1024)) or ""
    local ok, doc = false, nil
    if #text == size then ok, doc = pcall(json.decode, text, path) end
    if not ok and #text < size then -- too large to decode here: network2's keys near its start
      local start = text:sub(1, 65536)
      doc = start:find('"weights"', 1, true) and start:find('"sizes"', 1, true) and {sizes = {}, weights = {}} or {}
    end
    if not ok and #text == size then -- only JSON that decodes is a loader's (a truncated file is no one's)
      what = "a JSON file that does not decode (truncated?)"
    elseif type(doc) == "table" and doc.sizes ~= nil and doc.weights ~= nil then
      what, loader = "a network2 JSON file (network2.py's layout: sizes, weights, biases, cost)", "lnn.network2.load"
    elseif type(doc) == "table" and type(doc.epochs) == "table" then
      what = "a metrics JSON file (the per-epoch figures --metrics and the experiments write), not a network"
    else
      what = "a JSON file that holds no network"
    end
  elseif #head == 8 then
    -- a header longer than the file is not read: f:read(n) would first
    -- allocate n bytes, and a corrupt 20-byte file may claim 64 MiB
    local n = string.unpack("<I8", head)
    local text = n >= 2 and n <= size - 8 and n <= 64 * 1024 * 1024 and f:seek("set", 8)
      and f:read(n) or ""
    local ok, h = pcall(json.decode, text, path)
    if ok and type(h) == "table" then
      local md = type(h.__metadata__) == "table" and h.__metadata__ or {}
      if md.format == "lnn" then
        local face = type(md.face) == "string" and md.face:match("^[%w_]+$") or "network"
        local conv = type(md.layout) == "string" and md.layout:find('"convpool"', 1, true)
        what = face == "network3" and conv and "a chapter 6 conv net (an lnn model saved by lnn.network3)"
          or "an lnn model saved by lnn." .. face
        loader = "lnn." .. face .. ".load"
      else
        what, loader = "a plain safetensors file", "lnn.model.import"
      end
    end
  end
  f:close()
  return loader, what
end

--- hint(path [, refusing]): " (it is ...; lnn.X reads it)" for a message, or "".
--- refusing: the loader that refused the file ("lnn.network.load"): a hint never
--- sends the user back to it.
-- @param path the file's name
-- @param refusing the refusing loader's name
-- @return " (it is ...; lnn.X reads it)" for a message, or ""
-- @usage
-- local path = os.tmpname()
-- lnn.network.Network({2, 3, 1}):save(path)
-- local h = lnn.model.hint(path, "lnn.network3.load")  -- " (it is ...; lnn.network.load reads it)"
-- os.remove(path)
function model.hint(path, refusing)
  local loader, what = model.which_loader(path)
  if not what or (refusing ~= nil and loader == refusing) then return "" end
  if not loader then return (" (it is %s)"):format(what) end
  local how = loader == "lnn.model.import" and "lnn.model.import(net, file) reads its tensors into a network"
    or (loader .. " reads it")
  return (" (it is %s; %s)"):format(what, how)
end

--- load_any(path): the network saved at path by any of lnn's faces, loaded
--- by the face that saved it (lnn.network2 for network2 JSON, lnn.network3
--- for its conv nets, lnn.network for network.py's and mynet.py's files).
--- A file that is no network is an error saying what it is.
-- @tparam string path the file
-- @return the face's network
-- @usage
-- local path = os.tmpname()
-- lnn.network2.Network({2, 3, 1}):save(path)
-- local net = lnn.model.load_any(path)  -- a network2 Network
-- os.remove(path)
function model.load_any(path)
  if type(path) ~= "string" then
    args.fail("load_any", 1, "file name expected, got " .. type(path))
  end
  local loader = model.which_loader(path)
  local face = loader and loader:match("^lnn%.(network[23])%.load$") or "network"
  return require("lnn." .. face).load(path)
end

local function bad(path, what)
  error(("load: %s: %s"):format(path, what), 0)
end

-- a shape from a file, for messages: "[3,2]" whatever its items are
local function show_shape(t)
  local parts = {}
  for d = 1, #t do parts[d] = tostring(t[d]) end
  return "[" .. table.concat(parts, ",") .. "]"
end

-- copies every parameter tensor of net from the file's block; name(i, part)
-- gives the file's name of engine layer i's "weight" or "bias"
local function copy_tensors(path, header, net, block, name, who)
  local function bad(p, what) error(("%s: %s: %s"):format(who or "load", p, what), 0) end
  local nblock = block:numel()
  local params = net:params()
  for i, l in ipairs(net:layout().layers) do
    for _, part in ipairs(tensors_of(i, l)) do
      local tname, shape = name(i, part[1]:match("%.(%a+)$")), part[3]
      local t = header[tname]
      if type(t) ~= "table" then bad(path, "missing tensor " .. tname) end
      if t.dtype ~= "F32" then bad(path, tname .. ": dtype " .. tostring(t.dtype) .. ", expected F32") end
      local count = 1
      if type(t.shape) ~= "table" or #t.shape ~= #shape then
        bad(path, ("%s: shape %s, but layer %d needs %s"):format(tname, type(t.shape) == "table" and show_shape(t.shape)
          or tostring(t.shape), i, show_shape(shape)))
      end
      for d = 1, #shape do
        if t.shape[d] ~= shape[d] then
          bad(path, ("%s: shape %s disagrees with the layout %s"):format(tname, show_shape(t.shape),
            show_shape(shape)))
        end
        count = count * shape[d]
      end
      local off = t.data_offsets
      if type(off) ~= "table" or math.type(off[1]) ~= "integer" or math.type(off[2]) ~= "integer"
         or off[1] < 0 or off[1] % 4 ~= 0 or off[2] - off[1] ~= 4 * count then
        bad(path, tname .. ": bad data_offsets")
      end
      if off[2] > 4 * nblock then
        bad(path, ("%s: ends at byte %d, but the data block holds %d bytes (truncated file?)")
          :format(tname, off[2], 4 * nblock))
      end
      params:view(part[2] + 1, count, 1):copy_from(block:view(off[1] // 4 + 1, count, 1))
    end
  end
end

-- every tensor of a decoded header well formed (only dtype F32, shape a list of
-- sizes, data_offsets two byte offsets that span the shape), and the tensors
-- tiling the data block of nblock floats exactly: in offset order each starts
-- where the one before ended, the first at 0, the last at the block's end (no
-- overlap, no gap, no trailing bytes).  who ("load", "import") starts the errors.
local function check_tensors(path, header, nblock, who)
  local function no(what) error(("%s: %s: %s"):format(who, path, what), 0) end
  local list = {}
  for name, t in pairs(header) do
    if name ~= "__metadata__" then
      if type(t) ~= "table" then no(("tensor %s: an object expected, got %s"):format(name, type(t))) end
      for k in pairs(t) do
        if k ~= "dtype" and k ~= "shape" and k ~= "data_offsets" then
          no(("tensor %s: unknown field '%s' (dtype, shape and data_offsets expected)"):format(name, tostring(k)))
        end
      end
      if t.dtype ~= "F32" then no(("tensor %s: dtype %s, expected F32"):format(name, tostring(t.dtype))) end
      local shape = t.shape
      if type(shape) ~= "table" then no(("tensor %s: shape: a list of sizes expected, got %s"):format(name, type(shape))) end
      local count, n = 1, 0
      for _ in pairs(shape) do n = n + 1 end
      if n ~= #shape then no(("tensor %s: shape: a list of sizes expected, got an object"):format(name)) end
      for d = 1, #shape do
        local v = shape[d]
        if math.type(v) ~= "integer" or v < 0 or v > 2^31 then
          no(("tensor %s: shape[%d]: a size from 0 to 2^31 expected, got %s"):format(name, d, tostring(v)))
        end
        count = math.min(count * v, 2^40)
      end
      local off = t.data_offsets
      if type(off) ~= "table" or #off ~= 2 or math.type(off[1]) ~= "integer" or math.type(off[2]) ~= "integer"
         or off[1] < 0 or off[2] < off[1] then
        no(("tensor %s: data_offsets: two byte offsets [begin, end] expected"):format(name))
      end
      if off[2] - off[1] ~= 4 * count then
        no(("tensor %s: data_offsets [%d, %d] span %d bytes, but its shape %s needs %d"):format(name, off[1], off[2],
          off[2] - off[1], show_shape(shape), 4 * count))
      end
      list[#list + 1] = {name = name, a = off[1], b = off[2]}
    end
  end
  table.sort(list, function(x, y)
    if x.a ~= y.a then return x.a < y.a end
    if x.b ~= y.b then return x.b < y.b end
    return x.name < y.name
  end)
  local at, prev = 0, nil
  for _, e in ipairs(list) do
    if e.a < at then
      no(("tensor %s (bytes %d to %d) overlaps tensor %s (bytes %d to %d)"):format(e.name, e.a, e.b, prev.name,
        prev.a, prev.b))
    elseif e.a > at then
      no(("bytes %d to %d of the data block belong to no tensor (tensor %s starts at %d)"):format(at, e.a, e.name, e.a))
    end
    at, prev = e.b, e
  end
  if at ~= 4 * nblock then
    no(("the data block holds %d bytes, but its tensors end at byte %d (%s)"):format(4 * nblock, at,
      at < 4 * nblock and ("%d trailing bytes"):format(4 * nblock - at) or "truncated file?"))
  end
end

-- what each metadata field of an lnn model file must be: a function of the
-- (string) value returning nil when it is right, else what was expected
local FACES = {network = true, network2 = true, network3 = true, mynet = true}
local function whole(lo, hi)
  return function(v)
    local n = v:match("^%d+$") and math.tointeger(tonumber(v))
    if not n or n < lo or n > hi then return ("a whole number from %d to %d"):format(lo, hi) end
  end
end
local META = {
  format = function(v) if v ~= "lnn" then return '"lnn"' end end,
  version = function(v) if v ~= "1" then return '"1"' end end,
  layout = function() end, -- decoded and checked layer by layer below
  face = function(v) if not FACES[v] then return "one of network, network2, network3, mynet" end end,
  rng = function(v)
    local r = core.Rng(0)
    if not pcall(r.set_state, r, v) then return "a generator state (pcg32:HEX:HEX, as Rng:state gives)" end
  end,
  epoch = whole(0, 2^31 - 1),
  mini_batch_size = whole(1, core.limits.batch),
}

-- every metadata field of an lnn model file is a string, and the ones lnn
-- writes are right; others are a model.save caller's own (its meta table)
local function check_metadata(path, md)
  for k, v in pairs(md) do
    if type(v) ~= "string" then
      bad(path, ("metadata field '%s': a string expected (safetensors metadata), got %s"):format(tostring(k), type(v)))
    end
    local want = META[k] and META[k](v)
    if want then
      bad(path, ("metadata field '%s': %s expected, got '%s'"):format(k, want, #v > 40 and v:sub(1, 37) .. "..." or v))
    end
  end
end

-- the header (decoded) and data block of a safetensors file; errors name path
-- and, for a file of another kind, the loader that reads it
local function read(path, who, refusing)
  who = who or "load"
  local okr, text, block = pcall(core.call_as, who, nil, core.read_model, path)
  if not okr then
    local msg = tostring(text)
    if msg:find("not a model file", 1, true) then
      -- a file lnn wrote is named for what it is, without the header's bytes
      local loader, what = model.which_loader(path)
      if what then
        msg = ("%s: %s: not an lnn model file: it is %s%s"):format(who, path, what,
          loader and loader ~= "lnn.model.import" and loader ~= refusing and ("; " .. loader .. " reads it") or "")
      end
    end
    error(msg, 0)
  end
  local function no(what) error(("%s: %s: %s"):format(who, path, what), 0) end
  -- the decoder's error names the text it was given: here "bad header"
  local ok, header = pcall(json.decode, text, "bad header")
  if not ok then no(tostring(header)) end
  if type(header) ~= "table" then no("bad header: not a JSON object") end
  return header, block
end

--- load(path [, face [, loader]]): reads an lnn model file: a core network and the
--- metadata table.  With face ("network", "network3", ...), a file saved by
--- another face is an error naming the loader that reads it.  loader: the
--- public loader calling ("lnn.network.load"), never named in a hint.
-- @param path the file's name
-- @param face the face's name
-- @param loader the calling loader's name
-- @return reads an lnn model file: a core network and the metadata table
-- @usage
-- local path = os.tmpname()
-- lnn.network.Network({2, 3, 1}):save(path)
-- local net, metadata = lnn.model.load(path)  -- an lnn.Net and the file's metadata
-- os.remove(path)
function model.load(path, face, loader)
  if type(path) ~= "string" then
    args.fail("load", 1, "file name expected, got " .. type(path))
  end
  loader = loader or (face and ("lnn." .. face .. ".load")) or "lnn.model.load"
  local header, block = read(path, "load", loader)
  if type(header.__metadata__) ~= "table" then
    bad(path, "not an lnn model (no __metadata__)" .. model.hint(path, loader))
  end
  local md = header.__metadata__
  if md.format ~= "lnn" then
    bad(path, "not an lnn model (format is " .. tostring(md.format) .. ")" .. model.hint(path, loader))
  end
  if face ~= nil and type(md.face) == "string" and md.face ~= face then
    bad(path, ("saved by lnn.%s, not lnn.%s%s"):format(md.face, face, model.hint(path, loader)))
  end
  if md.version ~= "1" then bad(path, "unsupported lnn model version " .. tostring(md.version)) end
  check_metadata(path, md)
  local ok2, layout = pcall(json.decode, md.layout or "", "layout")
  if not ok2 then bad(path, "metadata field 'layout': " .. tostring(layout)) end
  if type(layout) ~= "table" or type(layout.layers) ~= "table" or #layout.layers < 1 then
    bad(path, "bad layout in metadata")
  end
  local spec = {}
  for i, l in ipairs(layout.layers) do
    if type(l) ~= "table" or not ARCH[l.kind] then
      bad(path, ("layer %d: unsupported kind %s"):format(i, tostring(type(l) == "table" and l.kind)))
    end
    local t = {kind = l.kind}
    for _, k in ipairs(ARCH[l.kind]) do t[k] = l[k] end
    spec[i] = t
  end
  -- The layout must account for the data block exactly, checked before core.Net
  -- allocates what the layout asks: a 100-byte file must not cost gigabytes.
  local opts = {layers = spec, cost = layout.cost}
  local okw, want = pcall(core.net_nparams, opts)
  if not okw then bad(path, "bad layout: " .. tostring(want)) end
  local nblock = block:numel()
  if want ~= nblock then
    bad(path, ("data block holds %d floats, but the layout needs %d (truncated file?)"):format(nblock, want))
  end
  local okn, net = pcall(core.Net, opts)
  if not okn then bad(path, "bad layout: " .. tostring(net)) end
  check_tensors(path, header, nblock, "load")
  -- the tensors tile the block (above), whose size is nparams: each is one of the layout's
  copy_tensors(path, header, net, block, function(i, part) return ("layers.%d.%s"):format(i, part) end)
  local wanted = {__metadata__ = true}
  for i, l in ipairs(net:layout().layers) do
    for _, t in ipairs(tensors_of(i, l)) do wanted[t[1]] = true end
  end
  for tname in pairs(header) do
    if not wanted[tname] then bad(path, ("tensor %s is not one of the layout's (layers.L.weight, layers.L.bias)"):format(tname)) end
  end
  local name, where = nonfinite(net:params(), net:layout().layers)
  if name then bad(path, ("%s (%s) is not finite (NaN or infinity)"):format(name, where)) end
  return net, md
end

-- "layers.10" after "layers.2": names compared with their numbers as numbers
local function natural_less(a, b)
  local function parts(s)
    local t = {}
    for text, num in s:gmatch("(%D*)(%d*)") do
      if text ~= "" then t[#t + 1] = text end
      if num ~= "" then t[#t + 1] = tonumber(num) end
    end
    return t
  end
  local pa, pb = parts(a), parts(b)
  for i = 1, math.max(#pa, #pb) do
    local x, y = pa[i], pb[i]
    if x == nil then return true elseif y == nil then return false end
    if x ~= y then
      if type(x) == type(y) then return x < y end
      return type(x) == "number"
    end
  end
  return false
end

--- import(net, path): reads the weights and biases of a plain safetensors
--- file into net (a face's network or an lnn.Net).  The file's tensors come
--- in pairs PREFIX.weight and PREFIX.bias (any prefixes: "0", "fc1",
--- "layers.1"), taken in the prefixes' natural order (numbers as numbers), one
--- pair per layer with parameters, in order; every shape must be the layer's
--- (dense [n_out, n_in] and [n_out], as torch.nn.Linear; convpool [f, c, kh,
--- kw] and [f], as torch.nn.Conv2d), every dtype F32.  A PyTorch state_dict
--- of a matching nn.Sequential saved with safetensors.torch.save_file reads
--- as it is.  Nothing is changed unless the whole file matches.
-- @param net the network to fill (its architecture decides what must match)
-- @tparam string path the safetensors file
-- @return net
-- @usage
-- local a, b = lnn.network.Network({2, 3, 1}, {seed = 1}), lnn.network.Network({2, 3, 1}, {seed = 2})
-- local path = os.tmpname()
-- lnn.model.export(a, path)
-- lnn.model.import(b, path)  -- b now holds a's weights and biases
-- assert(b.weights[1]:maxabsdiff(a.weights[1]) == 0)
-- os.remove(path)
function model.import(net, path)
  local engine = engine_of(net)
  if not engine then
    args.fail("import", 1, "a network expected, got " .. type(net))
  end
  if type(path) ~= "string" then
    args.fail("import", 2, "file name expected, got " .. type(path))
  end
  local header, block = read(path, "import", "lnn.model.import")
  local md = header.__metadata__
  if md ~= nil then
    if type(md) ~= "table" then
      error(("import: %s: __metadata__: an object of strings expected, got %s"):format(path, type(md)), 0)
    end
    for k, v in pairs(md) do
      if type(v) ~= "string" then
        error(("import: %s: metadata field '%s': a string expected (safetensors metadata), got %s")
          :format(path, tostring(k), type(v)), 0)
      end
    end
  end
  check_tensors(path, header, block:numel(), "import")
  local groups, prefixes = {}, {}
  for name, t in pairs(header) do
    if name ~= "__metadata__" then
      local prefix, part = name:match("^(.-)%.?(%a+)$")
      if part ~= "weight" and part ~= "bias" then
        error(("import: %s: tensor %s is neither a weight nor a bias"):format(path, name), 0)
      end
      if not groups[prefix] then groups[prefix] = {} prefixes[#prefixes + 1] = prefix end
      groups[prefix][part] = {name = name, t = t}
    end
  end
  table.sort(prefixes, natural_less)
  local layers = {}
  for i, l in ipairs(engine:layout().layers) do
    if l.nweights > 0 then layers[#layers + 1] = i end
  end
  if #prefixes ~= #layers then
    error(("import: %s holds %d weight/bias pairs (%s), but the network has %d layers with parameters")
      :format(path, #prefixes, table.concat(prefixes, ", "), #layers), 0)
  end
  local names = {}
  for k, i in ipairs(layers) do
    local g = groups[prefixes[k]]
    for _, part in ipairs {"weight", "bias"} do
      if not g[part] then error(("import: %s: %s has no %s"):format(path, prefixes[k], part), 0) end
    end
    names[i] = g
  end
  -- into a copy first: a file that fails half-way changes nothing
  local arch = layout_of(engine)
  local scratch = core.Net({layers = arch.layers, cost = arch.cost})
  copy_tensors(path, header, scratch, block, function(i, part) return names[i][part].name end, "import")
  local bad_name, where = nonfinite(scratch:params(), scratch:layout().layers)
  if bad_name then
    error(("import: %s: %s (%s) is not finite (NaN or infinity)"):format(path, names[where:match("%d+") + 0]
      [where:match("%a+$")].name, where), 0)
  end
  engine:params():copy_from(scratch:params())
  return net
end

--- export(net, path [, prefixes]): writes net's weights and biases as a plain
--- safetensors file (no lnn metadata) that PyTorch's safetensors.torch.load_file
--- reads: tensors PREFIX.weight and PREFIX.bias per layer with parameters,
--- the prefixes given ({"0", "2"} for nn.Sequential(Linear, Sigmoid,
--- Linear), say) or "layers.L" (L the engine layer, as save names them).
-- @param net a face's network or an lnn.Net
-- @tparam string path the file (replaced atomically)
-- @tparam[opt] {string,...} prefixes one per layer with parameters
-- @usage
-- local path = os.tmpname()
-- lnn.model.export(lnn.network.Network({784, 30, 10}), path, {"0", "2"})
-- -- in PyTorch: nn.Sequential(Linear(784, 30), Sigmoid(), Linear(30, 10)).load_state_dict(load_file(path))
-- os.remove(path)
function model.export(net, path, prefixes)
  local engine = engine_of(net)
  if not engine then
    args.fail("export", 1, "a network expected, got " .. type(net))
  end
  if type(path) ~= "string" then
    args.fail("export", 2, "file name expected, got " .. type(path))
  end
  local name
  if prefixes ~= nil then
    local with = {}
    for i, l in ipairs(engine:layout().layers) do
      if l.nweights > 0 then with[#with + 1] = i end
    end
    if type(prefixes) ~= "table" or #prefixes ~= #with then
      args.fail("export", 3, ("a list of %d prefixes expected, got %s"):format(#with,
        type(prefixes) == "table" and #prefixes .. " items" or type(prefixes)))
    end
    local by = {}
    for k, i in ipairs(with) do
      if type(prefixes[k]) ~= "string" then
        args.fail("export", 3, ("prefix %d must be a string, got %s"):format(k, type(prefixes[k])))
      end
      by[i] = prefixes[k]
    end
    name = function(i, part) return by[i] .. "." .. part end
  end
  write(path, engine, header_of(engine, name))
end

return model
