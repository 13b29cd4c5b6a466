-- spec/png_check.lua: an independent PNG check for the specs, in plain Lua:
-- the signature, every chunk's CRC-32 (computed here, not by zlib), IHDR's
-- fields, and IEND last.  Pixels are read back with lnn.core.read_png.
local P = {}

local crc_table = {}
for n = 0, 255 do
  local c = n
  for _ = 1, 8 do
    if c & 1 == 1 then c = 0xEDB88320 ~ (c >> 1) else c = c >> 1 end
  end
  crc_table[n] = c
end

local function crc32(s)
  local c = 0xFFFFFFFF
  for i = 1, #s do c = crc_table[(c ~ s:byte(i)) & 0xFF] ~ (c >> 8) end
  return c ~ 0xFFFFFFFF
end
P.crc32 = crc32

-- the parsed file: width, height, colour type, list of chunk types
local function parse(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  assert(s:sub(1, 8) == "\137PNG\r\n\26\n", path .. ": bad PNG signature")
  local pos, types, ihdr = 9, {}, nil
  while pos <= #s do
    assert(pos + 11 <= #s, path .. ": truncated chunk")
    local len, typ = string.unpack(">I4c4", s, pos)
    local data = s:sub(pos + 8, pos + 7 + len)
    local crc = string.unpack(">I4", s, pos + 8 + len)
    assert(crc == crc32(typ .. data), ("%s: bad CRC in %s chunk"):format(path, typ))
    types[#types + 1] = typ
    if typ == "IHDR" then ihdr = data end
    pos = pos + 12 + len
  end
  assert(types[1] == "IHDR" and types[#types] == "IEND", path .. ": IHDR first and IEND last expected")
  local w, h, depth, colour = string.unpack(">I4I4BB", ihdr)
  assert(depth == 8, path .. ": bit depth 8 expected")
  return w, h, colour, types
end

--- check(path): asserts the file is a well-formed PNG; returns width, height
--- and colour type (0 gray, 2 RGB).
function P.check(path)
  local w, h, colour = parse(path)
  return w, h, colour
end

--- chunk_types(path): the chunk types of the (checked) file, in order.
function P.chunk_types(path)
  return (select(4, parse(path)))
end

--- pixel(pix, w, channels, x, y): the channel values at (x, y), 0-based.
function P.pixel(pix, w, channels, x, y)
  local at = (y * w + x) * channels
  return pix:byte(at + 1, at + channels)
end

return P
