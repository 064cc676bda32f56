-- A live profile from a real leaking Go service (tests/fixtures/leaky): with
-- its /debug/pprof/heap URL polled every second, the hint on the leak line
-- gets the server's growth mark, a Warning from pprof sits on that line,
-- :Pprof growth lists it first and :cc 1 jumps to it. When the service goes
-- away, the status line and :checkhealth say since when it is unreachable.
--
-- The service was built from another copy of its sources
-- (scripts/build-leaky.sh), so the paths in its profiles are not this
-- workspace's: the server maps them by module path and suffix.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  -- The workspace: a copy of the service's sources in a directory of its own.
  local workspace = h.copy_fixture('leaky')
  local main = workspace .. '/main.go'
  local leak = h.marker_line(main, 'leak')
  local static = h.marker_line(main, 'static')

  local service = h.start_leaky()
  h.log(('leaky service (pid %d) at %s'):format(service.pid, service.url))

  vim.cmd.cd(workspace)
  vim.g.pprof = { profiles = { service.url }, refreshSeconds = 1, goroot = h.empty_goroot }
  h.load_plugin()
  local bufnr = h.open(main)
  local pprof = require('pprof')

  -- At least four snapshots, and the server's mark on the leak line.
  local hint = h.wait(30000, function()
    local s = pprof.status(bufnr)
    local label = h.hints(bufnr)[leak - 1]
    if s and s.live and s.live.snapshots >= 4 and label and label:find(' ▲ ', 1, true) then
      return label
    end
  end, ('4 snapshots and a growth mark on the leak line %d (hints: %s)'):format(leak, vim.inspect(h.hints(bufnr))))
  h.log(('line %d: %s'):format(leak, hint))
  h.check(hint:find('/min$') ~= nil, 'the growth mark does not end in /min: ' .. hint)
  local static_hint = h.hints(bufnr)[static - 1]
  h.check(not (static_hint and static_hint:find('▲', 1, true)), 'the static line is marked as growing: ' .. tostring(static_hint))

  local summary = pprof.statusline(bufnr)
  h.log('status: ' .. summary)
  h.check(summary:find(' · live · %d+ snapshots · %d%d:%d%d:%d%d UTC$') ~= nil, 'the status line does not say live: ' .. summary)

  -- The server's Warning on the leak line.
  local warning = h.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr, { severity = vim.diagnostic.severity.WARN })) do
      if d.source == 'pprof' and d.lnum == leak - 1 then
        return d
      end
    end
  end, 'a Warning from pprof on the leak line')
  h.log('warning: ' .. warning.message)
  h.check(warning.message:find('^grows .+/min$') ~= nil, 'warning message: ' .. warning.message)
  h.eq(warning.code, 'growth', 'the warning code')

  -- :Pprof growth: the leak line first.
  local qf = h.quickfix('Pprof growth', 'pprof growth')
  h.log('quickfix: ' .. qf.title)
  for i = 1, math.min(3, #qf.items) do
    h.log(('  %s:%d %s'):format(vim.fn.bufname(qf.items[i].bufnr), qf.items[i].lnum, qf.items[i].text))
  end
  local first = qf.items[1]
  h.eq(vim.api.nvim_buf_get_name(first.bufnr), main, 'file of the first growth entry')
  h.eq(first.lnum, leak, 'line of the first growth entry')
  h.check(first.text:find('^main%.leakOnce  %+[%d.]+[kMG]B/min flat') ~= nil, 'first growth entry text: ' .. first.text)

  vim.cmd('cc 1')
  h.eq(vim.api.nvim_buf_get_name(0), main, 'buffer after :cc 1')
  h.eq(vim.api.nvim_win_get_cursor(0)[1], leak, 'cursor line after :cc 1')

  -- The service goes away: its last data stays, the status says since when.
  service.stop()
  local gone = h.wait(15000, function()
    local s = pprof.statusline(bufnr)
    return s:find('live · unreachable since %d%d:%d%d:%d%d UTC') and s or nil
  end, 'the status line to say the live source is unreachable')
  h.log('status after stopping the service: ' .. gone)
  h.check((h.hints(bufnr)[leak - 1] or ''):find(' ▲ ', 1, true) ~= nil, 'the leak line lost its hint when the service stopped')

  vim.cmd('checkhealth pprof')
  local report = h.wait(10000, function()
    local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
    return text:find('live source', 1, true) and text or nil
  end, 'the live source in :checkhealth pprof')
  h.check(report:find('WARNING client %d+ %([^)]*%): live source unreachable since') ~= nil, 'health report:\n' .. report)
end)
