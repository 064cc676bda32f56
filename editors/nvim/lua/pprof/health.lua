--- `:checkhealth pprof`: is the server there, which version, is a profile
--- loaded, and how many of its paths are not mapped to workspace files.
local client = require('pprof.client')
local config = require('pprof.config')

local M = {}

local health = vim.health

--- The command clients are started with, including any override made
--- through `vim.lsp.config('pprof', ...)`.
local function server_cmd()
  if vim.lsp.config then
    local ok, resolved = pcall(function()
      return vim.lsp.config[client.name]
    end)
    if ok and resolved and resolved.cmd then
      return resolved.cmd
    end
  end
  return config.cmd()
end

local function check_neovim()
  health.start('pprof: Neovim')
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok('Neovim 0.11 or later: the server starts through vim.lsp.enable("pprof") (lsp/pprof.lua)')
  elseif vim.fn.has('nvim-0.10') == 1 then
    health.ok('Neovim 0.10: the server starts per Go buffer through vim.lsp.start')
  else
    health.error('Neovim 0.10 or later is needed (inlay hints)')
  end
end

--- @return boolean found
local function check_server()
  health.start('pprof: server')
  local cmd = server_cmd()
  if type(cmd) == 'function' then
    health.ok('server: started by a function given through vim.lsp.config')
    return true
  end
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    health.error(('server not found: %s'):format(cmd[1]), {
      'Put pprof-lsp on PATH (cargo install --path . in the pprof-lsp repository),',
      "or set its path: require('pprof').setup({ cmd = { '/path/to/pprof-lsp' } })",
    })
    return false
  end
  health.ok('server found: ' .. exe)
  local ok, result = pcall(function()
    return vim.system({ exe, '--version' }, { text = true }):wait(5000)
  end)
  if ok and result.code == 0 then
    health.ok('server version: ' .. vim.trim(result.stdout or ''))
  else
    local why = ok and (vim.trim(result.stderr or '') .. ' (exit ' .. tostring(result.code) .. ')') or tostring(result)
    health.error(('`%s --version` failed: %s'):format(exe, why), { 'Is this pprof-lsp, and built for this machine?' })
  end
  return true
end

local function check_settings()
  health.start('pprof: settings')
  local unknown = config.unknown_keys()
  if #unknown > 0 then
    health.warn('unknown settings, ignored: ' .. table.concat(unknown, ', '), {
      'Setting names are the server’s: see :help pprof-settings',
    })
  else
    health.ok('settings: ' .. vim.json.encode(config.settings()))
  end
end

local function check_clients()
  health.start('pprof: profile')
  local clients = client.all()
  if #clients == 0 then
    health.warn('no pprof client is running', { 'Open a Go file; the client starts for the "go" filetype' })
    return
  end
  for _, c in ipairs(clients) do
    local where = ('client %d (%s)'):format(c.id, c.root_dir or c.config.root_dir or '?')
    local status, err = client.execute_sync(c, 'pprof.status', nil, 3000)
    if not status then
      health.error(('%s: pprof.status failed: %s'):format(where, err))
    elseif status.state == 'failed' then
      health.warn(('%s: %s'):format(where, status.summary), vim.split(status.detail, '\n'))
    elseif status.loaded then
      health.ok(('%s: profile loaded: %s'):format(where, status.summary))
    else
      health.warn(('%s: no profile loaded'):format(where), {
        'Set `profiles` (see :help pprof-settings), keep a profile in the workspace, or run :Pprof load {path|url}',
      })
    end
    local live = status and status.live
    if type(live) == 'table' then
      local every = ('polled every %s s, %s snapshots kept'):format(tostring(live.refreshSeconds), tostring(live.snapshots))
      if live.unreachableSince then
        health.warn(('%s: live source unreachable since %s (%s)'):format(where, live.unreachableSince, every), {
          live.error or 'The endpoint does not answer; its last data stays shown and polling retries with backoff',
        })
      else
        health.ok(('%s: live source, %s, last fetched %s'):format(where, every, live.lastFetch or 'not yet'))
      end
    end
    if status and status.diffBase then
      health.info(('%s: values are differences from the base profile %s (:Pprof base clear stops)'):format(where, status.diffBase))
    end
    local unresolved, uerr = client.execute_sync(c, 'pprof.unresolved', nil, 3000)
    if not unresolved then
      health.error(('%s: pprof.unresolved failed: %s'):format(where, uerr))
    elseif #unresolved == 0 then
      health.ok(('%s: every profile path maps to a workspace file'):format(where))
    else
      health.warn(('%s: %d profile paths are not mapped to workspace files'):format(where, #unresolved), {
        'See them with :Pprof unresolved',
        'Standard-library paths need `goroot` (or `go` on PATH); others `pathMappings` or `sourcePaths`',
      })
    end
  end
end

function M.check()
  check_neovim()
  if check_server() then
    check_settings()
    check_clients()
  end
end

return M
