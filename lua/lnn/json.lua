--- lnn.json: JSON text for lnn's files.  Decoding is the C parser's
-- (lnn.core.json_decode); encoding is here, with sorted keys so the same
-- value always gives the same bytes, and floats written so float32 round-trips.
-- @module lnn.json
local core = require "lnn.core"
local args = require "lnn.args"

local json = {null = core.json_null}

local escapes = {['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                 ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t"}

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local encode

local function is_array(t)
  local n = #t
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false end
  end
  return true
end

-- the decoder's nesting limit (LNN_JSON_MAX_DEPTH): deeper is a cycle or a mistake
local MAX_DEPTH = 64

function encode(v, out, depth)
  local t = type(v)
  depth = depth or 0
  if t == "string" then
    out[#out + 1] = quote(v)
  elseif t == "number" then
    if math.type(v) == "integer" then
      out[#out + 1] = string.format("%d", v)
    elseif v ~= v or v == math.huge or v == -math.huge then
      error("json.encode: cannot encode " .. tostring(v) .. " (JSON has no NaN or infinity)", 0)
    else
      out[#out + 1] = core.json_number(v)
    end
  elseif t == "boolean" then
    out[#out + 1] = tostring(v)
  elseif v == json.null then
    out[#out + 1] = "null"
  elseif t == "table" then
    if depth >= MAX_DEPTH then
      error(("json.encode: tables nested deeper than %d (a cycle?)"):format(MAX_DEPTH), 0)
    end
    if is_array(v) and (#v > 0 or next(v) == nil) then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        encode(v[i], out, depth + 1)
      end
      out[#out + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do
        if type(k) ~= "string" then
          error("json.encode: object keys must be strings, got " .. type(k), 0)
        end
        keys[#keys + 1] = k
      end
      table.sort(keys)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = quote(k)
        out[#out + 1] = ":"
        encode(v[k], out, depth + 1)
      end
      out[#out + 1] = "}"
    end
  else
    error("json.encode: cannot encode a " .. t, 0)
  end
end

--- JSON text of v (tables with keys 1..n are arrays; other keys must be strings).
-- @param v the Lua value to write: a table, string, number, boolean or json.null
-- @return JSON text of v (tables with keys 1..n are arrays; other keys must be strings)
-- @usage
-- local text = lnn.json.encode {sizes = {784, 30, 10}, cost = "CrossEntropyCost"}
function json.encode(v)
  local out = {}
  encode(v, out)
  return table.concat(out)
end

--- The Lua value of JSON text.  An error names the text by name and the
-- position in it.
-- @param text JSON text
-- @param name what the text is called in errors, for instance its file name
-- @return the Lua value (objects and arrays as tables, null as json.null)
-- @usage
-- local t = lnn.json.decode('{"sizes": [784, 30, 10]}', "net.json")
-- assert(t.sizes[2] == 30)
function json.decode(text, name)
  -- the engine's name for it, as before this wrapper checked
  if type(text) ~= "string" then args.fail("json_decode", 1, "string expected, got " .. type(text)) end
  -- called straight from pcall, the core's error carries no position: it names
  -- the text (name) and the place in it
  local ok, v = pcall(core.json_decode, text, name)
  if not ok then error(v, 0) end
  return v
end

return json
