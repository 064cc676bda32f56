-- The Neovim 0.10 start path (a FileType autocommand and vim.lsp.start),
-- exercised on a newer Neovim by hiding vim.lsp.enable from the plugin.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  vim.lsp.enable = nil
  vim.g.pprof = { profiles = { h.windows_profile }, goroot = h.empty_goroot }
  h.load_plugin()
  local bufnr, client = h.open(h.catalog)
  h.eq(client.root_dir, vim.fn.getcwd(), 'root directory found from go.mod')
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (65.47%)')
  h.wait_lens(bufnr, 23, 'inuse_space: 10MB flat, 10MB cum (65.47%)')
  -- The pprof/status handler is part of this start path too.
  local summary = h.wait(5000, function()
    local s = require('pprof').status(bufnr)
    return s and s.state == 'loaded' and s.summary or nil
  end, 'a loaded status from the server')
  h.check(summary:find('15.27MB', 1, true) ~= nil, 'summary: ' .. summary)

  -- A second Go buffer reuses the client.
  local other = h.open('main.go')
  h.eq(#vim.lsp.get_clients({ name = 'pprof' }), 1, 'pprof clients after opening a second Go file')
  h.eq(vim.lsp.get_clients({ bufnr = other, name = 'pprof' })[1].id, client.id, 'client of the second buffer')

  -- Restarting starts one new client for both buffers.
  vim.cmd('Pprof restart')
  local fresh = h.wait(10000, function()
    local c = vim.lsp.get_clients({ bufnr = bufnr, name = 'pprof' })[1]
    return c and c.id ~= client.id and c.initialized and c or nil
  end, 'a new client after :Pprof restart')
  h.eq(vim.lsp.get_clients({ bufnr = other, name = 'pprof' })[1].id, fresh.id, 'client of the second buffer after restart')
  -- Neovim asks for inlay hints only for buffers on screen.
  vim.cmd.buffer(bufnr)
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (65.47%)')
end)
