-- lnn.model: saving and loading any lnn network in one documented format,
-- safetensors (https://huggingface.co/docs/safetensors): 8-byte little-endian
-- header length, JSON header, raw float32 data.  numpy and PyTorch read it.
-- The header's "__metadata__" (strings only, as the format requires) holds:
--   format = "lnn", version = "1", layout = JSON {"cost":..,"layers":[{"kind":"dense",
--   "n_in":..,"n_out":..,"activation":..},..]}, epoch = "N", rng = "pcg32:..", face = "network"
-- and one tensor per parameter: "layers.L.weight" [n_out, n_in], "layers.L.bias" [n_out].
-- This module does not know the book's faces; they add their own metadata.
local core = require "lnn.core"
local json = require "lnn.json"

local model = {}

local function layout_of(net)
  local lay = net:layout()
  local layers = {}
  for i, l in ipairs(lay.layers) do
    layers[i] = {kind = l.kind, n_in = l.n_in, n_out = l.n_out, activation = l.activation}
  end
  return {cost = lay.cost, layers = layers}, lay
end

--- Writes core network `net` to path atomically; meta: extra string metadata.
function model.save(path, net, meta)
  if type(path) ~= "string" then
    error("bad argument #1 to 'save' (file name expected, got " .. type(path) .. ")", 2)
  end
  if not (type(net) == "userdata" and tostring(net):find("^lnn%.Net")) then
    error("bad argument #2 to 'save' (lnn.Net expected, got " .. type(net) .. ")", 2)
  end
  if meta ~= nil and type(meta) ~= "table" then
    error("bad argument #3 to 'save' (metadata table expected, got " .. type(meta) .. ")", 2)
  end
  local layout, lay = layout_of(net)
  local header = {}
  local md = {format = "lnn", version = "1", layout = json.encode(layout)}
  for k, v in pairs(meta or {}) do md[k] = tostring(v) end
  header.__metadata__ = md
  for i, l in ipairs(lay.layers) do
    header[("layers.%d.weight"):format(i)] = {dtype = "F32", shape = {l.n_out, l.n_in},
      data_offsets = {4 * l.weights, 4 * (l.weights + l.n_in * l.n_out)}}
    header[("layers.%d.bias"):format(i)] = {dtype = "F32", shape = {l.n_out},
      data_offsets = {4 * l.biases, 4 * (l.biases + l.n_out)}}
  end
  core.write_model(path, json.encode(header), net:params())
end

local function bad(path, what)
  error(("load: %s: %s"):format(path, what), 0)
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
  local sizes, hidden, output = {}, nil, nil
  for i, l in ipairs(layout.layers) do
    if type(l) ~= "table" or l.kind ~= "dense" then
      bad(path, ("layer %d: unsupported kind %s"):format(i, tostring(type(l) == "table" and l.kind)))
    end
    if i == 1 then sizes[1] = l.n_in elseif l.n_in ~= sizes[i] then
      bad(path, ("layer %d takes %s inputs but layer %d gives %s"):format(i, tostring(l.n_in),
        i - 1, tostring(sizes[i])))
    end
    sizes[i + 1] = l.n_out
    if i < #layout.layers then
      if hidden and hidden ~= l.activation then bad(path, "mixed hidden activations") end
      hidden = l.activation
    else
      output = l.activation
    end
  end
  -- The layout must account for the data block exactly, checked before core.Net
  -- allocates what the layout asks: a 100-byte file must not cost gigabytes.
  local nblock, want = block:numel(), 0
  for i = 1, #sizes - 1 do
    local a, b = sizes[i], sizes[i + 1]
    if math.type(a) ~= "integer" or math.type(b) ~= "integer" or a < 1 or b < 1
       or a > 1 << 24 or b > 1 << 24 then
      bad(path, ("bad layout: layer %d maps %s to %s inputs"):format(i, tostring(a), tostring(b)))
    end
    want = want + (a + 1) * b
  end
  if want ~= nblock then
    bad(path, ("data block holds %d floats, but the layout needs %d (truncated file?)"):format(nblock, want))
  end
  local okn, net = pcall(core.Net, {sizes = sizes, hidden = hidden, output = output,
                                    cost = layout.cost})
  if not okn then bad(path, "bad layout: " .. tostring(net)) end
  local params = net:params()
  local seen = 0
  for i, l in ipairs(net:layout().layers) do
    for _, part in ipairs {{"weight", l.weights, {l.n_out, l.n_in}}, {"bias", l.biases, {l.n_out}}} do
      local name = ("layers.%d.%s"):format(i, part[1])
      local t = header[name]
      if type(t) ~= "table" then bad(path, "missing tensor " .. name) end
      if t.dtype ~= "F32" then bad(path, name .. ": dtype " .. tostring(t.dtype) .. ", expected F32") end
      local shape, count = part[3], 1
      if type(t.shape) ~= "table" or #t.shape ~= #shape then bad(path, name .. ": wrong shape") end
      for d = 1, #shape do
        if t.shape[d] ~= shape[d] then
          bad(path, ("%s: shape [%s] disagrees with the layout [%s]"):format(name,
            table.concat(t.shape, ","), table.concat(shape, ",")))
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
      seen = seen + count
    end
  end
  if seen ~= nblock then bad(path, ("data block holds %d floats, tensors %d"):format(nblock, seen)) end
  return net, md
end

return model
