--- lnn.demo: one offline HTML page where the reader draws a digit and a
-- trained network answers while they draw.  The page holds the network's
-- parameters (float32, base64) and runs its forward pass in JavaScript; the
-- drawing is prepared as MNIST's digits were (grey levels, the ink's bounding
-- box scaled into a 20 x 20 box, placed in 28 x 28 by its centre of mass).
-- Every network lnn saves: fully connected (network, network2, mynet) and
-- network3's conv-pool, dense and dropout layers; no network access, no
-- external file.
-- `window.lnnDemo` is the page's test hook: classify(pixels) -> {digit,
-- outputs}, and stroke(points) draws a stroke as the pointer would.
-- @internal lnn.demo
local report = require "lnn.report"

local demo = {}

local ACTIVATIONS = {sigmoid = true, softmax = true, relu = true, tanh = true, linear = true}

--- layers(net): the layers of a core network, for the page: a list of
--- {kind = "dense", n_in =, n_out =, activation =, weights = offset, biases =
--- offset}, {kind = "convpool", image = {c, h, w}, filters = {f, c, kh, kw},
--- pool = {ph, pw}, activation =, weights =, biases =, n_in =, n_out =} and
--- {kind = "dropout", n_in =, p =}; an error naming the first layer the page
--- cannot run.
-- @param net a core network (lnn.core.Net)
-- @param who the public function or command, for the error
-- @return the list of layers
function demo.layers(net, who)
  local out = {}
  for i, l in ipairs(net:layout().layers) do
    if l.kind ~= "dense" and l.kind ~= "convpool" and l.kind ~= "dropout" then
      error(("%s: layer %d is a %s layer, which the page cannot run"):format(who, i, tostring(l.kind)), 0)
    end
    if l.kind ~= "dropout" and not ACTIVATIONS[l.activation] then
      error(("%s: layer %d's activation %s has no page twin"):format(who, i, tostring(l.activation)), 0)
    end
    out[#out + 1] = {kind = l.kind, n_in = l.n_in, n_out = l.n_out, activation = l.activation, weights = l.weights,
                     biases = l.biases, image = l.image, filters = l.filters, pool = l.pool, p = l.p}
  end
  if out[1].n_in ~= 784 or out[#out].n_out ~= 10 then
    error(("%s: the network reads %d inputs and gives %d outputs; the page draws 28 x 28 digits "
      .. "(784 inputs) and shows 10 classes"):format(who, out[1].n_in, out[#out].n_out), 0)
  end
  return out
end

--- load_network(path): the core network in a file a face saved (lnn train
--- with its save flag, network, mynet, network2 or its JSON, network3), and
--- what the file is; an error naming the file otherwise.
-- @param path the network file
-- @return the core network (lnn.core.Net)
-- @return what the file is, e.g. "an lnn model saved by lnn.network"
function demo.load_network(path)
  local model = require "lnn.model"
  local f, err = io.open(path, "rb")
  if not f then error(("cannot read %s"):format(err), 0) end
  f:close()
  local loader, what = model.which_loader(path)
  if loader == "lnn.network2.load" then
    return require("lnn.network2").load(path):engine(), what
  elseif loader and loader ~= "lnn.model.import" then
    return model.load(path), what
  end
  error(("%s is not a network lnn saved%s"):format(path, what and (" (it is " .. what .. ")") or ""), 0)
end

--- about(path, net, what): the line under the page's title: the file, what
--- it is and the network's layer sizes.
-- @param path the network file
-- @param net its core network
-- @param what what the file is (load_network's second result)
-- @return the line, e.g. "net.lnn: an lnn model saved by lnn.network, layers 784-30-10."
function demo.about(path, net, what)
  local sizes = {net:layout().layers[1].n_in}
  for _, l in ipairs(net:layout().layers) do sizes[#sizes + 1] = l.n_out end
  return ("%s: %s, layers %s."):format(path, what, table.concat(sizes, "-"))
end

-- the parameter block as float32 little-endian bytes, in base64
local function params_base64(net)
  local t, parts = net:params():totable(), {}
  for i = 1, #t, 4096 do
    local chunk = {}
    for j = i, math.min(i + 4095, #t) do chunk[#chunk + 1] = t[j][1] end
    parts[#parts + 1] = string.pack("<" .. ("f"):rep(#chunk), table.unpack(chunk))
  end
  return report.base64(table.concat(parts))
end

local PAGE = [[<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lnn: draw a digit</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
#wrap { display: flex; gap: 1.5em; align-items: flex-start; flex-wrap: wrap; }
#pad { border: 1px solid #888; background: #000; touch-action: none; cursor: crosshair; }
#input { border: 1px solid #888; image-rendering: pixelated; width: 112px; height: 112px; background: #000; }
#bars { display: grid; grid-template-columns: 1.2em 220px 4em; gap: 4px 8px; align-items: center; }
.bar { height: 16px; background: #4a7bd0; }
.best .bar { background: #d0584a; }
#answer { font-size: 2.4em; font-weight: bold; min-height: 1.2em; }
button { font-size: 1em; padding: .3em 1em; }
small { color: #666; }
</style></head><body>
<h1>Draw a digit</h1>
<p>@ABOUT@</p>
<div id="wrap">
  <div><canvas id="pad" width="280" height="280"></canvas><br><button id="clear">clear</button></div>
  <div><div>what the network reads (28 x 28)</div><canvas id="input" width="28" height="28"></canvas>
       <div>its answer</div><div id="answer"></div></div>
  <div id="bars"></div>
</div>
<p><small>The drawing is prepared as MNIST's digits were: grey levels, the ink scaled into a 20 x 20
box and placed in 28 x 28 by its centre of mass. Everything runs in this page.</small></p>
<script>
"use strict";
(function () {
  const LAYERS = @LAYERS@;
  const bytes = Uint8Array.from(atob("@PARAMS@"), c => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const P = new Float64Array(bytes.length / 4);
  for (let i = 0; i < P.length; i++) P[i] = view.getFloat32(4 * i, true);

  function act(name, z) {
    if (name === "sigmoid") return z.map(v => 1 / (1 + Math.exp(-v)));
    if (name === "relu") return z.map(v => (v > 0 ? v : 0));
    if (name === "tanh") return z.map(v => Math.tanh(v));
    if (name === "softmax") {
      const m = Math.max(...z), e = z.map(v => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0);
      return e.map(v => v / s);
    }
    return z;
  }
  // the network's outputs for 784 inputs in [0, 1]; the class is the first largest
  // a conv-pool layer as lnn's: f(max over each pool window of the valid
  // cross-correlation + the filter's bias), maps in (filter, row, column) order
  function convpool(L, a) {
    const [C, H, Wd] = L.image, [F, , KH, KW] = L.filters, [PH, PW] = L.pool;
    const QH = Math.floor((H - KH + 1) / PH), QW = Math.floor((Wd - KW + 1) / PW);
    const out = new Array(F * QH * QW);
    for (let f = 0; f < F; f++)
      for (let qy = 0; qy < QH; qy++)
        for (let qx = 0; qx < QW; qx++) {
          let best = -Infinity;
          for (let dy = 0; dy < PH; dy++)
            for (let dx = 0; dx < PW; dx++) {
              const y = qy * PH + dy, x = qx * PW + dx;
              let s = 0;
              for (let c = 0; c < C; c++)
                for (let ky = 0; ky < KH; ky++) {
                  const w = L.weights + ((f * C + c) * KH + ky) * KW, i = (c * H + y + ky) * Wd + x;
                  for (let kx = 0; kx < KW; kx++) s += P[w + kx] * a[i + kx];
                }
              if (s > best) best = s;
            }
          out[(f * QH + qy) * QW + qx] = best + P[L.biases + f];
        }
    return act(L.activation, out);
  }
  function classify(x) {
    let a = Array.from(x);
    for (const L of LAYERS) {
      if (L.kind === "dropout") { a = a.map(v => v * (1 - L.p)); continue; }
      if (L.kind === "convpool") { a = convpool(L, a); continue; }
      const z = new Array(L.n_out);
      for (let o = 0; o < L.n_out; o++) {
        let s = 0;
        const w = L.weights + o * L.n_in;
        for (let i = 0; i < L.n_in; i++) s += P[w + i] * a[i];
        z[o] = s + P[L.biases + o];
      }
      a = act(L.activation, z);
    }
    let best = 0;
    for (let k = 1; k < a.length; k++) if (a[k] > a[best]) best = k;
    return {digit: best, outputs: a};
  }

  const pad = document.getElementById("pad"), ctx = pad.getContext("2d", {willReadFrequently: true});
  const input = document.getElementById("input"), ictx = input.getContext("2d");
  const bars = document.getElementById("bars"), answer = document.getElementById("answer");
  const rows = [];
  for (let k = 0; k < 10; k++) {
    const label = document.createElement("div"), track = document.createElement("div"), value = document.createElement("div");
    label.textContent = k;
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.style.width = "0px";
    track.appendChild(bar);
    bars.append(label, track, value);
    rows.push({label, track, bar, value});
  }

  function clearPad() {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, pad.width, pad.height);
    ictx.fillStyle = "#000";
    ictx.fillRect(0, 0, 28, 28);
    show(null);
  }

  // the drawing as MNIST prepared its digits: 784 grey levels in [0, 1], or null without ink
  function prepare() {
    const src = ctx.getImageData(0, 0, pad.width, pad.height).data;
    let x0 = pad.width, y0 = pad.height, x1 = -1, y1 = -1;
    for (let y = 0; y < pad.height; y++)
      for (let x = 0; x < pad.width; x++)
        if (src[4 * (y * pad.width + x)] > 12) {
          if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
        }
    if (x1 < 0) return null;
    const w = x1 - x0 + 1, h = y1 - y0 + 1, scale = 20 / Math.max(w, h);
    const tw = Math.max(1, Math.round(w * scale)), th = Math.max(1, Math.round(h * scale));
    const box = document.createElement("canvas");
    box.width = tw; box.height = th;
    const bctx = box.getContext("2d", {willReadFrequently: true});
    bctx.imageSmoothingEnabled = true;
    bctx.imageSmoothingQuality = "high";
    bctx.drawImage(pad, x0, y0, w, h, 0, 0, tw, th);
    const small = bctx.getImageData(0, 0, tw, th).data;
    let mass = 0, mx = 0, my = 0;
    for (let y = 0; y < th; y++)
      for (let x = 0; x < tw; x++) {
        const v = small[4 * (y * tw + x)] / 255;
        mass += v; mx += v * x; my += v * y;
      }
    const cx = mass > 0 ? mx / mass : (tw - 1) / 2, cy = mass > 0 ? my / mass : (th - 1) / 2;
    const ox = Math.round(14 - cx - 0.5), oy = Math.round(14 - cy - 0.5);
    const px = new Float64Array(784);
    for (let y = 0; y < th; y++)
      for (let x = 0; x < tw; x++) {
        const X = x + ox, Y = y + oy;
        if (X >= 0 && X < 28 && Y >= 0 && Y < 28) px[Y * 28 + X] = small[4 * (y * tw + x)] / 255;
      }
    return px;
  }

  function showInput(px) {
    const img = ictx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const g = Math.round(255 * (px ? px[i] : 0));
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
      img.data[4 * i + 3] = 255;
    }
    ictx.putImageData(img, 0, 0);
  }

  function show(result) {
    for (let k = 0; k < 10; k++) {
      const v = result ? result.outputs[k] : 0;
      rows[k].bar.style.width = Math.round(220 * Math.max(0, Math.min(1, v))) + "px";
      rows[k].value.textContent = result ? v.toFixed(3) : "";
      rows[k].track.className = result && result.digit === k ? "best" : "";
    }
    answer.textContent = result ? String(result.digit) : "";
  }

  function update() {
    const px = prepare();
    showInput(px);
    show(px ? classify(px) : null);
  }

  let drawing = false, last = null;
  function at(e) {
    const r = pad.getBoundingClientRect();
    return {x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height};
  }
  function line(p, q) {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 20;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    ctx.lineTo(q.x, q.y);
    ctx.stroke();
  }
  pad.addEventListener("pointerdown", e => { drawing = true; last = at(e); line(last, last); update(); });
  pad.addEventListener("pointermove", e => { if (!drawing) return; const p = at(e); line(last, p); last = p; update(); });
  for (const end of ["pointerup", "pointerleave", "pointercancel"])
    pad.addEventListener(end, () => { drawing = false; });
  document.getElementById("clear").addEventListener("click", clearPad);
  clearPad();

  // the test hook: classify(pixels), stroke(points in pad coordinates) as pointer events
  window.lnnDemo = {
    classify: x => classify(x),
    stroke: points => {
      const r = pad.getBoundingClientRect();
      const ev = (type, p) => pad.dispatchEvent(new PointerEvent(type, {bubbles: true, pointerId: 1,
        clientX: r.left + p.x * r.width / pad.width, clientY: r.top + p.y * r.height / pad.height}));
      ev("pointerdown", points[0]);
      for (const p of points.slice(1)) ev("pointermove", p);
      ev("pointerup", points[points.length - 1]);
    },
    outputs: () => rows.map(r => Number(r.value.textContent || "0")),
    answer: () => answer.textContent,
    clear: clearPad,
  };
})();
</script>
</body></html>
]]

--- page(net, about): the demo page for a core network (demo.layers), as a
--- string of HTML.  about: a line of text shown under the title (escaped).
-- @param net a core network (lnn.core.Net), 784 inputs and 10 outputs
-- @param about a line describing the network
-- @param who the public function or command, for errors
-- @return the page's HTML
function demo.page(net, about, who)
  local layers = demo.layers(net, who or "demo.page")
  local js = {}
  for _, l in ipairs(layers) do
    if l.kind == "dropout" then
      js[#js + 1] = ('{"kind": "dropout", "n_in": %d, "p": %.9g}'):format(l.n_in, l.p)
    else
      local conv = l.kind == "convpool" and (', "image": [%s], "filters": [%s], "pool": [%s]'):format(
        table.concat(l.image, ", "), table.concat(l.filters, ", "), table.concat(l.pool, ", ")) or ""
      js[#js + 1] = ('{"kind": "%s", "n_in": %d, "n_out": %d, "activation": "%s", "weights": %d, "biases": %d%s}')
        :format(l.kind, l.n_in, l.n_out, l.activation, l.weights, l.biases, conv)
    end
  end
  local subs = {["@LAYERS@"] = "[" .. table.concat(js, ", ") .. "]", ["@PARAMS@"] = params_base64(net),
                ["@ABOUT@"] = report.escape(about or "")}
  return (PAGE:gsub("@%u+@", function(k) return subs[k] end))
end

return demo
