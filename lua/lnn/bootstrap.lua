--- lnn.bootstrap: bootyNet's idea from the seed, finished: train in rounds of a
-- few epochs, growing the mini-batch between rounds, until the accuracy
-- history says training has stopped improving.  The epochs run in lnn.core.
--
-- THE RULE (getConvergeRate).  history is a list h[1..n] of accuracies as
-- fractions in [0, 1], one per epoch, oldest first.  The gains are
-- g[t] = h[t] - h[t-1] for t = 2..n.  The weighted average gain over the last
-- B epochs is
--     WA(B) = sum_{i=0}^{B-1} w_i * g[n-i]  /  sum_{i=0}^{B-1} w_i,   w_i = 1 - i/B,
-- so the newest gain weighs 1 and the oldest in the window 1/B (bootyNet's
-- weights).  The convergence rate is
--     rate = max(WA(largeBin), WA(smallBin)),
-- and training has converged when rate < threshold (default 0.005: half a
-- percentage point per epoch).  Both windows must have flattened: the small
-- one notices a fresh improvement (after the batch grew, say) that the large
-- one dilutes, and the large one keeps training going through one bad or
-- noisy epoch that would pull the small one down.  With fewer than
-- largeBin + 1 accuracies there are not largeBin gains: the history is too
-- short, rate is math.huge and it has not converged.  1 <= smallBin <= largeBin.
-- The seed's own quantity, WA(smallBin) / WA(largeBin) (bootyNet's
-- getConvergeRate returned that ratio), comes first, beside the decision; it
-- is not what decides: it has no sensible threshold when gains are near zero
-- (it is undefined at WA(largeBin) = 0) and reads steady progress (ratio 1)
-- the same as a flat plateau.
-- @internal lnn.bootstrap
local bootstrap = {}

local args = require "lnn.args"

local function argerror(n, msg)
  args.fail("getConvergeRate", n, msg, 2)
end

local function weighted_gain(h, n, B)
  local total, weights = 0.0, 0.0
  for i = 0, B - 1 do
    local w = 1 - i / B
    total = total + w * (h[n - i] - h[n - i - 1])
    weights = weights + w
  end
  return total / weights
end

--- getConvergeRate(history, largeBin, smallBin [, threshold = 0.005]):
--- ratio, converged, rate, WA(largeBin), WA(smallBin): ratio is the seed's
--- WA(smallBin) / WA(largeBin) (nil where undefined: a history too short, or
--- WA(largeBin) = 0), converged and rate lnn's rule above (false and
--- math.huge when the history is too short).
-- @param history the accuracies so far, one per epoch (oldest first)
-- @param largeBin how many recent epochs the long window averages
-- @param smallBin how many recent epochs the short window averages
-- @param threshold the rate below which training counts as converged (default 0.005)
-- @return ratio, converged, rate, WA(largeBin), WA(smallBin): ratio is the seed's WA(smallBin) /
--  WA(largeBin) (nil where undefined: a history too short, or WA(largeBin) = 0), converged and rate
--  lnn's rule above (false and math.huge when the history is too short)
function bootstrap.getConvergeRate(history, largeBin, smallBin, threshold)
  threshold = threshold == nil and 0.005 or threshold
  if type(history) ~= "table" then argerror(1, "list of accuracies expected, got " .. type(history)) end
  for i = 1, #history do
    local v = history[i]
    if type(v) ~= "number" or v ~= v or v < 0 or v > 1 then
      argerror(1, ("accuracy %d must be a fraction in [0, 1], got %s"):format(i, tostring(v)))
    end
  end
  if math.type(largeBin) ~= "integer" or largeBin < 1 then
    argerror(2, "largeBin must be a positive integer, got " .. tostring(largeBin))
  end
  if math.type(smallBin) ~= "integer" or smallBin < 1 or smallBin > largeBin then
    argerror(3, ("smallBin must be an integer 1..largeBin (%d), got %s"):format(largeBin, tostring(smallBin)))
  end
  if type(threshold) ~= "number" or not (threshold >= 0) then
    argerror(4, "threshold must be a number >= 0, got " .. tostring(threshold))
  end
  local n = #history
  if n < largeBin + 1 then return nil, false, math.huge end
  local large, small = weighted_gain(history, n, largeBin), weighted_gain(history, n, smallBin)
  local rate = math.max(large, small)
  return large ~= 0 and small / large or nil, rate < threshold, rate, large, small
end

