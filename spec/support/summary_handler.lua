-- busted output handler: busted's plain terminal report, then one final
-- line "N passed, N failed, N skipped" that CI (and people) can read.
-- Errors count as failures; pending specs are reported, never hidden.

return function(options)
  local busted = require 'busted'
  local handler = require 'busted.outputHandlers.plainTerminal'(options)

  local function summary()
    local passed = #handler.successes
    local failed = #handler.failures + #handler.errors
    local skipped = #handler.pendings
    local line = string.format('%d passed, %d failed', passed, failed)
    if skipped > 0 then
      line = line .. string.format(', %d skipped', skipped)
    end
    io.write('\n', line, '\n')
    io.flush()
    return nil, true
  end

  busted.subscribe({ 'suite', 'end' }, summary)
  return handler
end
