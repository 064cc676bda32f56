--- pprof-lsp for Neovim. The plugin starts the server for Go buffers on its
--- own; `setup()` is optional and only changes settings.
local client = require('pprof.client')
local config = require('pprof.config')

local M = {}

--- Sets the options: the server's settings under their own names
--- (`profiles`, `sampleType`, `pathMappings`, `sourcePaths`, `goroot`,
--- `hints`, `lenses`, `maxProfileBytes`, `watch`, `refreshSeconds`,
--- `history`, `growth`, `diagnostics`, `benchmarks`, `diffBase`,
--- `filters`), plus the client's `cmd` and `heat`. Running clients get the new settings at once.
--- @param opts table?
function M.setup(opts)
  config.set(opts)
  if vim.lsp.config then
    -- Drops Neovim's cached copy of lsp/pprof.lua so the next start reads
    -- the new options.
    vim.lsp.config(client.name, {})
  end
  local settings = { pprof = config.settings() }
  for _, c in ipairs(client.all()) do
    c.settings = settings
    c.config.settings = settings
    client.notify(c, 'workspace/didChangeConfiguration', { settings = settings })
  end
  require('pprof.attach').refresh_all()
end

--- Stops the pprof clients and starts fresh ones for the buffers they
--- served, with the current options: the way to pick up a rebuilt server
--- or a new `cmd`.
function M.restart()
  local buffers, ids = {}, {}
  for _, c in ipairs(client.all()) do
    table.insert(ids, c.id)
    for bufnr in pairs(c.attached_buffers) do
      buffers[bufnr] = true
    end
  end
  if vim.lsp.enable then
    vim.lsp.enable(client.name, false)
  else
    -- Detached first, so that no request goes to a server shutting down.
    for bufnr in pairs(buffers) do
      for _, id in ipairs(ids) do
        if vim.lsp.buf_is_attached(bufnr, id) then
          vim.lsp.buf_detach_client(bufnr, id)
        end
      end
    end
    for _, id in ipairs(ids) do
      vim.lsp.stop_client(id)
    end
  end
  -- A client still shutting down would be reused by the next start.
  local gone = vim.wait(5000, function()
    for _, id in ipairs(ids) do
      if vim.lsp.get_client_by_id(id) then
        return false
      end
    end
    return true
  end, 20)
  if not gone then
    for _, id in ipairs(ids) do
      vim.lsp.stop_client(id, true)
    end
  end
  if vim.lsp.enable then
    vim.lsp.config(client.name, {})
    vim.lsp.enable(client.name)
  else
    for bufnr in pairs(buffers) do
      if vim.api.nvim_buf_is_loaded(bufnr) then
        M.start(bufnr)
      end
    end
  end
end

--- The status the server of a buffer's pprof client (default: the current
--- buffer's, else any running one) last sent: the `pprof/status` object, with
--- `state`, `summary`, `detail`, `generation`, ... Nil without a client, or
--- before its first status arrived.
--- @param bufnr integer?
--- @return table?
function M.status(bufnr)
  local c = client.get(bufnr)
  return c and require('pprof.status').get(c.id) or nil
end

--- The server's one-line summary, with the active filters when it does not
--- name them already, for a statusline: `''` when there is no
--- status. Redraw on `User PprofStatus` to keep it current.
--- @param bufnr integer?
--- @return string
function M.statusline(bufnr)
  local s = M.status(bufnr)
  return s and s.summary or ''
end

--- Starts (or reuses) the client for a buffer: the Neovim 0.10 path. On
--- 0.11 `vim.lsp.enable('pprof')` does this from lsp/pprof.lua.
--- @param bufnr integer?
--- @return integer? client_id
function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local cfg = config.lsp_config()
  if vim.fn.executable(cfg.cmd[1]) == 0 then
    -- Quietly, as vim.lsp.enable does; :checkhealth pprof says why.
    return nil
  end
  cfg.name = client.name
  cfg.root_dir = vim.fs.root(bufnr, cfg.root_markers) or vim.fn.getcwd()
  cfg.root_markers = nil
  cfg.filetypes = nil
  return vim.lsp.start(cfg, { bufnr = bufnr })
end

return M
