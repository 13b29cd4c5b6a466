--- lnn.args: argument checks shared by the book's faces.  Every error names the
-- function, the argument, what was expected and what came, at the caller's level.
-- @module lnn.args
local args = {}

--- fail(fname, n, msg [, level]): raises "bad argument #n to 'fname' (msg)"
--- at the level of the caller of the function that called fail (plus level).
-- @param fname the file's name
-- @param n a count
-- @param msg what was expected and what came
-- @param level extra stack levels for the error's position
function args.fail(fname, n, msg, level)
  error(("bad argument #%d to '%s' (%s)"):format(n, fname, msg), (level or 1) + 2)
end

--- sizes(t, fname): a list of >= 2 positive integer layer sizes.
-- @param sizes layer sizes, e.g. {784, 30, 10}
-- @param fname the file's name
function args.sizes(sizes, fname)
  if type(sizes) ~= "table" then args.fail(fname, 1, "table of layer sizes expected, got " .. type(sizes), 2) end
  if #sizes < 2 then args.fail(fname, 1, "at least 2 layer sizes expected, got " .. #sizes, 2) end
  for i = 1, #sizes do
    local s = sizes[i]
    if math.type(s) ~= "integer" or s < 1 then
      args.fail(fname, 1, ("size %d must be a positive integer, got %s"):format(i, tostring(s)), 2)
    end
  end
end

--- options(opts, known, fname, n): opts (or {}) after checking that it is a
--- table whose every key is in the set known.
-- @param opts options table (the keys are listed above)
-- @param known the set of allowed keys
-- @param fname the file's name
-- @param n a count
-- @return opts (or {}) after checking that it is a table whose every key is in the set known
function args.options(opts, known, fname, n)
  if opts == nil then return {} end
  if type(opts) ~= "table" then args.fail(fname, n, "options table expected, got " .. type(opts), 2) end
  for k in pairs(opts) do
    if not known[k] then error(("unknown option '%s' to '%s'"):format(tostring(k), fname), 3) end
  end
  return opts
end

--- rate(eta, fname, n): a finite positive learning rate.
-- @param eta the learning rate
-- @param fname the file's name
-- @param n a count
function args.rate(eta, fname, n)
  if type(eta) ~= "number" or not (eta > 0) or eta == math.huge then
    args.fail(fname, n, "positive learning rate expected, got " .. tostring(eta), 2)
  end
end

--- lmbda(v, fname, n): a finite L2 parameter >= 0.
-- @param lmbda the L2 regularisation strength
-- @param fname the file's name
-- @param n a count
function args.lmbda(lmbda, fname, n)
  if type(lmbda) ~= "number" or not (lmbda >= 0) or lmbda == math.huge then
    args.fail(fname, n, "lmbda must be a number >= 0, got " .. tostring(lmbda), 2)
  end
end

--- count(v, fname, n, what, min): an integer >= min (default 0).
-- @param v a value
-- @param fname the file's name
-- @param n a count
-- @param what what is checked, for the message
-- @param min the smallest value allowed
function args.count(v, fname, n, what, min)
  min = min or 0
  if math.type(v) ~= "integer" or v < min then
    args.fail(fname, n, ("%s must be an integer >= %d, got %s"):format(what, min, tostring(v)), 2)
  end
end

return args
