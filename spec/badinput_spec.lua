-- Bad input over every public function of lnn.core (module functions, tools,
-- and the methods of Matrix, Rng, Data and Net) and of the faces (network,
-- network2, network3, mnist_loader, model, json): wrong types, wrong shapes, zero or
-- negative sizes, NaN and infinity, absurd sizes, labels out of range, objects
-- outliving their owners and methods called on the wrong object.  Every case
-- must be a Lua error -- never a crash -- whose text names the function and
-- the argument (or option, or file).  A last spec checks that every public
-- function has at least one case here (the kernel-table bindings: in
-- spec/kernels_spec.lua, with the kernels).
local core = require "lnn.core"
local network = require "lnn.network"
local network2 = require "lnn.network2"
local network3 = require "lnn.network3"
local loader = require "lnn.mnist_loader"
local model = require "lnn.model"
local json = require "lnn.json"
local H = require "helpers"

local T = core.tools
local nan, inf = 0 / 0, math.huge

-- cases[i] = {api name, function, text the error must contain...}
local cases = {}
local function bad(api, f, ...) cases[#cases + 1] = {api, f, ...} end

local dir, cleanup = H.tmpdir()
local M = core.Matrix(3, 2, 1)
local R = core.Rng(1)
local D = core.Data({{1, 2}, {3, 4}}, {0, 1})
local N = core.Net {sizes = {2, 3, 2}}
H.write_file(dir .. "/img", string.pack(">I4I4I4I4", 2051, 3, 2, 2) .. ("\1\2\3\4"):rep(3))
H.write_file(dir .. "/lab", string.pack(">I4I4", 2049, 3) .. "\0\1\2")
H.write_file(dir .. "/lab99", string.pack(">I4I4", 2049, 3) .. "\0\1\99")
local D8 = core.load_idx(dir .. "/img", dir .. "/lab") -- byte images, 10 classes

---------------------------------------------------------------------------
-- lnn.core: constructors and files

bad("Matrix", function() return core.Matrix() end, "bad argument #1 to 'Matrix'", "number expected")
bad("Matrix", function() return core.Matrix(0, 1) end, "bad argument #1 to 'Matrix'", "rows must be 1 to 2^30, got 0")
bad("Matrix", function() return core.Matrix(2, -1) end, "bad argument #2 to 'Matrix'", "cols must be 1 to 2^30, got -1")
bad("Matrix", function() return core.Matrix(1.5, 1) end, "bad argument #1 to 'Matrix'", "integer representation")
bad("Matrix", function() return core.Matrix(nan, 1) end, "bad argument #1 to 'Matrix'")
bad("Matrix", function() return core.Matrix(1, 1, "x") end, "bad argument #3 to 'Matrix'", "number or table expected")
bad("Matrix", function() return core.Matrix({}) end, "bad argument #1 to 'Matrix'", "1 to 2^30 rows")
bad("Matrix", function() return core.Matrix({{1}, {1, 2}}) end, "bad argument #1 to 'Matrix'", "row 2 has 2 elements, expected 1")
bad("Matrix", function() return core.Matrix({{"a"}}) end, "bad argument #1 to 'Matrix'", "row 1, element 1: number expected, got string")
bad("Matrix", function() return core.Matrix({1, {}}) end, "bad argument #1 to 'Matrix'", "element 2: number expected, got table")
bad("Matrix", function() return core.Matrix(2, 2, {1, 2, 3}) end, "bad argument #3 to 'Matrix'", "table has 3 rows, expected 2")
bad("Matrix", function() return core.Matrix(1 << 30, 1 << 30) end, "bad argument #2 to 'Matrix'", "matrix too large")
bad("Rng", function() return core.Rng("x") end, "bad argument #1 to 'Rng'", "number expected")
bad("Rng", function() return core.Rng(1.5) end, "bad argument #1 to 'Rng'")
bad("Rng", function() return core.Rng(1, {}) end, "bad argument #2 to 'Rng'")
bad("Data", function() return core.Data() end, "bad argument #1 to 'Data'", "table expected")
bad("Data", function() return core.Data({}, {}) end, "bad argument #1 to 'Data'", "1 to 2^31 items")
bad("Data", function() return core.Data({{1}}, {{1}, {2}}) end, "bad argument #2 to 'Data'", "2 targets for 1 inputs")
bad("Data", function() return core.Data({{1}}, {-1}) end, "bad argument #2 to 'Data'", "label 1 must be an integer 0..255")
bad("Data", function() return core.Data({{1}, {2}}, {0, 300}) end, "bad argument #2 to 'Data'", "label 2 must be an integer")
bad("Data", function() return core.Data({{1}}, {5}, 3) end, "bad argument #2 to 'Data'", "label 1 must be an integer 0..2")
bad("Data", function() return core.Data({{1}}, {0}, 0) end, "bad argument #3 to 'Data'", "classes must be 1 to 256")
bad("Data", function() return core.Data({{1}}, {0}, 1000) end, "bad argument #3 to 'Data'", "classes must be 1 to 256")
bad("Data", function() return core.Data({{1}, {1, 2}}, {0, 1}) end, "bad argument #1 to 'Data'", "input 2 has 2 elements, expected 1")
bad("Data", function() return core.Data({{"a"}}, {0}) end, "bad argument #1 to 'Data'", "input 1, element 1: number expected")
bad("Data", function() return core.Data({{1}}, {{"a"}}) end, "bad argument #2 to 'Data'", "target 1, element 1: number expected")
bad("Data", function() return core.Data({1}, {0}) end, "bad argument #1 to 'Data'", "non-empty vectors")
bad("Data", function() return core.Data({{1}}, {0.5}) end, "bad argument #2 to 'Data'", "vectors or class numbers")
bad("Data", function() return core.Data({{1}}, {nan}) end, "bad argument #2 to 'Data'")
bad("Data", function() return core.Data(M, core.Matrix(2, 1)) end, "bad argument #2 to 'Data'", "2 targets for 3 inputs")
bad("load_idx", function() return core.load_idx(1) end, "bad argument #2 to 'load_idx'")
bad("load_idx", function() return core.load_idx({}, "x") end, "bad argument #1 to 'load_idx'")
bad("load_idx", function() return core.load_idx(dir .. "/img", dir .. "/lab", 0) end, "bad argument #3 to 'load_idx'", "classes")
bad("load_idx", function() return core.load_idx(dir .. "/none", dir .. "/lab") end, "load_idx: " .. dir .. "/none", "cannot open")
bad("load_idx", function() return core.load_idx(dir, dir .. "/lab") end, "load_idx: " .. dir)
bad("load_idx", function() return core.load_idx(dir .. "/lab", dir .. "/lab") end, "load_idx: " .. dir .. "/lab", "bad magic")
bad("load_idx", function() return core.load_idx(dir .. "/img", dir .. "/lab99") end, "load_idx: " .. dir .. "/lab99", "label 99 of item 3 is out of range 0..9")
bad("load_idx", function() return core.load_idx(dir .. "/img", dir .. "/lab", 2) end, "load_idx", "label 2 of item 3 is out of range 0..1")
bad("Net", function() return core.Net() end, "bad argument #1 to 'Net'", "table expected")
bad("Net", function() return core.Net {} end, "bad option 'sizes' to 'Net'")
bad("Net", function() return core.Net {sizes = {1}} end, "bad option 'sizes' to 'Net'", "2 to 33 sizes")
bad("Net", function() return core.Net {sizes = {0, 1}} end, "bad option 'sizes' to 'Net'", "size 1 must be an integer 1 to 2^24")
bad("Net", function() return core.Net {sizes = {2, -3}} end, "bad option 'sizes' to 'Net'", "size 2")
bad("Net", function() return core.Net {sizes = {2, nan}} end, "bad option 'sizes' to 'Net'", "size 2")
bad("Net", function() return core.Net {sizes = {2, 2}, hidden = "x"} end, "bad option 'hidden' to 'Net'", "got 'x'")
bad("Net", function() return core.Net {sizes = {2, 2}, output = 1} end, "bad option 'output' to 'Net'", "string expected")
bad("Net", function() return core.Net {sizes = {2, 2}, cost = "cross-entropy", output = "relu"} end, "Net:", "cross-entropy cost needs a sigmoid output")
bad("Net", function() return core.Net {sizes = {2, 2}, bogus = 1} end, "unknown option 'bogus' to 'Net'")
bad("Net", function() return core.Net {sizes = {1 << 24, 1 << 24}} end, "Net:", "network too large")
bad("write_png", function() return core.write_png(1) end, "bad argument #3 to 'write_png'")
bad("write_png", function() return core.write_png(dir .. "/x.png", "ab", 1, 1) end, "bad argument #2 to 'write_png'", "1 bytes expected, got 2")
bad("write_png", function() return core.write_png(dir .. "/x.png", "", 0, 1) end, "bad argument #3 to 'write_png'", "width must be 1 to 65535")
bad("write_png", function() return core.write_png(dir .. "/x.png", "", 1, -1) end, "bad argument #4 to 'write_png'", "height")
bad("write_png", function() return core.write_png(dir .. "/x.png", "", 70000, 70000) end, "bad argument #3 to 'write_png'")
bad("write_png", function() return core.write_png(dir .. "/x.png", "a", 1, 1, 2) end, "bad argument #5 to 'write_png'", "channels must be 1 or 3")
bad("write_png", function() return core.write_png(dir .. "/x.png", core.Matrix(5, 1), 2, 2) end, "bad argument #2 to 'write_png'", "4 values expected")
bad("write_png", function() return core.write_png(dir .. "/x.png", {}, 1, 1) end, "bad argument #2 to 'write_png'", "string or lnn.Matrix expected")
bad("write_png", function() return core.write_png(dir .. "/no/x.png", "a", 1, 1) end, "write_png: " .. dir .. "/no/x.png")
bad("read_png", function() return core.read_png() end, "bad argument #1 to 'read_png'")
bad("read_png", function() return core.read_png(dir .. "/none") end, "read_png: " .. dir .. "/none", "cannot open")
bad("read_png", function() return core.read_png(dir .. "/img") end, "read_png: " .. dir .. "/img", "not a png file")
bad("write_idx", function() return core.write_idx(dir .. "/i", 2051, {1, 1}, "a") end, "bad argument #2 to 'write_idx'", "magic")
bad("write_idx", function() return core.write_idx(dir .. "/i", 2049, {}, "") end, "bad argument #3 to 'write_idx'", "1 to 4 dimensions")
bad("write_idx", function() return core.write_idx(dir .. "/i", 2049, {-1}, "") end, "bad argument #3 to 'write_idx'", "dimension 1 must be an integer 0 to 2^31-1")
bad("write_idx", function() return core.write_idx(dir .. "/i", 2049, {"a"}, "a") end, "bad argument #3 to 'write_idx'", "dimension 1")
bad("write_idx", function() return core.write_idx(dir .. "/i", 2049, {2}, "a") end, "bad argument #4 to 'write_idx'", "2 bytes expected, got 1")
bad("write_idx", function() return core.write_idx(dir .. "/i", 2051, {1 << 30, 1 << 30, 1 << 30}, "") end, "write_idx: " .. dir .. "/i", "absurd size")
bad("write_idx", function() return core.write_idx(dir .. "/i", 2049, {1}, "a", 10) end, "bad argument #5 to 'write_idx'", "gzip level")
bad("json_decode", function() return core.json_decode({}) end, "bad argument #1 to 'json_decode'", "string expected")
bad("json_decode", function() return core.json_decode("[1,]", "f.json") end, "f.json: json: trailing comma")
bad("json_decode", function() return core.json_decode("[NaN]") end, "json_decode: json: NaN is not valid JSON")
bad("json_decode", function() return core.json_decode("1e999") end, "json_decode: json: number out of range")
bad("json_decode", function() return core.json_decode(("["):rep(100)) end, "json_decode: json: nesting deeper than 64")
bad("json_number", function() return core.json_number(nan) end, "bad argument #1 to 'json_number'", "finite number expected")
bad("json_number", function() return core.json_number(-inf) end, "bad argument #1 to 'json_number'")
bad("json_number", function() return core.json_number("x") end, "bad argument #1 to 'json_number'", "number expected")
bad("call_as", function() return core.call_as(nil, 1, core.Matrix, {1}) end, "bad argument #1 to 'call_as'", "string expected, got nil")
bad("call_as", function() return core.call_as("f", 0, core.Matrix, {1}) end, "bad argument #2 to 'call_as'", "argument number >= 1")
bad("call_as", function() return core.call_as("f", 1, function() end) end, "bad argument #3 to 'call_as'", "function of lnn.core expected")
bad("type", function() return core.type() end, "bad argument #1 to 'type'", "value expected")
-- write_model/read_model report as 'save'/'load': the faces' names for them
bad("write_model", function() return core.write_model(dir .. "/m", "", M) end, "bad argument #2 to 'write_model'", "header of 1 byte")
bad("write_model", function() return core.write_model(dir .. "/m", "{}", 1) end, "bad argument #3 to 'write_model'", "lnn.Matrix expected")
bad("write_model", function() return core.write_model(dir .. "/no/m", "{}", M) end, "save: " .. dir .. "/no/m")
bad("read_model", function() return core.read_model() end, "bad argument #1 to 'read_model'")
bad("read_model", function() return core.read_model(dir .. "/none") end, "load: " .. dir .. "/none", "cannot open")
bad("read_model", function() return core.read_model(dir) end, "load: " .. dir, "not a regular file")
bad("read_model", function() return core.read_model(dir .. "/lab") end, "load: " .. dir .. "/lab", "not a model file")
bad("write_file", function() return core.write_file({}) end, "bad argument #1 to 'write_file'")
bad("write_file", function() return core.write_file(dir .. "/f", nil) end, "bad argument #2 to 'write_file'")
bad("write_file", function() return core.write_file(dir .. "/no/f", "a") end, "write_file: " .. dir .. "/no/f")
bad("write_file", function() return core.write_file(dir, "a") end, "write_file: " .. dir, "is a directory, not a regular file")
bad("check_writable", function() return core.check_writable() end, "bad argument #1 to 'check_writable'")
bad("check_writable", function() return core.check_writable(dir, "socket") end, "bad argument #2 to 'check_writable'", "invalid option 'socket'")
bad("catch_signals", function() return core.catch_signals() end, "bad argument #1 to 'catch_signals'", 'true, false or "now" expected, got no value')
bad("catch_signals", function() return core.catch_signals(1) end, "bad argument #1 to 'catch_signals'", 'true, false or "now" expected, got number')
bad("read_file", function() return core.read_file() end, "bad argument #1 to 'read_file'")
bad("read_file", function() return core.read_file(dir .. "/none") end, "read_file: " .. dir .. "/none", "cannot open")
bad("read_file", function() return core.read_file(dir) end, "read_file: " .. dir, "is a directory, not a regular file")
bad("read_file", function() return core.read_file(dir .. "/lab", -1) end, "bad argument #2 to 'read_file'", "size limit")
bad("read_file", function() return core.read_file(dir .. "/lab", 0) end, "read_file: " .. dir .. "/lab", "file too large")
bad("threads", function() return core.threads(0) end, "bad argument #1 to 'threads'", "1 to 256")
bad("threads", function() return core.threads(257) end, "bad argument #1 to 'threads'", "1 to 256")
bad("threads", function() return core.threads(1.5) end, "bad argument #1 to 'threads'", "number has no integer representation")
bad("isatty", function() return core.isatty(5) end, "bad argument #1 to 'isatty'", "0, 1 or 2 expected")
bad("isatty", function() return core.isatty() end, "bad argument #1 to 'isatty'")

---------------------------------------------------------------------------
-- Matrix, Rng, Data and Net methods; a method on the wrong object is 'bad self'

bad("Matrix:get", function() return M:get(0, 1) end, "bad argument #1 to 'get'", "index 0 out of range 1..3")
bad("Matrix:get", function() return M:get(1, 9) end, "bad argument #2 to 'get'", "index 9 out of range 1..2")
bad("Matrix:get", function() return M:get(1 << 62, 1) end, "bad argument #1 to 'get'", "out of range")
bad("Matrix:get", function() return M.get(R, 1, 1) end, "bad argument #1 to 'get'", "lnn.Matrix expected, got lnn.Rng")
bad("Matrix:set", function() return M:set(1, 1, "x") end, "bad argument #3 to 'set'", "number expected")
bad("Matrix:set", function() return M:set(4, 1, 0) end, "bad argument #1 to 'set'", "out of range")
bad("Matrix:view", function() return M:view(0, 1, 1) end, "bad argument #1 to 'view'", "exceeds 6 elements")
bad("Matrix:view", function() return M:view(6, 1, 2) end, "bad argument #1 to 'view'", "1x2 from element 6")
bad("Matrix:view", function() return M:view(1, 0, 1) end, "bad argument #2 to 'view'", "rows must be 1 to 2^30")
bad("Matrix:reshape", function() return M:reshape(4, 2) end, "bad argument #2 to 'reshape'", "cannot reshape 3x2 to 4x2")
bad("Matrix:reshape", function() return M:reshape(-6, -1) end, "bad argument #1 to 'reshape'")
bad("Matrix:copy_from", function() return M:copy_from(core.Matrix(2, 2)) end, "bad argument #1 to 'copy_from'", "shapes differ: 3x2 <- 2x2")
bad("Matrix:copy_from", function() return M:copy_from({}) end, "bad argument #1 to 'copy_from'", "lnn.Matrix expected, got table")
bad("Matrix:fill", function() return M:fill("x") end, "bad argument #1 to 'fill'", "number expected")
bad("Matrix:maxabsdiff", function() return M:maxabsdiff(core.Matrix(2, 3)) end, "bad argument #1 to 'maxabsdiff'", "shapes differ")
bad("Matrix:apply", function() return M:apply("bogus") end, "bad argument #1 to 'apply'", "invalid option 'bogus'")
bad("Matrix:tojson", function() return M:tojson("bogus") end, "bad argument #1 to 'tojson'", "invalid option 'bogus'")
bad("Matrix:tojson", function() return core.Matrix(1, 1, nan):tojson("rows") end, "tojson: element 1", "JSON has no NaN")
bad("Matrix:__index", function() return M[0] end, "bad argument #2 to 'index'", "index 0 out of range 1..3")
bad("Matrix:__index", function() return M[1][3] end, "bad argument #2 to 'index'", "index 3 out of range 1..2")
bad("Matrix:__newindex", function() M[1] = {1} end, "bad argument #3 to 'newindex'", "row needs 2 numbers")
bad("Matrix:__newindex", function() M[1][1] = "x" end, "bad argument #3 to 'newindex'", "number expected")
bad("Matrix:__newindex", function() M[1] = {"a", "b"} end, "bad argument #3 to 'newindex'", "element 1: number expected")
bad("Matrix:__newindex", function() M[9] = {1, 2} end, "bad argument #2 to 'newindex'", "out of range")
for _, m in ipairs {"shape", "numel", "totable", "copy", "sum", "argmax", "__len", "__tostring"} do
  bad("Matrix:" .. m, function() return getmetatable(M)[m](D) end, "bad argument #1 to '", "lnn.Matrix expected, got lnn.Data")
end
bad("Rng:random", function() return R:random(0) end, "bad argument #1 to 'random'", "n must be 1 to 2^32-1")
bad("Rng:random", function() return R:random(1 << 40) end, "bad argument #1 to 'random'")
bad("Rng:permutation", function() return R:permutation(-1) end, "bad argument #1 to 'permutation'", "n must be 0 to 2^28")
bad("Rng:permutation", function() return R:permutation((1 << 28) + 1) end, "bad argument #1 to 'permutation'")
bad("Rng:set_state", function() return R:set_state("x") end, "bad argument #1 to 'set_state'", "rng state expected")
bad("Rng:set_state", function() return R:set_state("pcg32:0000000000000000:0000000000000000") end, "bad argument #1 to 'set_state'", "odd increment")
bad("Rng:normal", function() return R:normal("a") end, "bad argument #1 to 'normal'", "number expected")
for _, m in ipairs {"uniform", "clone", "state", "__tostring"} do
  bad("Rng:" .. m, function() return getmetatable(R)[m](M) end, "bad argument #1 to '", "lnn.Rng expected, got lnn.Matrix")
end
bad("Data:get", function() return D:get(3) end, "bad argument #1 to 'get'", "index 3 out of range 1..2")
-- out of range is nil, as a Lua sequence (issue 22); a wrong type is an error
bad("Data:__index", function() return D[1.5] end, "bad argument #2 to 'index'", "item index expected (an integer), got 1.5")
bad("Data:__index", function() return D[true] end, "bad argument #2 to 'index'", "item index or method name expected, got boolean")
bad("Data:batches", function() return D:batches(0) end, "bad argument #1 to 'batches'", "batch size expected (an integer >= 1), got 0")
bad("Data:batches", function() return D:batches("x") end, "bad argument #1 to 'batches'", "number expected, got string")
bad("Data:slice", function() return D:slice(2, 1) end, "bad argument #2 to 'slice'", "last 1 out of range 2..2")
bad("Data:slice", function() return D:slice(0) end, "bad argument #1 to 'slice'", "first 0 out of range")
bad("Data:checksum", function() return D.checksum({}) end, "bad argument #1 to 'checksum'", "lnn.Data expected, got table")
bad("Data:label", function() return D:label(9) end, "bad argument #1 to 'label'", "index 9 out of range")
bad("Data:pixels", function() return D:pixels(1) end, "calling 'pixels' on bad self", "holds floats, not bytes")
bad("Data:pixels", function() return D8:pixels(4) end, "bad argument #1 to 'pixels'", "out of range")
bad("Data:matrices", function() return D:matrices(0) end, "bad argument #1 to 'matrices'", "first item 1..2 expected, got 0")
bad("Data:matrices", function() return D:matrices(2, 1) end, "bad argument #2 to 'matrices'", "last item 2..2 expected")
for _, m in ipairs {"onehot", "shape", "find_nonfinite", "__len", "__tostring"} do
  bad("Data:" .. m, function() return getmetatable(D)[m](N) end, "bad argument #1 to '", "lnn.Data expected, got lnn.Net")
end
bad("Net:init", function() return N:init("x") end, "bad argument #1 to 'init'", "lnn.Rng expected, got string")
bad("Net:init", function() return N:init(R, "bogus") end, "bad argument #2 to 'init'", "invalid option 'bogus'")
bad("Net:weights", function() return N:weights(0) end, "bad argument #1 to 'weights'", "layer 0 out of range 1..2")
bad("Net:chunks", function() return N:chunks(0) end, "bad argument #1 to 'chunks'", "mini-batch size 1 to 2^20 expected")
bad("Net:chunks", function() return N:chunks("x") end, "bad argument #1 to 'chunks'", "number expected, got string")
bad("Net:biases", function() return N:biases(3) end, "bad argument #1 to 'biases'", "layer 3 out of range 1..2")
bad("Net:forward", function() return N:forward(core.Matrix(3, 3)) end, "bad argument #1 to 'forward'", "input of 2 elements or m x 2 expected, got 3x3")
bad("Net:forward", function() return N:forward({1, 2}) end, "bad argument #1 to 'forward'", "lnn.Matrix expected, got table")
bad("Net:gradient", function() return N:gradient(core.Matrix(2, 1), core.Matrix(3, 1)) end, "bad argument #2 to 'gradient'", "1 x 2 targets expected, got 3x1")
bad("Net:update", function() return N:update(core.Matrix(1, 2), core.Matrix(1, 2), {}) end, "bad option 'eta' to 'update'", "positive number expected")
bad("Net:update", function() return N:update(core.Matrix(1, 2), core.Matrix(1, 2), {eta = nan}) end, "bad option 'eta' to 'update'")
bad("Net:update", function() return N:update(core.Matrix(1, 2), core.Matrix(1, 2), {eta = inf}) end, "bad option 'eta' to 'update'")
bad("Net:update", function() return N:update(core.Matrix(1, 2), core.Matrix(1, 2), {eta = 1, mu = 1}) end, "bad option 'mu' to 'update'", "[0, 1)")
bad("Net:update", function() return N:update(core.Matrix(1, 2), core.Matrix(1, 2), {eta = 1, lmbda = -inf}) end, "bad option 'lmbda' to 'update'")
bad("Net:update", function() return N:update(core.Matrix(1, 2), core.Matrix(1, 2), {eta = 1, n = 1.5}) end, "bad option 'n' to 'update'", "integer expected, got a fraction")
bad("Net:train_epoch", function() return N:train_epoch(D, R, {eta = 1, batch = 0}) end, "bad option 'batch' to 'train_epoch'", "integer 1 to 2^20")
bad("Net:train_epoch", function() return N:train_epoch(D, R, {eta = 1, batch = 1 << 30}) end, "bad option 'batch' to 'train_epoch'")
bad("Net:train_epoch", function() return N:train_epoch(D, R, {eta = 1, n = 0}) end, "bad option 'n' to 'train_epoch'", "positive integer")
bad("Net:train_epoch", function() return N:train_epoch(D, R, {eta = 1, bogus = 1}) end, "unknown option 'bogus' to 'train_epoch'")
bad("Net:train_epoch", function() return N:train_epoch(D, R) end, "bad argument #3 to 'train_epoch'", "table expected")
bad("Net:train_epoch", function() return N:train_epoch(R, D, {}) end, "bad argument #1 to 'train_epoch'", "lnn.Data expected, got lnn.Rng")
bad("Net:train_epoch", function() return N:train_epoch(core.Data({{1, 2, 3}}, {0}), R, {eta = 1}) end, "bad argument #1 to 'train_epoch'", "items of 2 inputs expected, got 3")
bad("Net:evaluate", function() return N:evaluate(core.Data({{1, 2}}, {4})) end, "bad argument #1 to 'evaluate'", "2 classes or targets expected, got 5")
bad("Net:evaluate", function() return N:evaluate(M) end, "bad argument #1 to 'evaluate'", "lnn.Data expected")
bad("Net:predict", function() return N:predict(core.Data({{1, 2}}, {4})) end, "bad argument #1 to 'predict'", "2 classes expected, got 5")
bad("Net:predict", function() return N:predict(core.Data({{1, 2, 3}}, {0})) end, "bad argument #1 to 'predict'", "items of 2 inputs expected")
for _, m in ipairs {"layout", "params", "weight_sqsum", "__tostring"} do
  bad("Net:" .. m, function() return getmetatable(N)[m](D) end, "bad argument #1 to '", "lnn.Net expected, got lnn.Data")
end

---------------------------------------------------------------------------
-- lnn.core.tools

bad("tools.expand", function() return T.expand(1) end, "bad argument #1 to 'expand'", "lnn.Data expected")
bad("tools.expand", function() return T.expand(D8, 0, 2) end, "bad argument #2 to 'expand'", "rows must be 1 to 65535, got 0")
bad("tools.expand", function() return T.expand(D8, 3, 3) end, "bad argument #2 to 'expand'", "9 pixels per image expected, got 4")
bad("tools.shift", function() return T.shift("abcd", 2, 2, 5, 0) end, "bad argument #4 to 'shift'", "row shift must be within the image")
bad("tools.shift", function() return T.shift("abc", 2, 2, 0, 0) end, "bad argument #1 to 'shift'", "4 bytes (2 x 2) expected, got 3")
bad("tools.write_idx_pair", function() return T.write_idx_pair(D8, 1) end, "bad argument #3 to 'write_idx_pair'")
bad("tools.write_idx_pair", function() return T.write_idx_pair(D8, dir .. "/no/a", dir .. "/no/b", 2, 2) end, "write_idx_pair: " .. dir .. "/no/a")
bad("tools.avg_darknesses", function() return T.avg_darknesses(1) end, "bad argument #1 to 'avg_darknesses'", "lnn.Data expected")
bad("tools.guess_digits", function() return T.guess_digits(D8, 5) end, "bad argument #2 to 'guess_digits'", "table expected")
bad("tools.guess_digits", function() return T.guess_digits(D8, {[0] = "x"}) end, "bad argument #2 to 'guess_digits'", "average of digit 0: number expected")
bad("tools.svm_train", function() return T.svm_train(D8, {C = -1}) end, "bad option 'C' to 'svm_train'", "positive number expected")
bad("tools.svm_train", function() return T.svm_train(D8, {bogus = 1}) end, "unknown option 'bogus' to 'svm_train'")
bad("tools.svm_predict", function() return T.svm_predict(1, D8) end, "bad argument #1 to 'svm_predict'", "lnn.Matrix expected")
bad("tools.svm_predict", function() return T.svm_predict(core.Matrix(2, 2), D8) end, "bad argument #1 to 'svm_predict'", "k x 5 weights for 4 inputs")
bad("tools.rff_map", function() return T.rff_map(1, 0, 4, 0.5) end, "bad argument #2 to 'rff_map'", "1 to 1000000 features")
bad("tools.rff_map", function() return T.rff_map(1, 8, 4, 0 / 0) end, "bad argument #4 to 'rff_map'", "a positive gamma expected")
bad("tools.rff_map", function() return T.rff_map("x", 8, 4, 0.5) end, "bad argument #1 to 'rff_map'")
bad("tools.rff_features", function() return T.rff_features(1, core.Matrix(8, 4), core.Matrix(8, 1)) end, "bad argument #1 to 'rff_features'", "lnn.Data expected")
bad("tools.rff_features", function() return T.rff_features(D8, core.Matrix(8, 3), core.Matrix(8, 1)) end, "bad argument #2 to 'rff_features'", "D x 4 Matrix expected for 4 inputs, got 8x3")
bad("tools.rff_features", function() return T.rff_features(D8, core.Matrix(8, 4), core.Matrix(2, 2)) end, "bad argument #3 to 'rff_features'", "8 values expected (one per feature), got 2x2")
bad("tools.confusion", function() return T.confusion(D8, {1}) end, "bad argument #2 to 'confusion'", "3 predictions expected, got 1")
bad("tools.confusion", function() return T.confusion(D8, {0, 0, 99}) end, "bad argument #2 to 'confusion'", "prediction 3: class 0..9 expected, got 99")
bad("tools.gather", function() return T.gather(D8, {0}) end, "bad argument #2 to 'gather'", "item 1..3 expected, got 0")
bad("tools.gather", function() return T.gather(D8, {"a"}) end, "bad argument #2 to 'gather'")
bad("tools.write_sheet", function() return T.write_sheet(dir .. "/s.png", "ab", 1, 1, 1) end, "bad argument #2 to 'write_sheet'", "1 bytes (1 images of 1 x 1) expected, got 2")
bad("tools.write_sheet", function() return T.write_sheet(dir .. "/s.png", "a", 1, 1, 1, {columns = 0}) end, "bad option 'columns' to 'write_sheet'")
bad("tools.write_confusion_png", function() return T.write_confusion_png(dir .. "/c.png", 5) end, "bad argument #2 to 'write_confusion_png'", "table expected")
bad("tools.write_confusion_png", function() return T.write_confusion_png(dir .. "/c.png", {{1, 2}}) end, "bad argument #2 to 'write_confusion_png'", "row 1: 1 counts expected")
bad("tools.rows_to_bytes", function() return T.rows_to_bytes(1) end, "bad argument #1 to 'rows_to_bytes'", "lnn.Matrix expected")
bad("tools.dir", function() return T.dir({}) end, "bad argument #1 to 'dir'", "string expected")
bad("tools.dir", function() return T.dir(dir .. "/none") end, "dir: " .. dir .. "/none")
bad("tools.mkdir", function() return T.mkdir(dir .. "/img/x/y") end, "mkdir: " .. dir .. "/img exists and is not a folder")
bad("tools.mkdir", function() return T.mkdir("") end, "bad argument #1 to 'mkdir'", "a folder name expected")
bad("tools.mkdir", function() return T.mkdir() end, "bad argument #1 to 'mkdir'")

---------------------------------------------------------------------------
-- The faces

local net = network.Network({2, 3, 2})
local pair = {{{1, 2}, {1, 0}}}
bad("network.Network", function() return network.Network(1) end, "bad argument #1 to 'Network'", "table of layer sizes expected")
bad("network.Network", function() return network.Network({2}) end, "bad argument #1 to 'Network'", "at least 2 layer sizes")
bad("network.Network", function() return network.Network({2, 0}) end, "bad argument #1 to 'Network'", "size 2 must be a positive integer, got 0")
bad("network.Network", function() return network.Network({2, nan}) end, "bad argument #1 to 'Network'", "size 2")
bad("network.Network", function() return network.Network({2, 2}, {seed = 1.5}) end, "bad option 'seed' to 'Network'")
bad("network.Network", function() return network.Network({2, 2}, {sed = 1}) end, "unknown option 'sed' to 'Network'")
bad("network.Network", function() return network.Network({2, 2}, {rng = 1}) end, "bad option 'rng' to 'Network'", "lnn.Rng expected, got number")
bad("network.Network", function() return network.Network({2, 2}, 5) end, "bad argument #2 to 'Network'", "options table expected")
bad("network.feedforward", function() return net:feedforward({1}) end, "bad argument #1 to 'feedforward'", "2 values expected, got 1")
bad("network.feedforward", function() return net:feedforward("x") end, "bad argument #1 to 'feedforward'", "lnn.Matrix or table expected")
bad("network.feedforward", function() return net:feedforward({"a", "b"}) end, "bad argument #1 to 'feedforward'", "element 1: number expected")
bad("network.feedforward", function() return net.feedforward({1, 2}) end, "calling 'feedforward' on bad self")
bad("network.backprop", function() return net:backprop({1, 2}, 5) end, "bad argument #2 to 'backprop'", "class 0..1 expected, got 5")
bad("network.backprop", function() return net:backprop({1, 2}, -1) end, "bad argument #2 to 'backprop'", "class 0..1")
bad("network.backprop", function() return net:backprop({1, 2}, {1}) end, "bad argument #2 to 'backprop'", "2 values expected, got 1")
bad("network.backprop", function() return net:backprop(nil, {1, 0}) end, "bad argument #1 to 'backprop'")
bad("network.evaluate", function() return net:evaluate({}) end, "bad argument #1 to 'evaluate'", "empty list")
bad("network.evaluate", function() return net:evaluate({{1}}) end, "bad argument #1 to 'evaluate'", "item 1 is not an {x, y} pair")
bad("network.evaluate", function() return net:evaluate({{{1, 2}, 5}}) end, "bad argument #1 to 'evaluate'", "label 1 must be an integer 0..1")
bad("network.evaluate", function() return net:evaluate(D8) end, "bad argument #1 to 'evaluate'", "items of 2 inputs expected, got 4")
bad("network.evaluate", function() return net:evaluate(core.Data({{1, 2}}, {5})) end, "bad argument #1 to 'evaluate'", "2 classes or targets expected, got 6")
bad("network.update_mini_batch", function() return net:update_mini_batch(pair, 0) end, "bad argument #2 to 'update_mini_batch'", "positive learning rate")
bad("network.update_mini_batch", function() return net:update_mini_batch(pair, nan) end, "bad argument #2 to 'update_mini_batch'")
bad("network.update_mini_batch", function() return net:update_mini_batch({{{1, 2, 3}, {1, 0}}}, 1) end, "bad argument #1 to 'update_mini_batch'", "items of 2 inputs expected, got 3")
bad("network.cost_derivative", function() return net:cost_derivative({1}, {1}) end, "bad argument #1 to 'cost_derivative'", "2 values expected")
bad("network.cost_derivative", function() return net:cost_derivative({1, 2}, "y") end, "bad argument #2 to 'cost_derivative'")
bad("network.SGD", function() return net:SGD(D, -1, 1, 1) end, "bad argument #2 to 'SGD'", "epochs must be an integer >= 0")
bad("network.SGD", function() return net:SGD(D, 1.5, 1, 1) end, "bad argument #2 to 'SGD'")
bad("network.SGD", function() return net:SGD(D, 1, 0, 1) end, "bad argument #3 to 'SGD'", "mini_batch_size must be an integer >= 1")
bad("network.SGD", function() return net:SGD(D, 1, 1, inf) end, "bad argument #4 to 'SGD'", "positive learning rate expected, got inf")
bad("network.SGD", function() return net:SGD(D, 1, 1, -1) end, "bad argument #4 to 'SGD'")
bad("network.SGD", function() return net:SGD(D, 1, 1, 1, 5) end, "bad argument #5 to 'SGD'")
bad("network.SGD", function() return net:SGD(D, 1, 1, 1, nil, {bogus = 1}) end, "unknown option 'bogus' to 'SGD'")
bad("network.SGD", function() return net:SGD(D, 1, 1, 1, nil, {start_epoch = -1}) end, "bad option 'start_epoch' to 'SGD'")
bad("network.SGD", function() return net:SGD(D, 1, 1, 1, nil, {backup_every = "x"}) end, "bad option 'backup_every' to 'SGD'")
bad("network.SGD", function() return net:SGD(D, 1, 1, 1, nil, {backups = 5}) end, "bad option 'backups' to 'SGD'", "string expected, got number")
bad("network.SGD", function() return net:SGD(D, 1, 1, 1, nil, {log = 5}) end, "bad option 'log' to 'SGD'", "function expected")
bad("network.SGD", function() return net:SGD(D, 1, 1, 1, nil, {on_epoch = 5}) end, "bad option 'on_epoch' to 'SGD'")
bad("network.SGD", function() return net:SGD(core.Data({{1, 2, 3}}, {0}), 1, 1, 1) end, "bad argument #1 to 'SGD'", "items of 2 inputs expected, got 3")
bad("network.SGD", function() return net:SGD(core.Data({{nan, 2}}, {0}, 2), 1, 1, 1) end, "SGD: training data item 1 holds NaN or infinity (input element 1)")
bad("network.SGD", function() return net.SGD(D, 1, 1, 1) end, "calling 'SGD' on bad self")
bad("network.save", function() return net:save(5) end, "bad argument #1 to 'save'", "file name expected")
bad("network.save", function() return net:save(dir .. "/no/x") end, "save: " .. dir .. "/no/x")
bad("network.save", function() return net.save(5) end, "calling 'save' on bad self")
bad("network.load", function() return network.load(5) end, "bad argument #1 to 'load'", "file name expected")
bad("network.load", function() return network.load(dir .. "/none") end, "load: " .. dir .. "/none", "cannot open")
bad("network.load", function() return network.load(dir .. "/img") end, "load: " .. dir .. "/img")
bad("network.weights", function() net.weights = 5 end, "weights: a list of 2 matrices expected")
bad("network.weights", function() net.biases = {M, M} end, "biases[1]: 3 values (3x1) expected, got 3x2")
bad("network.weights", function() net.weights[1] = {{"x"}} end, "weights[1]: ", "row 1, element 1")
bad("network.weights", function() net.biases[0] = M end, "bad field 'biases[0]' (layer 1 to 2 expected)")
bad("network.sigmoid", function() return network.sigmoid("x") end, "bad argument #1 to 'sigmoid'", "number or lnn.Matrix expected")
bad("network.sigmoid", function() return network.sigmoid({{"a"}}) end, "bad argument #1 to 'sigmoid'", "row 1, element 1")
bad("network.sigmoid_prime", function() return network.sigmoid_prime({}) end, "bad argument #1 to 'sigmoid_prime'", "1 to 2^30 rows")
bad("network2.sigmoid", function() return network2.sigmoid(true) end, "bad argument #1 to 'sigmoid'")
bad("network2.sigmoid_prime", function() return network2.sigmoid_prime("x") end, "bad argument #1 to 'sigmoid_prime'")

local net2 = network2.Network({4, 3, 10})
bad("network2.Network", function() return network2.Network(1) end, "bad argument #1 to 'Network'", "table of layer sizes")
bad("network2.Network", function() return network2.Network({2, 2}, "Bogus") end, "bad argument #2 to 'Network'", "got Bogus")
bad("network2.Network", function() return network2.Network({2, 2}, nil, {hidden = "x"}) end, "bad argument #3 to 'Network'", "unknown activation 'x'")
bad("network2.Network", function() return network2.Network({2, 2}, network2.LogLikelihoodCost, {output = "sigmoid"}) end, "bad argument #3 to 'Network'", "needs a softmax output")
bad("network2.Network", function() return network2.Network({2, 2}, nil, {rng = 5}) end, "bad option 'rng' to 'Network'")
bad("network2.Network", function() return network2.Network({2, 2}, nil, {seed = "x"}) end, "bad option 'seed' to 'Network' (integer expected, got x)")
bad("network2.accuracy", function() return net2:accuracy(5) end, "bad argument #1 to 'accuracy'", "lnn.Data or list of {x, y} expected")
bad("network2.accuracy", function() return net2:accuracy(D) end, "bad argument #1 to 'accuracy'", "items of 4 inputs expected, got 2")
bad("network2.accuracy", function() return net2:accuracy(D8, "x") end, "bad argument #2 to 'accuracy'", "boolean expected")
bad("network2.total_cost", function() return net2:total_cost(D8, -1) end, "bad argument #2 to 'total_cost'", "lmbda must be a number >= 0")
bad("network2.total_cost", function() return net2:total_cost(D8, nan) end, "bad argument #2 to 'total_cost'")
bad("network2.update_mini_batch", function() return net2:update_mini_batch(D8, 1, 1, 0) end, "bad argument #4 to 'update_mini_batch'")
bad("network2.update_mini_batch", function() return net2:update_mini_batch(D8, 0) end, "bad argument #2 to 'update_mini_batch'")
bad("network2.SGD", function() return net2:SGD(D8, 1, 1, 1, {mu = 1}) end, "bad argument #5 to 'SGD'", "option 'mu' must be a number in [0, 1)")
bad("network2.SGD", function() return net2:SGD(D8, 1, 1, 1, {early_stopping_n = 2}) end, "bad argument #5 to 'SGD'", "evaluation_data is needed")
bad("network2.SGD", function() return net2:SGD(D8, 1, 1, 1, {lmbda = -1}) end, "bad argument #5 to 'SGD'", "lmbda")
bad("network2.SGD", function() return net2:SGD(D8, 1, 1, 1, {log = 1}) end, "bad option 'log' to 'SGD'", "function expected")
bad("network2.feedforward", function() return net2:feedforward({1}) end, "bad argument #1 to 'feedforward'", "4 values expected, got 1")
bad("network2.backprop", function() return net2:backprop({1, 2, 3, 4}, 10) end, "bad argument #2 to 'backprop'", "class 0..9 expected, got 10")
bad("network2.evaluate", function() return net2:evaluate({}) end, "bad argument #1 to 'evaluate'", "empty list")
bad("network2.cost_derivative", function() return net2:cost_derivative({1}, {1}) end, "bad argument #1 to 'cost_derivative'", "10 values expected")
bad("network2.SGD", function() return net2:SGD(D8, 1, 1, 1, {evaluation_data = 5}) end, "bad argument #5 to 'SGD'")
bad("network2.SGD", function() return net2:SGD(D8, -1, 1, 1) end, "bad argument #2 to 'SGD'", "epochs")
bad("network2.SGD", function() return net2:SGD(core.Data({{1, 2, inf, 4}}, {0}, 10), 1, 1, 1) end, "SGD: training data item 1 holds NaN or infinity (input element 3)")
bad("network2.gradient_norms", function() return net2:gradient_norms(5) end, "bad argument #1 to 'gradient_norms'")
bad("network2.save", function() return net2:save(5) end, "bad argument #1 to 'save'", "file name expected")
bad("network2.save", function() return net2:save(dir .. "/no/x") end, "save: " .. dir .. "/no/x")
bad("network2.load", function() return network2.load(5) end, "bad argument #1 to 'load'", "file name expected")
bad("network2.load", function() return network2.load(dir .. "/none") end, "load: " .. dir .. "/none", "cannot open")
bad("network2.load", function() return network2.load(dir .. "/img") end, "load: " .. dir .. "/img", "json:")
bad("network2.default_weight_initializer", function() return net2.default_weight_initializer(5) end, "calling 'default_weight_initializer' on bad self")
bad("network2.large_weight_initializer", function() return net2.large_weight_initializer({}) end, "calling 'large_weight_initializer' on bad self")
bad("network2.vectorized_result", function() return network2.vectorized_result(-1) end, "bad argument #1 to 'vectorized_result'", "digit 0..9 expected")
bad("network2.cost", function() return network2.CrossEntropyCost.fn({1}, {1, 2}) end, "'CrossEntropyCost.fn'", "a has 1 values, y has 2")
bad("network2.cost", function() return network2.QuadraticCost.fn("x", {1}) end, "bad argument #1 to 'QuadraticCost.fn'")
bad("network2.cost", function() return network2.QuadraticCost.delta({1, 2}, {1}, {1}) end, "'QuadraticCost.delta'", "z has 2 values, a has 1")

bad("mnist_loader.load_data", function() return loader.load_data(5) end, "bad argument #1 to 'load_data'", "folder name expected")
bad("mnist_loader.load_data", function() return loader.load_data(dir .. "/none") end, "not found in " .. dir .. "/none")
bad("mnist_loader.load_data", function() return loader.load_data(dir, {bogus = 1}) end, "bad argument #2 to 'load_data'", "unknown option 'bogus'")
bad("mnist_loader.load_data_wrapper", function() return loader.load_data_wrapper(5) end, "bad argument #1 to 'load_data_wrapper'")
bad("mnist_loader.load_data_wrapper", function() return loader.load_data_wrapper(nil, 5) end, "bad argument #2 to 'load_data_wrapper'")
bad("mnist_loader.vectorized_result", function() return loader.vectorized_result(10) end, "bad argument #1 to 'vectorized_result'", "got 10")
bad("mnist_loader.vectorized_result", function() return loader.vectorized_result(1.5) end, "bad argument #1 to 'vectorized_result'")
bad("mnist_loader.vectorized_result", function() return loader.vectorized_result(nan) end, "bad argument #1 to 'vectorized_result'")
bad("mnist_loader.vectorToImage", function() return loader.vectorToImage(M, dir .. "/x.png") end, "bad argument #1 to 'vectorToImage'", "square number of values", "got 6")
bad("mnist_loader.vectorToImage", function() return loader.vectorToImage("x", dir .. "/x.png") end, "bad argument #1 to 'vectorToImage'", "lnn.Matrix or table expected")
bad("mnist_loader.vectorToImage", function() return loader.vectorToImage({{"a"}}, dir .. "/x.png") end, "bad argument #1 to 'vectorToImage'", "row 1, element 1")
bad("mnist_loader.vectorToImage", function() return loader.vectorToImage(core.Matrix(784, 1), {}) end, "bad argument #2 to 'vectorToImage'", "file name or nil expected, got table")
bad("mnist_loader.path", function() return loader.path(5, "x") end, "bad argument #1 to 'path'", "string expected")
bad("mnist_loader.path", function() return loader.path(dir, nil) end, "bad argument #2 to 'path'")
bad("mnist_loader.path", function() return loader.path(dir, "none") end, "none.gz not found in " .. dir)
bad("mnist_loader.manifest", function() return loader.manifest(5) end, "bad argument #1 to 'manifest'", "folder name expected, got number")
bad("mnist_loader.files", function() return loader.files({}) end, "bad argument #1 to 'files'", "folder name expected, got table")
bad("mnist_loader.files", function() return loader.files(dir, "yes") end, "bad argument #2 to 'files'", "boolean or nil expected, got string")
bad("mnist_loader.problem", function() return loader.problem(7) end, "bad argument #1 to 'problem'", "folder name expected, got number")
bad("mnist_loader.problem", function() return loader.problem(dir, 1) end, "bad argument #2 to 'problem'", "boolean or nil expected, got number")
bad("checksum", function() return core.checksum({}) end, "bad argument #1 to 'checksum'", "string expected, got table")
bad("checksum", function() return core.checksum(dir .. "/none") end, "checksum: " .. dir .. "/none", "No such file")
bad("mnist_loader.default_dir", function() return loader.default_dir():find(nil) end, "bad argument #1 to 'find'") -- takes no input

bad("model.save", function() return model.save(5) end, "bad argument #1 to 'save'", "file name expected")
bad("model.save", function() return model.save(dir .. "/m", 5) end, "bad argument #2 to 'save'", "lnn.Net expected, got number")
bad("model.save", function() return model.save(dir .. "/m", N, 5) end, "bad argument #3 to 'save'", "metadata table expected")
bad("model.load", function() return model.load(5) end, "bad argument #1 to 'load'", "file name expected")
bad("model.load", function() return model.load(dir .. "/img") end, "load: " .. dir .. "/img")
bad("model.layout_of", function() return model.layout_of(5) end, "bad argument #1 to 'layout_of'", "lnn.Net expected, got number")
bad("model.layout_of", function() return model.layout_of({}) end, "bad argument #1 to 'layout_of'", "got table")
bad("model.import", function() return model.import(5, dir .. "/m") end, "bad argument #1 to 'import'", "a network expected, got number")
bad("model.import", function() return model.import(N, 5) end, "bad argument #2 to 'import'", "file name expected")
bad("model.import", function() return model.import(N, dir .. "/none") end, "cannot open")
bad("model.export", function() return model.export({}, dir .. "/m") end, "bad argument #1 to 'export'", "a network expected, got table")
bad("model.export", function() return model.export(N, 5) end, "bad argument #2 to 'export'", "file name expected")
bad("model.export", function() return model.export(N, dir .. "/m", 5) end, "bad argument #3 to 'export'", "prefixes expected, got number")
bad("model.load_any", function() return model.load_any(5) end, "bad argument #1 to 'load_any'", "file name expected, got number")
bad("model.load_any", function() return model.load_any(dir .. "/none") end, "cannot open")
-- which_loader and hint serve error messages: they answer nil / "" for what is not a file, never raise
bad("model.which_loader", function() if model.which_loader(5) == nil and model.which_loader(dir .. "/none") == nil then error("which_loader: nil for a non-file") end end, "which_loader: nil for a non-file")
bad("model.hint", function() if model.hint(5) == "" then error("hint: empty for a non-file") end end, "hint: empty for a non-file")
bad("net_nparams", function() return core.net_nparams(5) end, "bad argument #1 to 'net_nparams'", "table expected")
bad("net_nparams", function() return core.net_nparams {layers = {{kind = "dense", n_in = 3, n_out = 1 << 25}}} end, "Net", "n_out")
bad("net_nparams", function() return core.net_nparams {layers = {{kind = "convpool", image = {1, 5, 5}, filters = {2, 1, 6, 1}, pool = {1, 1}}}} end, "filter height is 6")
bad("tools.vote", function() return T.vote({}, 10) end, "bad argument #1 to 'vote'", "1 to 4096 prediction lists")
bad("tools.vote", function() return T.vote({{1, 2}, {1}}, 10) end, "bad argument #1 to 'vote'", "list 2 has 1 predictions, list 1 has 2")
bad("tools.vote", function() return T.vote({{1, 10}}, 10) end, "bad argument #1 to 'vote'", "list 1, prediction 2: class 0..9 expected, got 10")
bad("tools.vote", function() return T.vote({{1}, "x"}, 10) end, "bad argument #1 to 'vote'", "list 2: table expected, got string")
bad("tools.vote", function() return T.vote({{1}}, 0) end, "bad argument #2 to 'vote'", "classes must be 1 to 256")

-- lnn.network3 (more in spec/network3_spec.lua); D8 has 4 inputs and 10 classes
local net3 = network3.Network({network3.SoftmaxLayer {n_in = 4, n_out = 10}}, 1)
for _, a in ipairs {"linear", "ReLU", "sigmoid", "tanh"} do
  bad("network3." .. a, function() return network3[a]("x") end, "bad argument #1 to '" .. a .. "'", "number or lnn.Matrix expected, got string")
end
bad("network3.ConvPoolLayer", function() return network3.ConvPoolLayer(5) end, "bad argument #1 to 'ConvPoolLayer'", "options table expected")
bad("network3.ConvPoolLayer", function() return network3.ConvPoolLayer {image_shape = {1, 1, 8, 8}, filter_shape = {2, 1, 3, 3}, poolsize = {0, 2}} end, "bad option 'poolsize' to 'ConvPoolLayer'")
bad("network3.FullyConnectedLayer", function() return network3.FullyConnectedLayer {n_in = 4, n_out = nan} end, "bad option 'n_out' to 'FullyConnectedLayer'")
bad("network3.SoftmaxLayer", function() return network3.SoftmaxLayer {n_in = 4, n_out = 2, p_dropout = -0.5} end, "bad option 'p_dropout' to 'SoftmaxLayer'")
bad("network3.Network", function() return network3.Network(5, 1) end, "bad argument #1 to 'Network'")
bad("network3.Network", function() return network3.Network({network3.SoftmaxLayer {n_in = 4, n_out = 2}}, 0) end, "bad argument #2 to 'Network'", "positive integer mini_batch_size expected, got 0")
bad("network3.Network", function() return network3.Network({network3.FullyConnectedLayer {n_in = 4, n_out = 3}, network3.SoftmaxLayer {n_in = 4, n_out = 2}}, 1) end, "Network", "layer 2")
bad("network3.accuracy", function() return net3:accuracy(5) end, "bad argument #1 to 'accuracy'", "lnn.Data")
bad("network3.predict", function() return net3:predict(D) end, "bad argument #1 to 'predict'", "items of 4 inputs expected, got 2")
bad("network3.feedforward", function() return net3:feedforward("x") end, "bad argument #1 to 'feedforward'", "lnn.Matrix or table expected")
bad("network3.SGD", function() return net3:SGD(D8, 1, 1, inf, D8) end, "bad argument #4 to 'SGD'", "positive learning rate expected")
bad("network3.SGD", function() return net3:SGD(D8, 1, 1, 0.1, D8, nil, 0, 5) end, "bad argument #8 to 'SGD'", "options table expected")
bad("network3.save", function() return net3:save(5) end, "bad argument #1 to 'save'", "file name expected")
bad("network3.save", function() return net3:save(dir .. "/no/x") end, "save: " .. dir .. "/no/x")
bad("network3.load", function() return network3.load(5) end, "bad argument #1 to 'load'", "file name expected")
bad("network3.load", function() return network3.load(dir .. "/img") end, "load: " .. dir .. "/img")
bad("network3.ensemble", function() return network3.ensemble({}) end, "bad argument #1 to 'ensemble'", "non-empty list")
bad("network3.ensemble", function() return network3.ensemble({net3, 5}) end, "bad argument #1 to 'ensemble'", "item 2: Network or file name expected, got number")
bad("network3.ensemble", function() return network3.ensemble({net3, network3.Network({network3.SoftmaxLayer {n_in = 4, n_out = 3}}, 1)}) end, "bad argument #1 to 'ensemble'", "item 2 takes or gives other sizes")
bad("network3.Network", function() return network3.Network({network3.SoftmaxLayer {n_in = 4, n_out = 2}}, 1, {seed = 0.5}) end, "bad option 'seed' to 'Network' (integer expected, got 0.5)")
-- what every face has from lnn.face
for fname, n in pairs {network = network.Network({4, 3, 10}), network2 = net2, network3 = net3} do
  bad(fname .. ".predict", function() return n:predict(5) end, "bad argument #1 to 'predict'", "lnn.Data or list of {x, y} expected, got number")
  bad(fname .. ".predict", function() return n.predict(D8) end, "calling 'predict' on bad self")
  bad(fname .. ".summary", function() return n:summary("x") end, "bad argument #1 to 'summary' (function expected, got string)")
  local o = {on_saturation = 1}
  local args_ = {network = {D8, 1, 1, 0.1, nil, o}, network2 = {D8, 1, 1, 0.1, o}, network3 = {D8, 1, 1, 0.1, D8, nil, 0, o}}
  bad(fname .. ".SGD", function() return n:SGD(table.unpack(args_[fname], 1, 8)) end, "bad option 'on_saturation' to 'SGD'")
end
local vote3 = network3.ensemble({net3, net3})
bad("network3.Ensemble:predict", function() return vote3:predict(5) end, "bad argument #1 to 'predict'", "lnn.Data")
bad("network3.Ensemble:accuracy", function() return vote3:accuracy(D) end, "bad argument #1 to 'accuracy'", "items of 4 inputs")

bad("json.encode", function() return json.encode(print) end, "json.encode: cannot encode a function")
bad("json.encode", function() return json.encode({[true] = 1}) end, "json.encode: object keys must be strings, got boolean")
bad("json.encode", function() return json.encode({1, nan}) end, "json.encode: cannot encode", "no NaN or infinity")
bad("json.encode", function() return json.encode(-inf) end, "json.encode: cannot encode -inf")
bad("json.encode", function() local t = {} t[1] = t return json.encode(t) end, "json.encode: tables nested deeper than 64")
bad("json.decode", function() return json.decode({}) end, "bad argument #1 to 'json_decode'")
bad("json.decode", function() return json.decode("{", "x.json") end, "x.json: json: expected a string key or '}'")

---------------------------------------------------------------------------

describe("bad input", function()
  teardown(cleanup)

  it(("gives a Lua error naming the function and the argument in each of %d cases"):format(#cases), function()
    local failures = {}
    for i, c in ipairs(cases) do
      local ok, err = pcall(c[2])
      if ok then
        failures[#failures + 1] = ("case %d (%s): no error"):format(i, c[1])
      elseif type(err) ~= "string" then
        failures[#failures + 1] = ("case %d (%s): error is a %s"):format(i, c[1], type(err))
      else
        for k = 3, #c do
          if not err:find(c[k], 1, true) then
            failures[#failures + 1] = ("case %d (%s): %q does not contain %q"):format(i, c[1], err, c[k])
          end
        end
      end
    end
    assert(#failures == 0, table.concat(failures, "\n"))
  end)

  it("covers every public function of lnn.core and the faces", function()
    local covered = {}
    for _, c in ipairs(cases) do covered[c[1]] = true end
    -- functions that take no input to get wrong
    local no_input = {simd = true, kernels = true, clock = true, interrupted = true, ["mnist_loader.default_dir"] = true,
                      ["mnist_loader.find"] = true, ["mnist_loader.places"] = true,
                      ["mnist_loader.user_dir"] = true, ["mnist_loader.checkout_dir"] = true}
    -- the kernel-table bindings (core.kernel_*, Net:kernels) have their cases in spec/kernels_spec.lua
    local elsewhere = {["Net:kernels"] = true}
    for k in pairs(core) do if k:match("^kernel_") then elsewhere[k] = true end end
    local missing = {}
    local function need(name)
      if not covered[name] and not no_input[name] and not elsewhere[name] then missing[#missing + 1] = name end
    end
    for k, v in pairs(core) do if type(v) == "function" then need(k) end end
    for k in pairs(core.tools) do need("tools." .. k) end
    for prefix, obj in pairs {Matrix = M, Rng = R, Data = D, Net = N} do
      local mt = getmetatable(obj)
      local idx = type(mt.__index) == "table" and mt.__index or mt
      for k, v in pairs(idx) do if type(v) == "function" then need(prefix .. ":" .. k) end end
    end
    for mod, t in pairs {network = network, network2 = network2, network3 = network3, mnist_loader = loader,
                         model = model, json = json} do
      for k, v in pairs(t) do if type(v) == "function" and not k:match("^_") then need(mod .. "." .. k) end end
    end
    for k in pairs(network.Network_methods) do need("network." .. k) end
    for k in pairs(network2.Network_methods) do need("network2." .. k) end
    -- (metamethods take no input of the caller's)
    for k in pairs(network3.Network_methods) do if not k:match("^__") then need("network3." .. k) end end
    for k in pairs(network3.Ensemble_methods) do if not k:match("^__") then need("network3.Ensemble:" .. k) end end
    table.sort(missing)
    assert.are.same({}, missing)
  end)

  it("functions without input ignore stray arguments", function()
    assert.are.equal(core.simd(), core.simd({}, nan))
    assert.are.equal("table", type(core.kernels(1, 2)))
    assert.are.equal("number", type(core.clock("x")))
  end)

  it("NaN and infinity in data: stored, reported, and harmless to the engine", function()
    local d = core.Data({{1, 2}, {nan, 4}, {5, inf}}, {{1, 0}, {0, 1}, {-inf, 1}})
    local item, part, elem = d:find_nonfinite()
    assert.are.same({2, "input", 1}, {item, part, elem})
    local n = core.Net {sizes = {2, 2}}
    n:init(core.Rng(1))
    assert.is_false(n:train_epoch(d, core.Rng(2), {eta = 1, batch = 1}))
    assert.are.equal("number", type(n:evaluate(d))) -- no crash on NaN outputs
    assert.are.equal(3, #n:predict(d))
    local m = core.Matrix(2, 2, nan)
    core.write_png(dir .. "/nan.png", m, 2, 2) -- NaN pixels are written black
    local _, _, _, pix = core.read_png(dir .. "/nan.png")
    assert.are.equal("\0\0\0\0", pix)
    local d2 = core.Matrix(1, 1, inf):maxabsdiff(core.Matrix(1, 1, inf))
    assert.is_true(d2 ~= d2, "inf - inf is NaN") -- reported, not hidden
  end)

  it("objects outlive their owners: views, slices and the face's weights", function()
    local v = core.Matrix(50, 50, 2):view(100, 10, 10)
    local row = core.Matrix(3, 3, 7)[2]
    local w = core.Net {sizes = {3, 4}}:weights(1)
    local s = core.Data({{1}, {2}, {3}}, {0, 1, 2}):slice(2, 3)
    local fw = network.Network({3, 2}).weights[1]
    for _ = 1, 3 do collectgarbage() end
    assert.are.equal(2, v:get(10, 10))
    assert.are.equal(7, row[3])
    assert.are.equal(0, w:sum())
    assert.are.equal(2, s:label(2))
    fw:fill(1)
    assert.are.equal(6, fw:sum())
  end)

  it("an allocation that fails is a Lua error naming the function, not an abort", function()
    -- a child with little memory: ulimit -v, or under ASan (which reserves huge
    -- address ranges) its own cap on one allocation, with malloc returning NULL
    local limit = os.getenv("LNN_SANITIZED") and "ASAN_OPTIONS=$ASAN_OPTIONS:max_allocation_size_mb=512 "
      or "ulimit -v 1000000; "
    local code = ([[
      package.cpath = %q
      local core = require "lnn.core"
      local r = core.Rng(1)
      for _, f in ipairs {
        function() return core.Matrix(30000, 30000) end,
        function() return core.Net {sizes = {1 << 24, 64}} end,
        function() return r:permutation(1 << 28) end,
        function() return core.Data(core.Matrix(1, 1), {0}), core.Matrix(1 << 16, 1 << 14) end,
      } do
        local ok, err = pcall(f)
        print(ok, err)
      end
      print("survived")
    ]]):format(package.cpath)
    H.write_file(dir .. "/oom.lua", code)
    local p = io.popen(("bash -c '%slua5.4 %s/oom.lua' 2>&1"):format(limit, dir))
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("survived", 1, true), out)
    for _, want in ipairs {"Matrix: not enough memory for 3433 MB", "Net: not enough memory for 4096 MB",
                           "permutation: not enough memory for 1024 MB", "Matrix: not enough memory for 4096 MB"} do
      assert.truthy(out:find(want, 1, true), want .. " not in:\n" .. out)
    end
  end)
end)
