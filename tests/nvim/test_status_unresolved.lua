-- :Pprof status echoes the status the server sent; :Pprof unresolved lists the
-- profile paths that map to no workspace file.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  local messages = {}
  vim.notify = function(message)
    table.insert(messages, message)
  end
  vim.g.pprof = { profiles = { h.windows_profile }, goroot = h.empty_goroot }
  h.load_plugin()
  local bufnr, client = h.open(h.catalog)
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (65.47%)')

  -- The server's summary, then its detail lines.
  vim.cmd('Pprof status')
  local status = h.wait(5000, function()
    return messages[#messages]
  end, 'the :Pprof status message')
  local lines = vim.split(status, '\n')
  for _, part in ipairs({ 'windows.heap.pb.gz', 'inuse_space', '15.27MB' }) do
    h.check(lines[1]:find(part, 1, true) ~= nil, ('first line lacks %q: %s'):format(part, status))
  end
  h.check(#lines >= 3, 'no detail lines: ' .. status)
  h.check(status:find('windows.heap.pb.gz', #lines[1] + 1, true) ~= nil, 'the detail lacks the profile: ' .. status)

  local unresolved = require('pprof.client').execute_sync(client, 'pprof.unresolved')
  h.check(#unresolved > 0, 'the fixture profile has standard-library paths that cannot map here')
  vim.cmd('Pprof unresolved')
  local scratch = h.wait(5000, function()
    local b = vim.api.nvim_get_current_buf()
    return vim.endswith(vim.api.nvim_buf_get_name(b), 'pprof://unresolved') and b or nil
  end, 'the :Pprof unresolved buffer')
  local lines = vim.api.nvim_buf_get_lines(scratch, 0, -1, false)
  h.eq(lines[1], ('%d profile paths are not mapped to workspace files:'):format(#unresolved), 'first line')
  local text = table.concat(lines, '\n')
  h.check(text:find(unresolved[1].file, 1, true) ~= nil, 'the list lacks ' .. unresolved[1].file)
  h.eq(vim.bo[scratch].buftype, 'nofile', 'buftype of the list')
end)
