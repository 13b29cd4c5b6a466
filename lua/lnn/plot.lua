--- lnn.plot: learning curves as SVG line charts, like the book's plots.  An SVG
-- opens in any browser or image viewer and needs no library to write.  A
-- series that names its monitored set (test, validation, training) always gets
-- that set's colour, so the same set looks the same on every chart; the rest
-- take the other colours in order.  No scripts, no fonts, no external links.
-- @module lnn.plot
local core = require "lnn.core"

local plot = {}

-- Okabe-Ito colours (told apart with the common colour blindnesses)
plot.SET_COLORS = {test = "#0072b2", validation = "#e69f00", training = "#009e73"}
local OTHER = {"#cc79a7", "#56b4e9", "#d55e00", "#000000", "#8c564b", "#7f7f7f"}
local DASHES = {"", "6 3", "2 3", "8 3 2 3"}
local REFERENCE = "#555555"
-- at most this many hover targets per series (a long run's points are thinned)
local MAX_TARGETS = 100

--- escape(s): s (tostring'd) as HTML/XML text or a quoted attribute's value: & < > " ' as
--- entities.  The one escape of every page and picture lnn writes (plot's SVG, lnn.report's page).
-- @param s the value to escape (tostring'd: a string, a number, ...)
-- @treturn string the escaped text
local function esc(s)
  return (tostring(s):gsub("[&<>\"']", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
    ["'"] = "&#39;"}))
end
plot.escape = esc

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

local function finite(y) return type(y) == "number" and y == y and y ~= math.huge and y ~= -math.huge end

--- styles(series): each series' colour and dash pattern: a series with .set
--- gets the set's colour; the others take the remaining colours in order; a
--- colour used a second time gets a dash pattern so the lines stay apart.
-- @param series the chart's series, each a table with an optional .set (its data set's name)
-- @return each series' colour and dash pattern: a series with .set gets the set's colour; the
--  others take the remaining colours in order; a colour used a second time gets a dash pattern so
--  the lines stay apart
-- @usage
-- local styles = lnn.plot.styles {{name = "test", set = "test"}, {name = "mine"}}
-- -- styles[1].color, styles[1].dash
function plot.styles(series)
  local out, used, next_other = {}, {}, 1
  for i, s in ipairs(series) do
    local color = s.set and plot.SET_COLORS[s.set]
    if not color then
      color = OTHER[(next_other - 1) % #OTHER + 1]
      next_other = next_other + 1
    end
    used[color] = (used[color] or 0) + 1
    out[i] = {color = color, dash = DASHES[(used[color] - 1) % #DASHES + 1]}
  end
  return out
end

--- single(spec): true when the chart has a point but no series has two to
--- join (a run of one epoch): svg draws such a chart as its values, not as a
--- frame with one dot.  (A chart with no point at all keeps its empty frame.)
-- @param spec the chart, as svg takes it
-- @treturn boolean whether the chart holds a finite point and at most one per series
-- @usage
-- assert(lnn.plot.single {series = {{name = "test", points = {{0, 97.1}}}}})
function plot.single(spec)
  local any = false
  for _, s in ipairs(spec.series) do
    local n = 0
    for _, p in ipairs(s.points) do if finite(p[2]) then n = n + 1 end end
    if n > 1 then return false end
    any = any or n == 1
  end
  return any
end

-- the chart of single(spec) as figures: per series its colour, name and value
-- (with its x), then the reference, under the title; as small as its lines
local function values_svg(spec, styles)
  local W = spec.width or 720
  local id = esc(spec.id or "plot")
  local rows = {}
  for i, s in ipairs(spec.series) do
    for _, p in ipairs(s.points) do
      if finite(p[2]) then
        rows[#rows + 1] = {color = styles[i].color, dash = styles[i].dash, name = s.name or ("series " .. i),
                           value = ("%.4g"):format(p[2]), at = ("%s %s"):format(spec.xlabel or "x", label(p[1]))}
      end
    end
  end
  local ref = spec.reference
  if ref and finite(ref.y) then
    rows[#rows + 1] = {color = REFERENCE, dash = "5 4", name = ref.label or "reference", value = ("%.4g"):format(ref.y)}
  end
  local H = 44 + 34 * #rows
  local out = {
    ('<svg%s width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" '
      .. 'font-family="sans-serif" font-size="12">'):format(spec.inline and "" or ' xmlns="http://www.w3.org/2000/svg"',
      W, H, W, H, id, id),
    ('<title id="%s-title">%s</title>'):format(id, esc(spec.title or "")),
    ('<desc id="%s-desc">%s: one value per series (nothing to draw a line through)</desc>'):format(id,
      esc(spec.ylabel or "y")),
    ('<rect width="%d" height="%d" fill="white"/>'):format(W, H),
    ('<text x="%g" y="22" text-anchor="middle" font-size="15">%s</text>'):format(W / 2, esc(spec.title or "")),
  }
  for k, r in ipairs(rows) do
    local y = 40 + 34 * k
    out[#out + 1] = ('<line x1="20" y1="%d" x2="46" y2="%d" stroke="%s" stroke-width="3"%s/>'):format(y - 6, y - 6,
      r.color, r.dash ~= "" and (' stroke-dasharray="%s"'):format(r.dash) or "")
    out[#out + 1] = ('<text x="56" y="%d">%s</text>'):format(y, esc(r.name))
    out[#out + 1] = ('<text class="value" x="%g" y="%d" font-size="22" font-weight="bold">%s</text>'):format(W * 0.45,
      y + 2, esc(r.value))
    out[#out + 1] = ('<text x="%g" y="%d">%s%s</text>'):format(W * 0.45 + 90, y, esc(spec.ylabel or ""),
      r.at and (", " .. esc(r.at)) or "")
  end
  out[#out + 1] = "</svg>\n"
  return table.concat(out, "\n")
end

--- svg{title=, xlabel=, ylabel=, series = {{name=, set=, points = {{x, y}, ...}}, ...},
---     reference = {y=, label=}, width = 720, height = auto, inline = false, id = "plot"}:
--- the chart as SVG text.  Points whose y is not a finite number are skipped.
--- reference draws a dashed horizontal line (the book's figure).  The legend
--- sits under the chart, off the curves.  inline leaves out the xmlns
--- declaration (an SVG inside HTML needs none), id makes the title's id unique
--- on a page.  Every point carries a <title> (its value on hover).  A chart
--- with no two points to join (single) is drawn as its values: each series'
--- name and figure, and the reference's, in a short box instead of a frame.
-- @param spec the chart: {title, xlabel, ylabel, series = {{name, points = {{x, y}, ...}}, ...}, width, height}
-- @return the chart as SVG text
-- @usage
-- local svg = lnn.plot.svg {title = "Accuracy", xlabel = "epoch", ylabel = "%",
--   series = {{name = "test", set = "test", points = {{1, 90.1}, {2, 93.4}}}}}
function plot.svg(spec)
  assert(type(spec) == "table" and type(spec.series) == "table", "plot.svg: spec with series expected")
  if plot.single(spec) then return values_svg(spec, plot.styles(spec.series)) end
  local ref = spec.reference
  if ref and not finite(ref.y) then ref = nil end
  local nlegend = #spec.series + (ref and 1 or 0)
  local legend_rows = math.ceil(nlegend / 2)
  local W = spec.width or 720
  -- a long title gets a smaller font, then a second line (about 0.55 em a character)
  local title, lines, tsize = tostring(spec.title or ""), {}, 15
  if #title * 0.55 * tsize > W - 20 then tsize = math.max(12, math.floor((W - 20) / (#title * 0.55))) end
  if #title * 0.55 * tsize > W - 20 then
    local mid, cut = #title // 2, nil
    for k = 0, mid do
      if title:sub(mid + k, mid + k) == " " then cut = mid + k break end
      if title:sub(mid - k, mid - k) == " " then cut = mid - k break end
    end
    if cut then lines = {title:sub(1, cut - 1), title:sub(cut + 1)} end
  end
  if #lines == 0 then lines = {title} end
  local L, Rm, T, B = 70, 20, 22 + 18 * #lines, 50 + 20 * legend_rows
  local Hh = spec.height or (322 + 18 * #lines + B)
  local xmin, xmax, ymin, ymax = math.huge, -math.huge, math.huge, -math.huge
  for _, s in ipairs(spec.series) do
    for _, p in ipairs(s.points) do
      local x, y = p[1], p[2]
      if finite(y) then
        xmin, xmax = math.min(xmin, x), math.max(xmax, x)
        ymin, ymax = math.min(ymin, y), math.max(ymax, y)
      end
    end
  end
  if xmin > xmax then xmin, xmax, ymin, ymax = 0, 1, 0, 1 end
  if ref then ymin, ymax = math.min(ymin, ref.y), math.max(ymax, ref.y) end
  if xmax == xmin then xmax = xmin + 1 end
  if ymax == ymin then ymin, ymax = ymin - 0.5, ymax + 0.5 end
  local ystep = tick_step(ymax - ymin, 6)
  ymin, ymax = math.floor(ymin / ystep) * ystep, math.ceil(ymax / ystep) * ystep
  local xstep = math.max(1, tick_step(xmax - xmin, 8))
  local pw, ph = W - L - Rm, Hh - T - B
  local function px(x) return L + (x - xmin) / (xmax - xmin) * pw end
  local function py(y) return T + (1 - (y - ymin) / (ymax - ymin)) * ph end
  local id = esc(spec.id or "plot")
  local out = {
    ('<svg%s width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" '
      .. 'font-family="sans-serif" font-size="12">'):format(spec.inline and "" or ' xmlns="http://www.w3.org/2000/svg"',
      W, Hh, W, Hh, id, id),
    ('<title id="%s-title">%s</title>'):format(id, esc(spec.title or "")),
    ('<desc id="%s-desc">%s against %s; %s</desc>'):format(id, esc(spec.ylabel or "y"), esc(spec.xlabel or "x"),
      esc(spec.desc or "one line per series")),
    ('<rect width="%d" height="%d" fill="white"/>'):format(W, Hh),
  }
  for k, line in ipairs(lines) do
    out[#out + 1] = ('<text x="%g" y="%d" text-anchor="middle" font-size="%d">%s</text>'):format(W / 2, 4 + 18 * k,
      tsize, esc(line))
  end
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
  add(('<text x="%g" y="%g" text-anchor="middle">%s</text>'):format(L + pw / 2, T + ph + 36, esc(spec.xlabel or "")))
  add(('<text x="16" y="%g" text-anchor="middle" transform="rotate(-90 16 %g)">%s</text>')
    :format(T + ph / 2, T + ph / 2, esc(spec.ylabel or "")))
  -- the legend: two columns under the x axis label
  local slot = 0
  local function legend(color, dash, width, text)
    local lx = L + (slot % 2) * (pw / 2)
    local ly = T + ph + 58 + math.floor(slot / 2) * 20
    add(('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="%g"%s/>'):format(lx, ly - 4, lx + 26, ly - 4,
      color, width, dash ~= "" and (' stroke-dasharray="%s"'):format(dash) or ""))
    add(('<text x="%g" y="%g">%s</text>'):format(lx + 32, ly, esc(text)))
    slot = slot + 1
  end
  if ref then
    add(('<line x1="%g" y1="%.2f" x2="%g" y2="%.2f" stroke="%s" stroke-width="1.5" stroke-dasharray="5 4"><title>%s</title></line>')
      :format(L, py(ref.y), L + pw, py(ref.y), REFERENCE, esc(ref.label or label(ref.y))))
  end
  -- curves
  local styles = plot.styles(spec.series)
  for i, s in ipairs(spec.series) do
    local color, dash = styles[i].color, styles[i].dash
    local name = s.name or ("series " .. i)
    local pts, kept = {}, {}
    for _, p in ipairs(s.points) do
      if finite(p[2]) then
        pts[#pts + 1] = ("%.2f,%.2f"):format(px(p[1]), py(p[2]))
        kept[#kept + 1] = p
      end
    end
    if #pts == 1 then
      local cx, cy = pts[1]:match("([^,]+),(.+)")
      add(('<circle class="single" cx="%s" cy="%s" r="3" fill="%s"/>'):format(cx, cy, color))
    elseif #pts > 1 then
      add(('<polyline fill="none" stroke="%s" stroke-width="1.8"%s points="%s"/>'):format(color,
        dash ~= "" and (' stroke-dasharray="%s"'):format(dash) or "", table.concat(pts, " ")))
    end
    -- hover targets: an invisible dot per point (thinned on long runs) whose
    -- title is the value; browsers show it without any script
    local every = math.max(1, math.ceil(#kept / MAX_TARGETS))
    for k = 1, #kept, every do
      local p = kept[k]
      add(('<circle class="pt" cx="%.1f" cy="%.1f" r="4" fill="%s" fill-opacity="0"><title>%s, %s %s: %s</title></circle>')
        :format(px(p[1]), py(p[2]), color, esc(name), esc(spec.xlabel or "x"), label(p[1]), ("%.4g"):format(p[2])))
    end
    legend(color, dash, 3, name)
  end
  if ref then legend(REFERENCE, "5 4", 1.5, ref.label or ("reference " .. label(ref.y))) end
  add("</svg>\n")
  return table.concat(out, "\n")
end

--- write(path, spec): plot.svg(spec) written atomically to path.
-- @param path the file's name
-- @param spec the chart: {title, xlabel, ylabel, series = {{name, points = {{x, y}, ...}}, ...}, width, height}
-- @usage
-- local path = os.tmpname()
-- lnn.plot.write(path, {title = "Cost", series = {{name = "training", points = {{1, 0.5}, {2, 0.3}}}}})
-- os.remove(path)
function plot.write(path, spec)
  core.write_file(path, plot.svg(spec))
end

return plot
