--- lnn.baselines: the book's non-neural baselines for MNIST over lnn.core.tools:
-- average darkness (mnist_average_darkness.py) and a linear SVM in place of
-- mnist_svm.py's libsvm RBF one.  Per-item work runs in C; no libsvm here.
-- @module lnn.baselines
local core = require "lnn.core"
local args = require "lnn.args"

local tools = core.tools
local baselines = {}

local function check_data(v, fname, n)
  if core.type(v) ~= "lnn.Data" then
    args.fail(fname, n, ("lnn.Data expected, got %s"):format(type(v) == "userdata" and tostring(v) or type(v)), 2)
  end
end

--- avg_darknesses(training_data): table digit -> the average darkness (sum of
--- the 784 pixel values, each 0..1) of that digit's training images; digits
--- with no images are absent, as in the book's defaultdict.
-- @param training_data an lnn.Data set (or list of {x, y} pairs) to train on
-- @return table digit -> the average darkness (sum of the 784 pixel values, each 0..1) of that
--  digit's training images; digits with no images are absent, as in the book's defaultdict
-- @usage
-- local baselines = require "lnn.baselines"
-- local avgs = baselines.avg_darknesses(lnn.Data({{0.1, 0.2}, {0.9, 0.8}}, {0, 1}))
-- -- avgs[0] == 0.3, avgs[1] == 1.7 (up to float32 rounding)
function baselines.avg_darknesses(training_data)
  check_data(training_data, "avg_darknesses", 1)
  return tools.avg_darknesses(training_data)
end

local function check_avgs(avgs, fname)
  if type(avgs) ~= "table" then
    args.fail(fname, 2, ("table digit -> average darkness expected, got %s"):format(type(avgs)), 2)
  end
end

--- guess_digit(image, avgs): the digit whose average darkness is nearest to the
--- image's (the smallest digit on ties).  image: a Matrix or a table of values.
-- @param image the image: an lnn.Matrix or a table of pixel values in [0, 1]
-- @param avgs digit -> average darkness, as average_darknesses returns
-- @return the digit (0 to 9) whose average darkness is nearest to the image's
-- @usage
-- local baselines = require "lnn.baselines"
-- local avgs = baselines.avg_darknesses(lnn.Data({{0.1, 0.2}, {0.9, 0.8}}, {0, 1}))
-- assert(baselines.guess_digit({1, 0.9}, avgs) == 1)
function baselines.guess_digit(image, avgs)
  check_avgs(avgs, "guess_digit")
  local darkness
  if core.type(image) == "lnn.Matrix" then
    darkness = image:sum()
  elseif type(image) == "table" then
    darkness = core.call_as("guess_digit", 1, core.Matrix, image):sum()
  else
    args.fail("guess_digit", 1, ("lnn.Matrix or table of pixel values expected, got %s")
      :format(type(image)))
  end
  local best, guess = math.huge, nil
  for digit = 0, 255 do
    local a = avgs[digit]
    if a ~= nil then
      if type(a) ~= "number" then
        args.fail("guess_digit", 2, ("average of digit %d: number expected, got %s")
          :format(digit, type(a)))
      end
      local d = math.abs(a - darkness)
      if d < best then best, guess = d, digit end
    end
  end
  if guess == nil then args.fail("guess_digit", 2, "no averages in the table") end
  return guess
end

--- guess_digits(data, avgs): guess_digit for every item, in C: how many are
--- right, and the list of guesses.
-- @param data an lnn.Data set
-- @param avgs digit -> average darkness, as average_darknesses returns
-- @return how many guesses are right, and the list of guesses (one digit per item)
-- @usage
-- local baselines = require "lnn.baselines"
-- local data = lnn.Data({{0.1, 0.2}, {0.9, 0.8}}, {0, 1})
-- local right, guesses = baselines.guess_digits(data, baselines.avg_darknesses(data))  -- 2, {0, 1}
function baselines.guess_digits(data, avgs)
  check_data(data, "guess_digits", 1)
  check_avgs(avgs, "guess_digits")
  return tools.guess_digits(data, avgs)
end

