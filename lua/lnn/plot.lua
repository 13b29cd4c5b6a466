--- lnn.plot: learning curves as SVG line charts, like the book's plots.  An SVG
-- opens in any browser or image viewer and needs no library to write.
-- @module lnn.plot
local core = require "lnn.core"

local plot = {}

local COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"}

local function esc(s)
  return (tostring(s):gsub("[&<>\"]", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;"}))
end

-- A "nice" tick step for a range (1, 2 or 5 times a power of ten).
local function tick_step(span, count)
  if span <= 0 then return 1 end
  local raw = span / count
  local p = 10 ^ math.floor(math.log(raw, 10))
  for _, m in ipairs {1, 2, 5, 10} do
    if raw <= m * p then return m * p end
  end
  return 10 * p
end

local function label(v)
  if v == math.floor(v) and math.abs(v) < 1e15 then return ("%d"):format(v) end
  return ("%.4g"):format(v)
end

--- svg{title=, xlabel=, ylabel=, series = {{name=, points = {{x, y}, ...}}, ...},
---     width = 720, height = 440}: the chart as SVG text.  Points whose y is
--- not a finite number are skipped.
-- @param spec the chart: {title, xlabel, ylabel, series = {{name, points = {{x, y}, ...}}, ...}, width, height}
-- @return the chart as SVG text
function plot.svg(spec)
  assert(type(spec) == "table" and type(spec.series) == "table", "plot.svg: spec with series expected")
  local W, Hh = spec.width or 720, spec.height or 440
  local L, Rm, T, B = 70, 20, 40, 60
  local xmin, xmax, ymin, ymax = math.huge, -math.huge, math.huge, -math.huge
  for _, s in ipairs(spec.series) do
    for _, p in ipairs(s.points) do
      local x, y = p[1], p[2]
      if y == y and y ~= math.huge and y ~= -math.huge then
        xmin, xmax = math.min(xmin, x), math.max(xmax, x)
        ymin, ymax = math.min(ymin, y), math.max(ymax, y)
      end
    end
  end
  if xmin > xmax then xmin, xmax, ymin, ymax = 0, 1, 0, 1 end
  if xmax == xmin then xmax = xmin + 1 end
  if ymax == ymin then ymin, ymax = ymin - 0.5, ymax + 0.5 end
  local ystep = tick_step(ymax - ymin, 6)
  ymin, ymax = math.floor(ymin / ystep) * ystep, math.ceil(ymax / ystep) * ystep
  local xstep = tick_step(xmax - xmin, 8)
  local pw, ph = W - L - Rm, Hh - T - B
  local function px(x) return L + (x - xmin) / (xmax - xmin) * pw end
  local function py(y) return T + (1 - (y - ymin) / (ymax - ymin)) * ph end
  local out = {
    ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
      .. 'font-family="sans-serif" font-size="12">'):format(W, Hh, W, Hh),
    ('<rect width="%d" height="%d" fill="white"/>'):format(W, Hh),
    ('<text x="%g" y="22" text-anchor="middle" font-size="15">%s</text>'):format(W / 2, esc(spec.title or "")),
  }
  local function add(s) out[#out + 1] = s end
  -- grid and ticks
  local y = ymin
  while y <= ymax + ystep / 2 do
    add(('<line x1="%g" y1="%.2f" x2="%g" y2="%.2f" stroke="#e0e0e0"/>'):format(L, py(y), L + pw, py(y)))
    add(('<text x="%g" y="%.2f" text-anchor="end">%s</text>'):format(L - 6, py(y) + 4, label(y)))
    y = y + ystep
  end
  local x = math.ceil(xmin / xstep) * xstep
  while x <= xmax + xstep / 2 do
    if x <= xmax then
      add(('<line x1="%.2f" y1="%g" x2="%.2f" y2="%g" stroke="#e0e0e0"/>'):format(px(x), T, px(x), T + ph))
      add(('<text x="%.2f" y="%g" text-anchor="middle">%s</text>'):format(px(x), T + ph + 16, label(x)))
    end
    x = x + xstep
  end
  add(('<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#333"/>'):format(L, T, pw, ph))
  add(('<text x="%g" y="%g" text-anchor="middle">%s</text>'):format(L + pw / 2, Hh - 18, esc(spec.xlabel or "")))
  add(('<text x="16" y="%g" text-anchor="middle" transform="rotate(-90 16 %g)">%s</text>')
    :format(T + ph / 2, T + ph / 2, esc(spec.ylabel or "")))
  -- curves and legend
  for i, s in ipairs(spec.series) do
    local color = COLORS[(i - 1) % #COLORS + 1]
    local pts = {}
    for _, p in ipairs(s.points) do
      if p[2] == p[2] and p[2] ~= math.huge and p[2] ~= -math.huge then
        pts[#pts + 1] = ("%.2f,%.2f"):format(px(p[1]), py(p[2]))
      end
    end
    if #pts == 1 then
      local cx, cy = pts[1]:match("([^,]+),(.+)")
      add(('<circle cx="%s" cy="%s" r="3" fill="%s"/>'):format(cx, cy, color))
    elseif #pts > 1 then
      add(('<polyline fill="none" stroke="%s" stroke-width="1.8" points="%s"/>'):format(color, table.concat(pts, " ")))
    end
    local ly = T + 16 + (i - 1) * 18
    add(('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="3"/>'):format(L + pw - 190, ly - 4, L + pw - 170, ly - 4, color))
    add(('<text x="%g" y="%g">%s</text>'):format(L + pw - 164, ly, esc(s.name or ("series " .. i))))
  end
  add("</svg>\n")
  return table.concat(out, "\n")
end

--- write(path, spec): plot.svg(spec) written atomically to path.
-- @param path the file's name
-- @param spec the chart: {title, xlabel, ylabel, series = {{name, points = {{x, y}, ...}}, ...}, width, height}
function plot.write(path, spec)
  core.write_file(path, plot.svg(spec))
end

return plot
