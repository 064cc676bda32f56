-- :Pprof restart replaces the client and brings the costs back.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  vim.g.pprof = { profiles = { h.windows_profile }, goroot = h.empty_goroot }
  h.load_plugin()
  local bufnr, before = h.open(h.catalog)
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (65.47%)')

  -- A setting given after start is picked up by the new client.
  vim.g.pprof = { profiles = { h.windows_profile }, goroot = h.empty_goroot, sampleType = 'alloc_space' }
  vim.cmd('Pprof restart')
  local after = h.wait(10000, function()
    local c = vim.lsp.get_clients({ bufnr = bufnr, name = 'pprof' })[1]
    return c and c.id ~= before.id and c or nil
  end, 'a new pprof client after :Pprof restart')
  h.check(vim.lsp.get_client_by_id(before.id) == nil, 'the old client is still there')
  h.eq(#vim.lsp.get_clients({ name = 'pprof' }), 1, 'pprof clients after restart')
  h.eq(after.settings.pprof.sampleType, 'alloc_space', 'settings of the new client')
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (1.28%)')
  h.wait_lens(bufnr, 23, 'alloc_space: 10MB flat, 10MB cum (1.28%)')
end)
