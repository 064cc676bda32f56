--- Options: `vim.g.pprof` with `setup()` options on top. Every key except
--- the client-only ones is one of the server's settings and is passed to it
--- unchanged; the server owns the defaults.
local M = {}

--- Keys the plugin reads itself; they are never sent to the server.
M.client_keys = { cmd = true, heat = true }

--- The server's top-level settings, used only to warn about typos in
--- `:checkhealth pprof`.
M.server_keys = {
  'profiles',
  'sampleType',
  'revision',
  'binary',
  'pathMappings',
  'sourcePaths',
  'goroot',
  'hints',
  'lenses',
  'maxProfileBytes',
  'watch',
  'diffBase',
  'diagnostics',
  'refreshSeconds',
  'history',
  'growth',
  'benchmarks',
  'filters',
}

--- Settings the server reads as JSON objects. An empty Lua table would be
--- sent as `[]`, which the server rejects.
local object_keys = { hints = true, lenses = true, diagnostics = true, growth = true, benchmarks = true, filters = true }

local from_setup = {}

--- @param opts table?
function M.set(opts)
  from_setup = vim.deepcopy(opts or {})
end

--- Sets one option on top of the others, as `:Pprof heat` does.
--- @param key string
--- @param value any
function M.set_option(key, value)
  from_setup[key] = value
end

--- The effective options.
--- @return table
function M.get()
  local g = vim.g.pprof
  if type(g) ~= 'table' then
    g = {}
  end
  return vim.tbl_deep_extend('force', {}, g, from_setup)
end

--- The settings object the server reads, as one JSON object.
--- @return table
function M.settings()
  local out = {}
  for key, value in pairs(M.get()) do
    if not M.client_keys[key] then
      if object_keys[key] and type(value) == 'table' and vim.tbl_isempty(value) then
        value = vim.empty_dict()
      end
      out[key] = value
    end
  end
  if vim.tbl_isempty(out) then
    return vim.empty_dict()
  end
  return out
end

--- Keys of the options table that neither the server nor the plugin knows.
--- @return string[]
function M.unknown_keys()
  local known = vim.deepcopy(M.client_keys)
  for _, key in ipairs(M.server_keys) do
    known[key] = true
  end
  local out = {}
  for key in pairs(M.get()) do
    if not known[key] then
      table.insert(out, tostring(key))
    end
  end
  table.sort(out)
  return out
end

--- The command that starts the server: `cmd` if set (a string or a list),
--- else `pprof-lsp` from PATH.
--- @return string[]
function M.cmd()
  local cmd = M.get().cmd
  if type(cmd) == 'string' and cmd ~= '' then
    return { cmd }
  end
  if type(cmd) == 'table' and type(cmd[1]) == 'string' then
    return vim.deepcopy(cmd)
  end
  return { 'pprof-lsp' }
end

--- Client capabilities: Neovim's own, plus `workspace/codeLens/refresh`,
--- which the plugin handles so lenses follow profile loads and sample-type
--- changes.
local function capabilities()
  return vim.tbl_deep_extend('force', vim.lsp.protocol.make_client_capabilities(), {
    workspace = { codeLens = { refreshSupport = true } },
  })
end

--- The client configuration, shared by `lsp/pprof.lua` (Neovim 0.11) and
--- the per-filetype start on Neovim 0.10, handlers included: the server's
--- `pprof/status` notification, its code lens refresh request, and its log
--- messages (kept for `:Pprof log`, then passed to Neovim's own handler).
--- @return table
function M.lsp_config()
  return {
    cmd = M.cmd(),
    filetypes = { 'go' },
    root_markers = { 'go.mod', '.git' },
    settings = { pprof = M.settings() },
    init_options = M.settings(),
    capabilities = capabilities(),
    handlers = {
      ['workspace/codeLens/refresh'] = function(_, _, ctx)
        require('pprof.attach').refresh_client(ctx.client_id)
        return vim.NIL
      end,
      ['pprof/status'] = function(...)
        require('pprof.status').handler(...)
      end,
      ['window/logMessage'] = function(...)
        return require('pprof.log').handler(...)
      end,
    },
  }
end

return M
