-- pprof's filters and the web view from Neovim. `:Pprof focus ^main\.`
-- drops the samples of catalog.go:25's allocation (its stack holds no
-- function whose name starts with `main.`), so its hint goes away as the
-- server answers; `:Pprof ignore catalog` adds a second filter and keeps the
-- first; `:Pprof filters` lists both, `require('pprof').statusline()` shows
-- them; a bad regular expression is the server's error and changes nothing;
-- `:Pprof filters clear` brings the hint back. `:Pprof web` hands the
-- server's URL to vim.ui.open (stubbed here to catch it), and that URL
-- answers 200, while the same URL without its token answers 403.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

--- The HTTP status code of a GET, from curl.
local function http_status(url)
  local done = vim.system({ 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10', url }, { text = true }):wait(15000)
  return done.stdout
end

h.run(function()
  local commands = require('pprof.commands')
  -- The filter subcommands come from the server (test_filters_keep_show_from).
  local subs = commands.complete('', 'Pprof ')
  for _, name in ipairs({ 'web', 'filters' }) do
    h.check(vim.tbl_contains(subs, name), ('subcommand %s is not offered: %s'):format(name, vim.inspect(subs)))
  end

  vim.g.pprof = { profiles = { '../profiles/heap.pb.gz' }, goroot = h.empty_goroot }
  h.load_plugin()
  local messages = {}
  vim.notify = function(message, level)
    table.insert(messages, { message = message, level = level })
  end
  local function said(text)
    for _, m in ipairs(messages) do
      if m.message:find(text, 1, true) then
        return m
      end
    end
  end
  local bufnr, client = h.open(h.catalog)
  local hot = h.line_with(h.catalog, 'table = make([]Entry, Size)') -- 1-based, the init allocation
  local before = h.wait(10000, function()
    return h.hints(bufnr)[hot - 1]
  end, ('the hint on catalog.go:%d'):format(hot))
  h.log(('catalog.go:%d without filters: %s'):format(hot, before))

  -- focus: the hint goes as soon as the server has answered.
  vim.cmd([[Pprof focus ^main\.]])
  h.wait(10000, function()
    return h.hints(bufnr)[hot - 1] == nil
  end, ('the hint on catalog.go:%d to go after :Pprof focus'):format(hot))
  local status = h.wait(5000, function()
    local s = require('pprof').status(bufnr)
    return s and s.filters and s.filters.focus and s
  end, 'a status with the focus filter')
  h.eq(status.filters, { focus = [[^main\.]] }, 'filters in the status after :Pprof focus')
  h.log(('after :Pprof focus: no hint on catalog.go:%d; status: %s'):format(hot, require('pprof').statusline(bufnr)))

  -- A second filter keeps the first.
  vim.cmd('Pprof ignore catalog')
  h.wait(5000, function()
    local s = require('pprof').status(bufnr)
    return s and s.filters and s.filters.ignore == 'catalog' and s.filters.focus == [[^main\.]]
  end, 'focus and ignore in the status')
  local line = require('pprof').statusline(bufnr)
  h.check(line:find([[^main\.]], 1, true) and line:find('catalog', 1, true), 'the statusline does not show the filters: ' .. line)
  messages = {}
  vim.cmd('Pprof filters')
  local listed = h.wait(2000, function()
    return said('focus=^main\\.')
  end, ':Pprof filters to list focus')
  h.check(listed.message:find('ignore=catalog', 1, true), ':Pprof filters: ' .. listed.message)
  h.log(':Pprof filters: ' .. listed.message:gsub('\n', ' | '))

  -- A bad regular expression: the server's error, the filters as they were.
  messages = {}
  vim.cmd('Pprof hide (')
  local refused = h.wait(5000, function()
    for _, m in ipairs(messages) do
      if m.level == vim.log.levels.ERROR then
        return m.message
      end
    end
  end, 'an error for :Pprof hide (')
  h.log(':Pprof hide ( said: ' .. refused)
  h.eq(require('pprof').status(bufnr).filters, { focus = [[^main\.]], ignore = 'catalog' }, 'filters after a bad regular expression')
  h.errors = {}

  -- Clear: the hint comes back as it was.
  vim.cmd('Pprof filters clear')
  h.wait_hint(bufnr, hot - 1, before)
  -- The hint can come back before the status does (the refresh and the
  -- command's answer travel separately): wait for it, as for the others.
  h.wait(5000, function()
    local s = require('pprof').status(bufnr)
    return s and (s.filters == nil or next(s.filters) == nil)
  end, 'a status without filters after :Pprof filters clear')
  h.log('after :Pprof filters clear: ' .. h.hints(bufnr)[hot - 1])

  -- :Pprof web: the URL goes to vim.ui.open, and it answers.
  local opened
  vim.ui.open = function(url)
    opened = url
    return nil, nil
  end
  vim.cmd('Pprof web')
  local url = h.wait(10000, function()
    return opened
  end, ':Pprof web to call vim.ui.open')
  h.log(':Pprof web opened ' .. url:gsub('token=%x+', 'token=…'))
  h.check(url:find('^http://127%.0%.0%.1:%d+/') ~= nil, 'not a 127.0.0.1 URL: ' .. url)
  h.check(url:find('token=', 1, true) ~= nil, 'the URL has no token: ' .. url)
  h.eq(http_status(url), '200', 'HTTP status of the URL')
  h.eq(http_status((url:gsub('token=[^&]*', 'token=0'))), '403', 'HTTP status with a wrong token')
  -- Asked again, the same server answers.
  opened = nil
  vim.cmd('Pprof web')
  h.eq(h.wait(10000, function()
    return opened
  end, 'the second :Pprof web'), url, 'the URL of the second :Pprof web')
  h.check(client.initialized, 'the client is still running')
end)
