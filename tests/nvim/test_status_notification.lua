-- The plugin follows the server's pprof/status notifications and never asks
-- for the status: when the profile file is replaced on disk, the server
-- reloads it and the new total reaches require('pprof').statusline() and
-- :Pprof status with no command run in between; a failed load says so
-- while the previous profile stays shown.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

--- pprof's label for a byte count of a few MB: two decimals, trailing
--- zeros dropped (`15.27MB`, `10MB`).
local function mb_label(bytes)
  local number = ('%.2f'):format(bytes / 1048576):gsub('%.?0+$', '')
  return number .. 'MB'
end

--- The total and catalog.go:25's cum% that `go tool pprof` recorded for a profile.
local function recorded(stem)
  local path = ('%s/tests/golden/%s.inuse_space.lines.top.txt'):format(h.root, stem)
  local text = table.concat(vim.fn.readfile(path), '\n')
  local total = tonumber(text:match('of (%d+)B total'))
  local percent = text:match('(%d+%.%d+%%)%s+pprofdemo/internal/catalog%.init%.0 %S+/catalog%.go:25\n')
  assert(total and percent, 'no total or catalog.go:25 row in ' .. path)
  return total, percent
end

h.run(function()
  -- Every workspace/executeCommand a pprof client sends, from its start:
  -- clients take their request method from the class when created.
  local commands = {}
  local Client = require('vim.lsp.client')
  local request = Client.request
  Client.request = function(self, method, params, ...)
    if self.name == 'pprof' and method == 'workspace/executeCommand' then
      table.insert(commands, params.command)
    end
    return request(self, method, params, ...)
  end
  local function sent(command)
    return #vim.tbl_filter(function(c)
      return c == command
    end, commands)
  end

  local messages = {}
  vim.notify = function(message)
    table.insert(messages, message)
  end
  local events = 0
  vim.api.nvim_create_autocmd('User', {
    pattern = 'PprofStatus',
    callback = function()
      events = events + 1
    end,
  })

  -- The profile shown is a copy the test can replace.
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  local shown = dir .. '/windows.heap.pb.gz'
  assert(vim.uv.fs_copyfile(h.root .. '/tests/fixtures/profiles/windows.heap.pb.gz', shown))
  local first_total, first_percent = recorded('windows.heap')
  local next_total, next_percent = recorded('heap2')
  h.check(first_total ~= next_total, 'the two fixture profiles have the same total')

  vim.g.pprof = { profiles = { shown }, goroot = h.empty_goroot, heat = true }
  h.load_plugin()
  local bufnr = h.open(h.catalog)
  local pprof = require('pprof')
  h.wait_hint(bufnr, 24, ('10MB flat · 10MB cum (%s)'):format(first_percent))

  local first = h.wait(10000, function()
    local s = pprof.status(bufnr)
    return s and s.state == 'loaded' and s or nil
  end, 'a loaded status from the server')
  h.eq(first.total, first_total, 'total of the first status')
  for _, part in ipairs({ 'windows.heap.pb.gz', 'inuse_space', mb_label(first_total) }) do
    h.check(first.summary:find(part, 1, true) ~= nil, ('summary %q lacks %q'):format(first.summary, part))
  end
  h.eq(pprof.statusline(bufnr), first.summary, 'statusline()')
  h.check(events > 0, 'no User PprofStatus autocommand')

  vim.cmd('Pprof status')
  h.eq(messages[#messages], first.summary .. '\n' .. first.detail, ':Pprof status message')
  h.check(first.detail:find(shown, 1, true) ~= nil, 'detail lacks the profile path: ' .. first.detail)

  -- Replace the file as a profiling run would: written next to it, then
  -- renamed over it. The server watches it and reloads.
  local events_before, heat_before = events, sent('pprof.heat')
  assert(vim.uv.fs_copyfile(h.root .. '/tests/fixtures/profiles/heap2.pb.gz', dir .. '/next.pb.gz'))
  assert(vim.uv.fs_rename(dir .. '/next.pb.gz', shown))
  local reloaded = h.wait(15000, function()
    local s = pprof.status(bufnr)
    return s and s.state == 'loaded' and s.generation ~= first.generation and s or nil
  end, 'a status for the reloaded profile')
  h.eq(reloaded.total, next_total, 'total after the reload')
  h.check(
    reloaded.summary:find(mb_label(next_total), 1, true) ~= nil,
    ('summary %q lacks %q'):format(reloaded.summary, mb_label(next_total))
  )
  h.eq(pprof.statusline(bufnr), reloaded.summary, 'statusline() after the reload')
  h.check(events > events_before, 'no User PprofStatus autocommand for the reload')
  h.wait_hint(bufnr, 24, ('10MB flat · 10MB cum (%s)'):format(next_percent))
  h.wait(5000, function()
    return sent('pprof.heat') > heat_before
  end, 'heat marks asked for again after the new generation')

  vim.cmd('Pprof status')
  local text = messages[#messages]
  h.eq(text, reloaded.summary .. '\n' .. reloaded.detail, ':Pprof status after the reload')
  h.check(text:find(mb_label(next_total), 1, true) ~= nil, ':Pprof status lacks the new total: ' .. text)

  -- A file that is not a profile: the load fails, the reloaded profile stays.
  vim.cmd('Pprof load go.mod')
  local failed = h.wait(10000, function()
    local s = pprof.status(bufnr)
    return s and s.state == 'failed' and s or nil
  end, 'a failed status')
  h.eq(failed.total, next_total, 'total shown after the failed load')
  h.check(type(failed.error) == 'string' and failed.error ~= '', 'no error in the failed status')
  vim.cmd('Pprof status')
  text = messages[#messages]
  h.eq(text, failed.summary .. '\n' .. failed.detail, ':Pprof status after the failed load')
  h.check(text:lower():find('fail', 1, true) ~= nil, ':Pprof status does not say the load failed: ' .. text)
  h.check(text:find(mb_label(next_total), 1, true) ~= nil, ':Pprof status lost the shown profile: ' .. text)
  h.wait_hint(bufnr, 24, ('10MB flat · 10MB cum (%s)'):format(next_percent))
  -- The server's own message about the failure is expected here.
  h.errors = vim.tbl_filter(function(e)
    return not e:find('go.mod', 1, true)
  end, h.errors)

  -- The recorder saw the plugin's requests, and none of them asked for the status.
  h.check(sent('pprof.heat') > 0 and sent('pprof.load') == 1, 'commands recorded: ' .. vim.inspect(commands))
  h.eq(sent('pprof.status'), 0, 'pprof.status requests sent by the plugin')
end)
