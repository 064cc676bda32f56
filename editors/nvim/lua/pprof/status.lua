--- The latest status each client's server sent (`pprof/status`). The server
--- sends it whenever what it shows changes, so nothing here asks for it; the
--- `summary` and `detail` texts in it are the server's.
local M = {}

--- @type table<integer, table> client id -> status
local latest = {}

--- What heat marks depend on: a new value means they are asked for again.
local function shading_key(status)
  return status and ('%s/%s'):format(tostring(status.generation), tostring(status.enabled)) or ''
end

--- Keeps a status and tells whoever listens: heat marks when its
--- `generation` (any change of what is shown) or `enabled` changed, and
--- `User PprofStatus` autocommands (statuslines) always.
--- @param client_id integer
--- @param status table
function M.set(client_id, status)
  if type(status) ~= 'table' then
    return
  end
  local before = latest[client_id]
  latest[client_id] = status
  for id in pairs(latest) do
    if not vim.lsp.get_client_by_id(id) then
      latest[id] = nil
    end
  end
  if shading_key(before) ~= shading_key(status) then
    require('pprof.heat').update_client(client_id)
  end
  vim.api.nvim_exec_autocmds('User', {
    pattern = 'PprofStatus',
    modeline = false,
    data = { client_id = client_id, status = status },
  })
end

--- The `pprof/status` notification handler, for the client's `handlers`.
function M.handler(_, status, ctx)
  M.set(ctx.client_id, status)
end

--- The latest status of a client, nil before the first one arrived.
--- @param client_id integer
--- @return table?
function M.get(client_id)
  return latest[client_id]
end

return M
