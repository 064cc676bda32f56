-- Goroutine leaks from a real Go service (tests/fixtures/goleak): with its
-- /debug/pprof/goroutineleak URL polled every 2 seconds, a Warning from
-- pprof sits on the line where the leaked senders block, with the `go`
-- statement that started them as its related information, as Neovim's own
-- diagnostics hold it; :Pprof leaks puts both lines of every kind of leak in
-- the quickfix list and :cc jumps to each. The idle workers, which are not
-- leaked, get neither. Logs the time from the server's first poll to the
-- Warning. A profile that is not a goroutine profile: :Pprof leaks shows the
-- server's error.
--
-- The service was built from another copy of its sources
-- (scripts/build-goleak.sh), so the paths in its profiles are not this
-- workspace's: the server maps them by module path and suffix.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

--- The Go function around the 1-based `line` of `path`, e.g. `main.leakOnce`.
local function enclosing_function(path, line)
  local lines = vim.fn.readfile(path)
  for i = line, 1, -1 do
    local name = lines[i]:match('^func ([%w_]+)%(')
    if name then
      return 'main.' .. name
    end
  end
  h.fail(('no func above line %d of %s'):format(line, path))
end

h.run(function()
  local workspace = h.copy_fixture('goleak')
  local main = workspace .. '/main.go'
  local kinds = { 'send', 'receive', 'lock', 'wait' }
  local blocks, starts = {}, {}
  for _, kind in ipairs(kinds) do
    blocks[kind] = h.marker_line(main, kind .. '-blocks')
    starts[kind] = h.marker_line(main, kind .. '-go')
  end
  local idle = { worker = h.marker_line(main, 'worker-waits'), watchdog = h.marker_line(main, 'watchdog-waits') }
  local starter = enclosing_function(main, starts.send)

  local service = h.start_goleak()
  h.log(('goleak service (pid %d) at %s'):format(service.pid, service.url))
  -- It leaks on each whole second of the wall clock: from the next one on,
  -- the first poll finds leaks, so the time measured below is the server's
  -- and the editor's, not the service's start.
  local sec, usec = vim.uv.gettimeofday()
  vim.wait(math.ceil((1e6 - usec) / 1000) + 150)
  h.check(vim.uv.gettimeofday() > sec, 'the wait for the next whole second ended early')

  -- When the server starts its first poll (its status says it is loading),
  -- and when the Warning on the send line reaches vim.diagnostic.
  local polled, warned, polls
  vim.api.nvim_create_autocmd('User', {
    pattern = 'PprofStatus',
    callback = function(ev)
      if not polled and ev.data.status.state == 'loading' then
        polled = vim.uv.hrtime()
      end
    end,
  })
  local function send_warning(bufnr)
    for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = blocks.send - 1, severity = vim.diagnostic.severity.WARN })) do
      if d.source == 'pprof' and d.code == 'goroutine-leak' then
        return d
      end
    end
  end
  vim.api.nvim_create_autocmd('DiagnosticChanged', {
    callback = function(ev)
      if not warned and send_warning(ev.buf) then
        warned = vim.uv.hrtime()
        -- The status of the same poll comes before its diagnostics.
        polls = vim.tbl_get(require('pprof').status(ev.buf) or {}, 'live', 'snapshots')
      end
    end,
  })

  vim.cmd.cd(workspace)
  vim.g.pprof = { profiles = { service.url }, refreshSeconds = 2, goroot = h.empty_goroot }
  h.load_plugin()
  local bufnr = h.open(main)

  -- The Warning on the send line, as Neovim's diagnostics hold it.
  local warning = h.wait(20000, function()
    return send_warning(bufnr)
  end, ('a goroutine-leak Warning on the send line %d'):format(blocks.send))
  h.check(polled ~= nil and warned ~= nil and warned >= polled, 'no loading status before the Warning')
  h.log(('leak warning on screen after %.3f s (from the first poll; the Warning came with snapshot %s)'):format((warned - polled) / 1e9, tostring(polls)))
  h.log(('line %d: %s'):format(blocks.send, warning.message))
  local pattern = ('^%%d+ goroutines leaked here: blocked in chan send.*; started at main%%.go:%d$'):format(starts.send)
  h.check(warning.message:find(pattern) ~= nil, 'the Warning message: ' .. warning.message)

  local related = vim.tbl_get(warning, 'user_data', 'lsp', 'relatedInformation') or {}
  h.eq(#related, 1, 'related information entries of the Warning')
  local info = related[1]
  h.log(('related: %s:%d %s'):format(vim.uri_to_fname(info.location.uri), info.location.range.start.line + 1, info.message))
  h.eq(vim.uri_to_fname(info.location.uri), main, 'the related information file')
  h.eq(info.location.range.start.line, starts.send - 1, 'the related information line (0-based)')
  h.check(info.message:find(('^started here: %%d+ leaked goroutines %%(%s%%)$'):format(vim.pesc(starter))) ~= nil, 'the related information message: ' .. info.message)

  -- Each kind has its Warning; the idle lines have no diagnostic and no hint.
  local diagnostics = vim.diagnostic.get(bufnr)
  for _, kind in ipairs(kinds) do
    h.check(#vim.diagnostic.get(bufnr, { lnum = blocks[kind] - 1, severity = vim.diagnostic.severity.WARN }) == 1, ('no Warning on the %s line %d'):format(kind, blocks[kind]))
  end
  local hints = h.wait(10000, function()
    local all = h.hints(bufnr)
    return all[blocks.send - 1] and all[starts.send - 1] and all or nil
  end, 'hints on the send lines')
  h.log(('hints: %d: %s; %d: %s'):format(blocks.send, hints[blocks.send - 1], starts.send, hints[starts.send - 1]))
  h.check(hints[blocks.send - 1]:find('⊘ %d+ leaked') ~= nil, 'the hint on the send line: ' .. hints[blocks.send - 1])
  h.check(hints[starts.send - 1]:find('⇢ started %d+ leaked') ~= nil, 'the hint on the go line: ' .. hints[starts.send - 1])
  for name, line in pairs(idle) do
    for _, d in ipairs(diagnostics) do
      h.check(d.lnum ~= line - 1, ('a diagnostic on the %s line %d: %s'):format(name, line, d.message))
    end
    h.check(hints[line - 1] == nil, ('a hint on the %s line %d: %s'):format(name, line, tostring(hints[line - 1])))
  end

  -- :Pprof leaks: <Tab> offers it; each kind's blocking line, then its go
  -- statement.
  h.eq(vim.fn.getcompletion('Pprof lea', 'cmdline'), { 'leaks' }, 'completion of :Pprof lea')
  local qf = h.quickfix('Pprof leaks', 'pprof leaks')
  h.log('quickfix: ' .. qf.title)
  for i, item in ipairs(qf.items) do
    h.log(('  %d  %s:%d %s %s'):format(i, vim.fn.bufname(item.bufnr), item.lnum, item.type, item.text))
    h.eq(vim.api.nvim_buf_get_name(item.bufnr), main, 'file of quickfix entry ' .. i)
    for name, line in pairs(idle) do
      h.check(item.lnum ~= line, ('quickfix entry %d is on the %s line %d'):format(i, name, line))
    end
  end
  local index = {}
  for _, kind in ipairs(kinds) do
    for i, item in ipairs(qf.items) do
      if item.lnum == blocks[kind] then
        index[kind] = i
      end
    end
    local i = index[kind]
    h.check(i ~= nil, ('no quickfix entry on the %s line %d'):format(kind, blocks[kind]))
    h.eq(qf.items[i].type, 'W', 'the type of the ' .. kind .. ' entry')
    h.check(qf.items[i].text:find('^%d+ leaked · ') ~= nil, ('the %s entry: %s'):format(kind, qf.items[i].text))
    local next = qf.items[i + 1]
    h.check(next ~= nil and next.lnum == starts[kind], ('the entry after the %s line is not its go line %d'):format(kind, starts[kind]))
    h.check(next.text:find('^started here: %d+ leaked goroutines %(' .. vim.pesc(starter) .. '%)$') ~= nil, 'the go line entry: ' .. next.text)
  end
  h.check(qf.items[index.send].text:find(' · chan send', 1, true) ~= nil, 'the send entry lacks its state: ' .. qf.items[index.send].text)

  vim.cmd('cc ' .. index.send)
  h.eq(vim.api.nvim_buf_get_name(0), main, ('buffer after :cc %d'):format(index.send))
  h.eq(vim.api.nvim_win_get_cursor(0)[1], blocks.send, ('cursor line after :cc %d'):format(index.send))
  vim.cmd('cc ' .. (index.send + 1))
  h.eq(vim.api.nvim_win_get_cursor(0)[1], starts.send, ('cursor line after :cc %d'):format(index.send + 1))
  h.log(('":cc %d" lands on line %d, ":cc %d" on line %d'):format(index.send, blocks.send, index.send + 1, starts.send))

  -- A heap profile is not a goroutine profile: the server's error is shown.
  local notified = {}
  local notify = vim.notify
  vim.notify = function(message, level, opts)
    table.insert(notified, { message = message, level = level })
    return notify(message, level, opts)
  end
  vim.cmd('Pprof load ' .. h.root .. '/tests/fixtures/profiles/heap.pb.gz')
  h.wait(10000, function()
    local s = require('pprof').status(bufnr)
    return s and s.state == 'loaded' and s.sampleType == 'inuse_space'
  end, 'the heap profile to be shown')
  vim.cmd('Pprof leaks')
  local refused = h.wait(5000, function()
    for _, n in ipairs(notified) do
      if n.level == vim.log.levels.ERROR and n.message:find('pprof.leaks', 1, true) then
        return n.message
      end
    end
  end, 'the error of :Pprof leaks on a heap profile')
  h.log('on a heap profile: ' .. refused)
  h.check(refused:find('is not a goroutine profile', 1, true) ~= nil, 'the error: ' .. refused)
  vim.notify = notify

  service.stop()
end)