--- svm(training_data [, opts]): an SVM (hinge loss, dual coordinate
--- descent), linear and one-vs-rest by default: opts {C = 0.03, epochs = 20,
--- tol = 0.1, seed = 0, multiclass = "ovr"}.  With kernel = "rbf" it
--- approximates an RBF kernel exp(-gamma |x - y|^2) by `features` random
--- Fourier features (Rahimi and Recht) drawn from seed, and trains the linear
--- SVM on them, one-vs-one by default as libsvm: opts {kernel = "rbf", gamma =
--- 1/784, features = 3000, C = 1, multiclass = "ovo", ...} (gamma, C and the
--- pairs as scikit-learn's SVC() of the book's time).  multiclass "ovo" trains
--- one classifier per pair of classes on their items and predicts by their
--- vote (the first class with the most votes, libsvm's rule).  Returns a
--- classifier object: clf:predict(data) -> correct, predictions; clf.W (one
--- row per class, or per pair, (d+1) wide, the last column the biases),
--- clf.multiclass, clf.passes, clf.gap; for rbf also clf.omega, clf.b.
-- @param training_data an lnn.Data set (or list of {x, y} pairs) to train on
-- @param opts options table (the keys are listed above)
-- @return the classifier
-- @usage
-- local baselines = require "lnn.baselines"
-- local data = lnn.Data({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 0, 1, 1})
-- local clf = baselines.svm(data)          -- or {kernel = "rbf", features = 2000}
-- local correct, predictions = clf:predict(data)
function baselines.svm(training_data, opts)
  check_data(training_data, "svm", 1)
  if opts ~= nil and type(opts) ~= "table" then
    args.fail("svm", 2, ("options table expected, got %s"):format(type(opts)))
  end
  opts = opts or {}
  local kernel = opts.kernel or "linear"
  if kernel ~= "linear" and kernel ~= "rbf" then
    args.fail("svm", 2, ("kernel: 'linear' or 'rbf' expected, got %s"):format(tostring(kernel)))
  end
  local solver = {} -- the solver's options: the rest (svm_train names an unknown one)
  for k, v in pairs(opts) do
    if k ~= "kernel" and k ~= "gamma" and k ~= "features" then solver[k] = v end
  end
  local multiclass = opts.multiclass or (kernel == "rbf" and "ovo" or "ovr")
  if multiclass ~= "ovr" and multiclass ~= "ovo" then
    args.fail("svm", 2, ("multiclass: 'ovr' or 'ovo' expected, got %s"):format(tostring(multiclass)))
  end
  solver.multiclass = multiclass
  local classes = multiclass == "ovo" and select(3, training_data:shape()) or nil
  if kernel == "linear" then
    for _, k in ipairs {"gamma", "features"} do
      if opts[k] ~= nil then
        args.fail("svm", 2, ("%s is an rbf kernel's option; kernel is linear"):format(k))
      end
    end
    local W, passes, gap = tools.svm_train(training_data, solver)
    local clf = {W = W, passes = passes, gap = gap, multiclass = multiclass}
    function clf.predict(self, data)
      check_data(data, "predict", 1)
      return tools.svm_predict(self.W, data, classes)
    end
    return clf
  end
  local _, d = training_data:shape()
  local gamma, features = opts.gamma or 1 / d, opts.features or 3000
  if type(gamma) ~= "number" or not (gamma > 0 and gamma < math.huge) then
    args.fail("svm", 2, ("gamma: a positive number expected, got %s"):format(tostring(gamma)))
  end
  if math.type(features) ~= "integer" or features < 1 or features > 1000000 then
    args.fail("svm", 2, ("features: an integer 1 to 1000000 expected, got %s"):format(tostring(features)))
  end
  solver.C = solver.C or 1.0
  local omega, b = tools.rff_map(opts.seed or 0, features, d, gamma)
  local W, passes, gap = tools.svm_train(tools.rff_features(training_data, omega, b), solver)
  local clf = {W = W, passes = passes, gap = gap, omega = omega, b = b, multiclass = multiclass}
  function clf.predict(self, data)
    check_data(data, "predict", 1)
    return tools.svm_predict(self.W, tools.rff_features(data, self.omega, self.b), classes)
  end
  return clf
end

return baselines
