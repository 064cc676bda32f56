-- The Windows-path profile, configured through vim.g.pprof, shows up as an
-- inlay hint and a code lens in catalog.go, read back from Neovim's state.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  vim.g.pprof = { profiles = { h.windows_profile }, goroot = h.empty_goroot }
  h.load_plugin()
  local bufnr = h.open(h.catalog)

  -- catalog.go line 25 (1-based) is the init allocation; its func is line 24.
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (65.47%)')
  local title = h.wait_lens(bufnr, 23, 'inuse_space: 10MB flat, 10MB cum (65.47%)')
  h.eq(title, 'inuse_space: 10MB flat, 10MB cum (65.47%) · callers', 'lens title')
  h.eq(vim.api.nvim_buf_get_lines(bufnr, 23, 24, true)[1], 'func init() {', 'line carrying the lens')

  -- Heat marks are off unless asked for.
  local marks = vim.api.nvim_buf_get_extmarks(bufnr, require('pprof.heat').namespace, 0, -1, {})
  h.eq(#marks, 0, 'heat marks with heat off')
end)
