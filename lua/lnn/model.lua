-- lnn.model: saving and loading any lnn network in one documented format,
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
-- and read unchanged.  This module does not know the book's faces.
local core = require "lnn.core"
local json = require "lnn.json"

local model = {}

-- the layer fields that describe the architecture (not the offsets)
local ARCH = {dense = {"n_in", "n_out", "activation"},
              convpool = {"image", "filters", "pool", "activation"},
              dropout = {"n_in", "p"}}

local function is_net(net) return core.type(net) == "lnn.Net" end

--- layout_of(net): the layout a file holds for core network net (cost and
--- layer list, architecture fields only), and net:layout() itself.
local function layout_of(net)
  if not is_net(net) then
    error("bad argument #1 to 'layout_of' (lnn.Net expected, got " .. type(net) .. ")", 2)
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

--- Writes core network `net` to path atomically; meta: extra string metadata.
--- A network holding a NaN or an infinity is refused (the old file stays).
function model.save(path, net, meta)
  if type(path) ~= "string" then
    error("bad argument #1 to 'save' (file name expected, got " .. type(path) .. ")", 2)
  end
  if not is_net(net) then
    error("bad argument #2 to 'save' (lnn.Net expected, got " .. type(net) .. ")", 2)
  end
  if meta ~= nil and type(meta) ~= "table" then
    error("bad argument #3 to 'save' (metadata table expected, got " .. type(meta) .. ")", 2)
  end
  local layout, lay = layout_of(net)
  local _, where = nonfinite(net:params(), lay.layers)
  if where then
    error(("save: %s: %s is not finite (NaN or infinity): refusing to save a broken network"):format(
      path, where), 0)
  end
  local header = {}
  local md = {format = "lnn", version = "1", layout = json.encode(layout)}
  for k, v in pairs(meta or {}) do md[k] = tostring(v) end
  header.__metadata__ = md
  for i, l in ipairs(lay.layers) do
    for _, t in ipairs(tensors_of(i, l)) do
      local count = 1
      for _, d in ipairs(t[3]) do count = count * d end
      header[t[1]] = {dtype = "F32", shape = t[3], data_offsets = {4 * t[2], 4 * (t[2] + count)}}
    end
  end
  -- a failed write names the file, not this line (the face calling us is no help either)
  local ok, err = pcall(core.write_model, path, json.encode(header), net:params())
  if not ok then error((tostring(err):gsub("^[^:]*%.lua:%d+: ", "")), 0) end
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

--- Reads a model file: returns a core network and the metadata table.
function model.load(path)
  if type(path) ~= "string" then
    error("bad argument #1 to 'load' (file name expected, got " .. type(path) .. ")", 2)
  end
  local text, block = core.read_model(path)
  local ok, header = pcall(json.decode, text, path)
  if not ok then bad(path, "bad header: " .. tostring(header):gsub("^[^:]*: ", "")) end
  if type(header) ~= "table" or type(header.__metadata__) ~= "table" then
    bad(path, "not an lnn model (no __metadata__)")
  end
  local md = header.__metadata__
  if md.format ~= "lnn" then bad(path, "not an lnn model (format is " .. tostring(md.format) .. ")") end
  if md.version ~= "1" then bad(path, "unsupported lnn model version " .. tostring(md.version)) end
  local ok2, layout = pcall(json.decode, md.layout or "", path .. " layout")
  if not ok2 or type(layout) ~= "table" or type(layout.layers) ~= "table" or #layout.layers < 1 then
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
  if not okw then bad(path, "bad layout: " .. tostring(want):gsub("^[^:]*: ", "")) end
  local nblock = block:numel()
  if want ~= nblock then
    bad(path, ("data block holds %d floats, but the layout needs %d (truncated file?)"):format(nblock, want))
  end
  local okn, net = pcall(core.Net, opts)
  if not okn then bad(path, "bad layout: " .. tostring(net):gsub("^[^:]*: ", "")) end
  -- the tensors' counts add up to nparams, which is the block's size (above)
  local params = net:params()
  for i, l in ipairs(net:layout().layers) do
    for _, part in ipairs(tensors_of(i, l)) do
      local name, shape = part[1], part[3]
      local t = header[name]
      if type(t) ~= "table" then bad(path, "missing tensor " .. name) end
      if t.dtype ~= "F32" then bad(path, name .. ": dtype " .. tostring(t.dtype) .. ", expected F32") end
      local count = 1
      if type(t.shape) ~= "table" or #t.shape ~= #shape then bad(path, name .. ": wrong shape") end
      for d = 1, #shape do
        if t.shape[d] ~= shape[d] then
          bad(path, ("%s: shape %s disagrees with the layout %s"):format(name, show_shape(t.shape),
            show_shape(shape)))
        end
        count = count * shape[d]
      end
      local off = t.data_offsets
      if type(off) ~= "table" or math.type(off[1]) ~= "integer" or math.type(off[2]) ~= "integer"
         or off[1] < 0 or off[1] % 4 ~= 0 or off[2] - off[1] ~= 4 * count then
        bad(path, name .. ": bad data_offsets")
      end
      if off[2] > 4 * nblock then
        bad(path, ("%s: ends at byte %d, but the data block holds %d bytes (truncated file?)")
          :format(name, off[2], 4 * nblock))
      end
      params:view(part[2] + 1, count, 1):copy_from(block:view(off[1] // 4 + 1, count, 1))
    end
  end
  local name, where = nonfinite(params, net:layout().layers)
  if name then bad(path, ("%s (%s) is not finite (NaN or infinity)"):format(name, where)) end
  return net, md
end

return model
