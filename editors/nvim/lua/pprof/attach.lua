--- What happens in a buffer the server is attached to: inlay hints on,
--- code lenses and heat marks refreshed. Neovim asks for code lenses only
--- when told to, so this module is the one place that tells it.
local client = require('pprof.client')

local M = {}

--- Re-requests code lenses and heat marks for one buffer.
--- @param bufnr integer
function M.refresh_buffer(bufnr)
  if not vim.api.nvim_buf_is_loaded(bufnr) or not client.attached(bufnr) then
    return
  end
  vim.lsp.codelens.refresh({ bufnr = bufnr })
  require('pprof.heat').update(bufnr)
end

--- Refreshes every buffer a client is attached to.
--- @param client_id integer
function M.refresh_client(client_id)
  local c = vim.lsp.get_client_by_id(client_id)
  if not c then
    return
  end
  -- Deferred: this also runs inside the server's refresh request, which
  -- should be answered before new requests go out.
  vim.schedule(function()
    for bufnr in pairs(c.attached_buffers) do
      M.refresh_buffer(bufnr)
    end
  end)
end

--- Refreshes every buffer any pprof client is attached to.
function M.refresh_all()
  for _, c in ipairs(client.all()) do
    M.refresh_client(c.id)
  end
end

--- @param c vim.lsp.Client
--- @param bufnr integer
function M.on_attach(c, bufnr)
  if c.server_capabilities.inlayHintProvider then
    vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
  end
  M.refresh_buffer(bufnr)
end

return M