--- The most rounds a previous network may have had (train's rounds_done):
--- the mini-batch is grown once per round done, and more rounds than this
--- are no run anyone had (a million rounds of one epoch).
bootstrap.max_rounds_done = 1000000

local train_options = {epochs_per_round = true, batch = true, growth = true, max_batch = true,
  largeBin = true, smallBin = true, threshold = true, max_rounds = true, on_round = true,
  on_epoch = true, rounds_done = true, should_stop = true, progress = true, resume = true, checkpoint = true}

--- train(net, training_data, eta, evaluation_data [, opts]): rounds of
--- net:SGD (net an lnn.network Network) scored on evaluation_data after every
--- epoch, until getConvergeRate says converged or max_rounds have run.
--- net may be a network trained before (bootyNet's gooo(prev, ...): the
--- previous network to continue from) and rounds_done how many rounds it had
--- (gooo's entropyYears): rounds are numbered on from it and the mini-batch
--- starts grown as after that many rounds.  The history starts empty.
--- opts: epochs_per_round = 5, batch = 10 (first round), growth = 1.1 (batch
--- times this after each round, rounded), max_batch = 100, largeBin = 10,
--- smallBin = 3, threshold = 0.005, max_rounds = 20 (rounds this call runs),
--- rounds_done = 0, on_round(info), on_epoch(info), should_stop and progress
--- (the epoch driver's: true ends training after an epoch; a bar),
--- checkpoint(correct) (after every epoch: the correct counts of every epoch
--- this call has trained, in order, for a checkpoint beside the network) and
--- resume (those counts from a checkpoint: net has trained them already; the
--- rounds they make are replayed, printed and judged as they were, and the
--- round they end in is finished, bit for bit the run that was not
--- interrupted).  Returns {history =
--- accuracies, rounds = list of {round, batch, epochs, accuracy, ratio, rate,
--- converged}, converged = bool, interrupted = {round, epochs (of it done)}
--- when should_stop ended it}.
-- @param net the face's network to train (network, network2 or mynet)
-- @param training_data an lnn.Data set (or list of {x, y} pairs) to train on
-- @param eta the learning rate
-- @param evaluation_data an lnn.Data set to evaluate on
-- @param opts options table (the keys are listed above)
-- @return rounds of net:SGD (net an lnn.network Network) scored on evaluation_data after every
--  epoch, until getConvergeRate says converged or max_rounds have run
function bootstrap.train(net, training_data, eta, evaluation_data, opts)
  opts = opts or {}
  for k in pairs(opts) do
    if not train_options[k] then error(("unknown option '%s' to 'train'"):format(tostring(k)), 2) end
  end
  local per = opts.epochs_per_round or 5
  local b = opts.batch or 10
  local growth, max_batch = opts.growth or 1.1, opts.max_batch or 100
  local large, small = opts.largeBin or 10, opts.smallBin or 3
  local threshold, max_rounds = opts.threshold or 0.005, opts.max_rounds or 20
  local done = opts.rounds_done or 0
  for name, v in pairs {epochs_per_round = per, batch = b, max_batch = max_batch, max_rounds = max_rounds} do
    if math.type(v) ~= "integer" or v < 1 then
      args.bad("train", ("option '%s'"):format(name), ("positive integer expected, got %s"):format(tostring(v)))
    end
  end
  if math.type(done) ~= "integer" or done < 0 or done > bootstrap.max_rounds_done then
    args.bad("train", "option 'rounds_done'", ("integer 0 to %d expected, got %s"):format(bootstrap.max_rounds_done,
      tostring(done)))
  end
  if type(growth) ~= "number" or not (growth >= 1) then
    args.bad("train", "option 'growth'", "number >= 1 expected, got " .. tostring(growth))
  end
  for _ = 1, done do
    b = math.min(max_batch, b * growth)
    if b == max_batch then break end
  end
  bootstrap.getConvergeRate({}, large, small, threshold) -- checks the bins and threshold
  local history, rounds, total = {}, {}, #evaluation_data
  local correct = {}
  local replay = 0 -- epochs of the resumed checkpoint not yet replayed
  if opts.checkpoint ~= nil and type(opts.checkpoint) ~= "function" then
    args.bad("train", "option 'checkpoint'", "function expected, got " .. type(opts.checkpoint))
  end
  if opts.resume ~= nil and type(opts.resume) ~= "table" then
    args.bad("train", "option 'resume'", "list of correct counts expected, got " .. type(opts.resume))
  end
  if opts.resume then
    for i, c in ipairs(opts.resume) do
      if math.type(c) ~= "integer" or c < 0 or c > total then
        args.bad("train", "option 'resume'", ("correct counts from 0 to %d expected, got %s at %d"):format(total,
          tostring(c), i))
      end
      correct[i], history[i] = c, c / total
    end
    replay = #correct
    if replay > max_rounds * per then
      args.bad("train", "option 'resume'", ("at most max_rounds x epochs_per_round = %d epochs expected, got %d")
        :format(max_rounds * per, replay))
    end
  end
  local converged = false
  for round = done + 1, done + max_rounds do
    local batch = math.min(max_batch, math.floor(b + 0.5))
    -- epochs net.epoch .. net.epoch + per - 1, named as a total with its start;
    -- of a resumed run, the epochs it trained already are this round's first
    local had = math.min(per, replay)
    replay = replay - had
    local before = net.epoch - had
    if had < per then
      net:SGD(training_data, before + per, batch, eta, evaluation_data, {quiet = true,
        start_epoch = net.epoch, should_stop = opts.should_stop, progress = opts.progress,
        on_epoch = function(info)
          correct[#correct + 1], history[#history + 1] = info.correct, info.correct / total
          if opts.checkpoint then opts.checkpoint(correct) end
          if opts.on_epoch then opts.on_epoch(info) end
        end})
    end
    if net.epoch - before < per then -- should_stop ended the round early
      return {history = history, rounds = rounds, converged = false,
              interrupted = {round = round, epochs = net.epoch - before}}
    end
    local ratio, rate
    ratio, converged, rate = bootstrap.getConvergeRate(history, large, small, threshold)
    local info = {round = round, batch = batch, epochs = net.epoch, accuracy = history[#history],
      ratio = ratio, rate = rate, converged = converged}
    rounds[#rounds + 1] = info
    if opts.on_round then opts.on_round(info) end
    if converged then break end
    if opts.should_stop and round < done + max_rounds and opts.should_stop() then
      return {history = history, rounds = rounds, converged = false, interrupted = {round = round, epochs = per}}
    end
    b = math.min(max_batch, b * growth)
  end
  return {history = history, rounds = rounds, converged = converged}
end

return bootstrap
