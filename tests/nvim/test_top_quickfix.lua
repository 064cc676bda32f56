-- :Pprof top fills the quickfix list with the hottest lines; :cc and :cn
-- jump to them.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  vim.g.pprof = { profiles = { h.windows_profile }, goroot = h.empty_goroot }
  h.load_plugin()
  local bufnr = h.open('main.go')
  h.wait(10000, function()
    return next(h.hints(bufnr)) ~= nil
  end, 'hints in main.go (the profile is loaded)')

  local qf = h.quickfix('Pprof top 5', 'pprof top')
  h.eq(#qf.items, 5, 'quickfix entries for :Pprof top 5')

  local first = qf.items[1]
  local name = vim.api.nvim_buf_get_name(first.bufnr)
  h.check(vim.endswith(name, '/' .. h.catalog), 'first entry is ' .. name .. ', not catalog.go')
  h.eq(first.lnum, 25, 'first entry line')
  h.eq(first.valid, 1, 'first entry valid')
  h.check(vim.startswith(first.text, '10MB flat · 10MB cum (65.47%)'), 'first entry text: ' .. first.text)
  h.check(first.text:find('pprofdemo/internal/catalog.init.0', 1, true) ~= nil, 'function in text: ' .. first.text)

  local second = qf.items[2]
  h.check(vim.endswith(vim.api.nvim_buf_get_name(second.bufnr), '/internal/ingest/ingest.go'), 'second entry file')
  h.eq(second.lnum, 9, 'second entry line')

  vim.cmd('cc 1')
  h.check(vim.endswith(vim.api.nvim_buf_get_name(0), '/' .. h.catalog), ':cc 1 went to ' .. vim.api.nvim_buf_get_name(0))
  h.eq(vim.api.nvim_win_get_cursor(0)[1], 25, 'cursor line after :cc 1')

  vim.cmd('cnext')
  h.check(vim.endswith(vim.api.nvim_buf_get_name(0), '/internal/ingest/ingest.go'), ':cnext went to ' .. vim.api.nvim_buf_get_name(0))
  h.eq(vim.api.nvim_win_get_cursor(0)[1], 9, 'cursor line after :cnext')

  -- Lines outside the workspace (standard library, no GOROOT here) are
  -- listed but not jumped to.
  vim.cmd('Pprof top 1000 cum')
  local all = h.wait(5000, function()
    local list = vim.fn.getqflist({ title = 1, items = 1 })
    return list.title == 'pprof top 1000 by cum' and list or nil
  end, 'the quickfix list from :Pprof top 1000 cum')
  local outside = 0
  for _, item in ipairs(all.items) do
    if item.valid == 1 then
      local name = vim.api.nvim_buf_get_name(item.bufnr)
      h.check(vim.startswith(name, vim.fn.getcwd() .. '/'), 'valid entry outside the workspace: ' .. name)
    else
      outside = outside + 1
      h.check(item.text:find('(not in the workspace)', 1, true) ~= nil, 'entry text: ' .. item.text)
    end
  end
  h.check(outside > 0, 'no entry outside the workspace in :Pprof top 1000 cum')
end)
