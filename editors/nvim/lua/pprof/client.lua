--- Finding the running pprof clients and talking to them, on Neovim 0.10
--- (functions) and 0.11 (methods) alike.
local M = {}

M.name = 'pprof'

local methods = vim.fn.has('nvim-0.11') == 1

--- @param filter table?
--- @return vim.lsp.Client[]
function M.all(filter)
  local f = vim.tbl_extend('force', filter or {}, { name = M.name })
  return vim.tbl_filter(function(c)
    if methods then
      return not c:is_stopped()
    end
    return not c.is_stopped()
  end, vim.lsp.get_clients(f))
end

--- The client attached to `bufnr`, else any running one.
--- @param bufnr integer?
--- @return vim.lsp.Client?
function M.get(bufnr)
  return M.all({ bufnr = bufnr or vim.api.nvim_get_current_buf() })[1] or M.all()[1]
end

--- @param bufnr integer
--- @return boolean
function M.attached(bufnr)
  return #M.all({ bufnr = bufnr }) > 0
end

--- Runs one `pprof.*` command asynchronously.
--- @param client vim.lsp.Client
--- @param command string
--- @param arg table?
--- @param handler fun(err: table?, result: any)
function M.execute(client, command, arg, handler)
  local params = { command = command, arguments = { arg or vim.empty_dict() } }
  local function on_result(err, result)
    handler(err, result)
  end
  if methods then
    client:request('workspace/executeCommand', params, on_result)
  else
    client.request('workspace/executeCommand', params, on_result)
  end
end

--- Runs one `pprof.*` command and waits for its result.
--- @return any result, string? error
function M.execute_sync(client, command, arg, timeout_ms)
  local params = { command = command, arguments = { arg or vim.empty_dict() } }
  local response, err
  if methods then
    response, err = client:request_sync('workspace/executeCommand', params, timeout_ms or 3000)
  else
    response, err = client.request_sync('workspace/executeCommand', params, timeout_ms or 3000)
  end
  if not response then
    return nil, tostring(err or 'no response')
  end
  if response.err then
    return nil, response.err.message or vim.inspect(response.err)
  end
  return response.result
end

--- @param client vim.lsp.Client
--- @param method string
--- @param params table
function M.notify(client, method, params)
  if methods then
    client:notify(method, params)
  else
    client.notify(method, params)
  end
end

return M
