-- With no setup() and no settings, opening a Go file starts the client;
-- other files don't; :Pprof load then brings the costs in.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  -- The server logs once its first workspace scan is done; a profile loaded
  -- before then is mapped against an empty workspace (see the report), so
  -- the test waits for that line before loading.
  local logged = {}
  local default_log = vim.lsp.handlers['window/logMessage']
  vim.lsp.handlers['window/logMessage'] = function(err, result, ctx, config)
    table.insert(logged, result.message)
    return default_log(err, result, ctx, config)
  end
  h.load_plugin()

  vim.cmd.edit('go.mod')
  local gomod = vim.api.nvim_get_current_buf()

  local bufnr, client = h.open(h.catalog)
  h.eq(client.name, 'pprof', 'client name')
  h.eq(client.server_info and client.server_info.name, 'pprof-lsp', 'server name from initialize')
  h.eq(client.root_dir, vim.fn.getcwd(), 'root directory (the folder holding go.mod)')
  h.eq(#vim.lsp.get_clients({ bufnr = gomod, name = 'pprof' }), 0, 'pprof clients attached to go.mod')
  h.check(vim.lsp.inlay_hint.is_enabled({ bufnr = bufnr }), 'inlay hints are not enabled in the Go buffer')

  -- Nothing is configured and the fixture folder holds no profile.
  local status = require('pprof.client').execute_sync(client, 'pprof.status')
  h.eq(status and status.loaded, false, 'a profile loaded with nothing configured')

  h.wait(10000, function()
    for _, message in ipairs(logged) do
      if message:find('no profile configured or found', 1, true) then
        return true
      end
    end
  end, 'the server to finish scanning the workspace')
  vim.cmd('Pprof load ' .. h.windows_profile)
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (65.47%)')
  h.wait_lens(bufnr, 23, 'inuse_space: 10MB flat, 10MB cum (65.47%)')
end)
