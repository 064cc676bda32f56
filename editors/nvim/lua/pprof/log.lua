--- The server's log messages (`window/logMessage`): go test's output while a
--- test or benchmark runs, what each load took. Neovim writes them only to
--- its LSP log file, and only when its log level is INFO or lower, so the
--- plugin also keeps the last lines of each client for `:Pprof log`.
local M = {}

--- Lines kept per client.
M.max_lines = 5000

--- @type table<integer, string[]> client id -> lines, oldest first
local kept = {}

--- The `pprof://log` buffer while it exists, and the client it shows: that
--- client's new lines are added to it.
local log_buf, log_client

local function append_to_buffer(client_id, lines)
  if not (log_buf and vim.api.nvim_buf_is_valid(log_buf)) then
    log_buf = nil
    return
  end
  if client_id ~= log_client then
    return
  end
  vim.bo[log_buf].modifiable = true
  vim.api.nvim_buf_set_lines(log_buf, -1, -1, false, lines)
  vim.bo[log_buf].modifiable = false
end

--- Keeps a message's lines, then lets Neovim's own handler log it.
--- For the client's `handlers`.
function M.handler(err, params, ctx, config)
  if type(params) == 'table' and type(params.message) == 'string' then
    local lines = kept[ctx.client_id] or {}
    kept[ctx.client_id] = lines
    local new = vim.split(params.message, '\n', { plain = true })
    vim.list_extend(lines, new)
    if #lines > M.max_lines then
      kept[ctx.client_id] = vim.list_slice(lines, #lines - M.max_lines + 1)
    end
    for id in pairs(kept) do
      if not vim.lsp.get_client_by_id(id) then
        kept[id] = nil
      end
    end
    append_to_buffer(ctx.client_id, new)
  end
  return vim.lsp.handlers['window/logMessage'](err, params, ctx, config)
end

--- The lines kept for a client, oldest first.
--- @param client_id integer
--- @return string[]
function M.lines(client_id)
  return vim.deepcopy(kept[client_id] or {})
end

--- Opens the kept lines of a client in a scratch buffer, `pprof://log`, at
--- the end; lines that arrive later are added to it.
--- @param client_id integer
function M.show(client_id)
  if log_buf and vim.api.nvim_buf_is_valid(log_buf) then
    vim.api.nvim_buf_delete(log_buf, { force = true })
  end
  vim.cmd('botright new')
  log_buf, log_client = vim.api.nvim_get_current_buf(), client_id
  vim.bo[log_buf].buftype = 'nofile'
  vim.bo[log_buf].bufhidden = 'wipe'
  vim.bo[log_buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, log_buf, 'pprof://log')
  vim.api.nvim_buf_set_lines(log_buf, 0, -1, false, kept[client_id] or {})
  vim.bo[log_buf].modifiable = false
  vim.cmd('normal! G')
end

return M
