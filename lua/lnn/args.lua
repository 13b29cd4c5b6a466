--- lnn.args: argument checks shared by the book's faces.  Every error names the
-- function, the argument, what was expected and what came, at the caller's level.
-- @internal lnn.args
local args = {}

--- fail(fname, n, msg [, level]): raises "bad argument #n to 'fname' (msg)"
--- at the level of the caller of the function that called fail (plus level).
-- @param fname the function's name, as the error names it
-- @param n the argument's position
-- @param msg what was expected and what came
-- @param level extra stack levels for the error's position
function args.fail(fname, n, msg, level)
  args.bad(fname, "argument #" .. n, msg, (level or 1) + 1)
end

-- lnn's error model: an argument error names the function, the argument, what
-- was expected and what came, at the caller's level (bad, fail); every other
-- error a user meets is raised once with its final text (level 0, no
-- position), so nothing parses error text.

--- call(f, ...): f(...) for a function f of lnn.core, its error raised again as
--- its final text.  Called straight from pcall, a core function's error carries
--- no position (it names the core function itself, or core.call_as's name).
-- @tparam function f a function of lnn.core
-- @return what f returns
function args.call(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

--- bad(fname, what, msg [, level]): raises "bad <what> to 'fname' (msg)" (what:
--- "argument #2", "option 'log'", "sizes") at the level of the caller of the
--- function that called bad (plus level - 1): the one helper that names the
--- function and the argument.
-- @tparam string fname the public function's name
-- @tparam string what the argument or option
-- @tparam string msg what was expected and what came
-- @tparam[opt=1] integer level stack levels above the function that called bad
function args.bad(fname, what, msg, level)
  error(("bad %s to '%s' (%s)"):format(what, fname, msg), (level or 1) + 2)
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

-- the optimal string alignment distance (edits, a swap of neighbours counting one)
local function distance(a, b)
  local d = {}
  for i = 0, #a do d[i] = {[0] = i} end
  for j = 0, #b do d[0][j] = j end
  for i = 1, #a do
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[#a][#b]
end

--- suggest(word, names [, prefix]): " (did you mean 'x'?)" for a mistyped
--- name, naming the closest of names (a list, or a set's keys) when it is
--- near enough (a prefix of it, or up to a third of its letters off), else "".
--- Ties name every closest one.
-- @tparam string word what was typed
-- @tparam table names the known names (a list of strings, or a set)
-- @tparam[opt=""] string prefix what the message shows before each name ("--")
-- @treturn string the hint, or ""
function args.suggest(word, names, prefix)
  word, prefix = tostring(word), prefix or ""
  local list = {}
  for k, v in pairs(names) do
    local name = type(k) == "string" and k or v
    if type(name) == "string" then list[#list + 1] = name end
  end
  table.sort(list)
  local best, found = math.huge, {}
  for _, name in ipairs(list) do
    local d = distance(word:lower(), name:lower())
    -- a prefix (--epoch for --epochs) is as near as one edit
    if #word >= 3 and name:sub(1, #word) == word then d = math.min(d, 1) end
    if d <= math.max(1, #name // 3) and d < #word then
      if d < best then best, found = d, {} end
      if d == best then found[#found + 1] = "'" .. prefix .. name .. "'" end
    end
  end
  if #found == 0 then return "" end
  return (" (did you mean %s?)"):format(table.concat(found, " or "))
end

--- options(opts, known, fname, n): opts (or {}) after checking that it is a
--- table whose every key is in the set known.
-- @param opts options table (the keys are listed above)
-- @param known the set of allowed keys
-- @param fname the function's name, as the error names it
-- @param n the options table's argument position
-- @return opts (or {}) after checking that it is a table whose every key is in the set known
function args.options(opts, known, fname, n)
  if opts == nil then return {} end
  if type(opts) ~= "table" then args.fail(fname, n, "options table expected, got " .. type(opts), 2) end
  for k in pairs(opts) do
    if not known[k] then
      error(("unknown option '%s' to '%s'%s"):format(tostring(k), fname, args.suggest(k, known)), 3)
    end
  end
  return opts
end

--- rate(eta, fname, n): a finite positive learning rate.
-- @param eta the learning rate
-- @param fname the function's name, as the error names it
-- @param n the argument's position
-- @param level stack levels above the caller (default 1)
function args.rate(eta, fname, n, level)
  if type(eta) ~= "number" or not (eta > 0) or eta == math.huge then
    args.fail(fname, n, "positive learning rate expected, got " .. tostring(eta), (level or 1) + 1)
  end
end

--- lmbda(v, fname, n): a finite L2 parameter >= 0.
-- @param lmbda the L2 regularisation strength
-- @param fname the function's name, as the error names it
-- @param n the argument's position
function args.lmbda(lmbda, fname, n)
  if type(lmbda) ~= "number" or not (lmbda >= 0) or lmbda == math.huge then
    args.fail(fname, n, "lmbda must be a number >= 0, got " .. tostring(lmbda), 2)
  end
end

--- count(v, fname, n, what, min): an integer >= min (default 0).
-- @param v the argument to check
-- @param fname the function's name, as the error names it
-- @param n the argument's position
-- @param what what is checked, for the message
-- @param min the smallest value allowed
-- @param level stack levels above the caller (default 1)
function args.count(v, fname, n, what, min, level)
  min = min or 0
  if math.type(v) ~= "integer" or v < min then
    args.fail(fname, n, ("%s must be an integer >= %d, got %s"):format(what, min, tostring(v)), (level or 1) + 1)
  end
end

return args
