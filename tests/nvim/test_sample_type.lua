-- :Pprof sample switches the sample type; completion offers the profile's
-- types; hints and lenses follow.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  vim.g.pprof = { profiles = { h.windows_profile }, goroot = h.empty_goroot }
  h.load_plugin()
  local bufnr = h.open(h.catalog)
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (65.47%)')

  local names = vim.fn.getcompletion('Pprof sample ', 'cmdline')
  table.sort(names)
  h.eq(names, { 'alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space' }, ':Pprof sample completion')
  h.eq(vim.fn.getcompletion('Pprof sample alloc_s', 'cmdline'), { 'alloc_space' }, 'completion of alloc_s')
  local subcommands = vim.fn.getcompletion('Pprof ', 'cmdline')
  for _, want in ipairs({ 'load', 'sample', 'top', 'unresolved', 'toggle', 'status' }) do
    h.check(vim.tbl_contains(subcommands, want), ':Pprof completion lacks ' .. want)
  end

  vim.cmd('Pprof sample alloc_space')
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (1.28%)')
  h.wait_lens(bufnr, 23, 'alloc_space: 10MB flat, 10MB cum (1.28%)')

  -- Toggling hides the costs and brings them back.
  vim.cmd('Pprof toggle')
  h.wait(5000, function()
    return h.hints(bufnr)[24] == nil
  end, 'hints hidden after :Pprof toggle')
  vim.cmd('Pprof toggle')
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (1.28%)')
end)
