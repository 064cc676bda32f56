-- :Pprof base FILE compares the shown profile with a base profile: hints
-- become signed differences (as `go tool pprof -diff_base` computes them),
-- the status names the base, and :Pprof base clear brings the plain hints
-- back. <Tab> completes the new subcommands, and :Pprof growth on a profile
-- that is not live shows the server's reason.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

--- Rows of main.go in the recorded `-diff_base heap.pb.gz heap2.pb.gz`
--- table: line -> { flat, cum percentages as pprof printed them }.
local function recorded_diff()
  local path = h.root .. '/tests/golden/heap2-diff-heap.inuse_space.lines.top.txt'
  local rows = {}
  for _, line in ipairs(vim.fn.readfile(path)) do
    local flat, cum, cum_percent, lnum = line:match('^%s*(%-?%d+)B?%s+%S+%s+%S+%s+(%-?%d+)B%s+(%S+%%)%s+main%.%S+ %S+/pprofdemo/main%.go:(%d+)')
    if lnum then
      rows[tonumber(lnum)] = { flat = tonumber(flat), cum = tonumber(cum), cum_percent = cum_percent }
    end
  end
  return rows
end

h.run(function()
  -- Completion offers the new subcommands and `clear`.
  local commands = require('pprof.commands')
  local subs = commands.complete('', 'Pprof ')
  h.check(vim.tbl_contains(subs, 'growth') and vim.tbl_contains(subs, 'base'), 'subcommands: ' .. vim.inspect(subs))
  h.check(vim.tbl_contains(commands.complete('cl', 'Pprof base cl'), 'clear'), ':Pprof base completion lacks clear')

  -- The line that grew most and the one that shrank most, by flat.
  local rows = recorded_diff()
  local grew, shrank
  for lnum, row in pairs(rows) do
    if row.flat > 0 and (not grew or row.flat > rows[grew].flat) then
      grew = lnum
    end
    if row.flat < 0 and (not shrank or row.flat < rows[shrank].flat) then
      shrank = lnum
    end
  end
  h.check(grew and shrank, 'no growing and shrinking main.go lines in the diff golden: ' .. vim.inspect(rows))

  vim.g.pprof = { profiles = { '../profiles/heap2.pb.gz' }, goroot = h.empty_goroot }
  h.load_plugin()
  local bufnr = h.open('main.go')
  local pprof = require('pprof')
  local plain = h.wait(10000, function()
    local hints = h.hints(bufnr)
    return hints[grew - 1] and hints[shrank - 1] and hints or nil
  end, ('plain hints on main.go lines %d and %d'):format(grew, shrank))
  for line, label in pairs(plain) do
    h.check(not label:find('^[+-]'), ('plain hint on line %d is signed: %s'):format(line + 1, label))
  end

  local messages = {}
  vim.notify = function(message)
    table.insert(messages, message)
  end

  -- A profile file is not live: :Pprof growth shows the server's reason.
  vim.cmd('Pprof growth')
  local refusal = h.wait(5000, function()
    for _, m in ipairs(messages) do
      if m:find('pprof.growth: ', 1, true) then
        return m
      end
    end
  end, 'the server\'s answer to :Pprof growth for a profile file')
  h.log(':Pprof growth: ' .. refusal)
  h.check(refusal:find('not live', 1, true) ~= nil, ':Pprof growth message: ' .. refusal)

  vim.cmd('Pprof base ../profiles/heap.pb.gz')
  local compared = h.wait(10000, function()
    local s = pprof.status(bufnr)
    return s and s.diffBase and s.state == 'loaded' and s or nil
  end, 'a status with diffBase')
  h.log('status: ' .. compared.summary)
  h.check(vim.endswith(compared.diffBase, '/profiles/heap.pb.gz'), 'diffBase: ' .. compared.diffBase)
  h.check(compared.summary:find('heap2.pb.gz − heap.pb.gz', 1, true) ~= nil, 'the summary does not name the base: ' .. compared.summary)
  h.wait(5000, function()
    return vim.tbl_contains(messages, compared.summary)
  end, ':Pprof base to show the summary ' .. compared.summary)

  local signed = h.wait(10000, function()
    local hints = h.hints(bufnr)
    local up, down = hints[grew - 1], hints[shrank - 1]
    return up and down and up:find('^%+') and down:find('^%-') and hints or nil
  end, ('signed hints on lines %d (+) and %d (-); hints: %s'):format(grew, shrank, vim.inspect(h.hints(bufnr))))
  h.log(('line %d: %s; line %d: %s'):format(grew, signed[grew - 1], shrank, signed[shrank - 1]))
  -- Percentages of the base's total, as pprof printed them (pprof leaves out the sign).
  h.check(signed[grew - 1]:find('(+' .. rows[grew].cum_percent .. ')', 1, true) ~= nil, 'line ' .. grew .. ': ' .. signed[grew - 1])
  h.check(signed[shrank - 1]:find('(-' .. rows[shrank].cum_percent .. ')', 1, true) ~= nil, 'line ' .. shrank .. ': ' .. signed[shrank - 1])

  vim.cmd('Pprof base clear')
  local cleared = h.wait(10000, function()
    local s = pprof.status(bufnr)
    return s and not s.diffBase and s.state == 'loaded' and s or nil
  end, 'a status without diffBase')
  h.check(not cleared.summary:find('−', 1, true), 'the summary still names a base: ' .. cleared.summary)
  h.wait(10000, function()
    local hints = h.hints(bufnr)
    return hints[grew - 1] == plain[grew - 1] and hints[shrank - 1] == plain[shrank - 1]
  end, 'the plain hints back after :Pprof base clear')
end)
