--- Heat marks: the server's `pprof.heat` gives each hot line a `level` from 1
--- (coolest) to 5 (hottest); this module places a sign-column mark in the
--- PprofHeat{level} highlight group on each. Marks are asked for again when
--- the server's status brings another `generation` (any change of what is
--- shown) or `enabled`, on entering a buffer, and after edits and writes.
local client = require('pprof.client')
local config = require('pprof.config')

local M = {}

M.levels = 5
M.namespace = vim.api.nvim_create_namespace('pprof.heat')

--- Default links, coolest to hottest; `:highlight` or a colorscheme
--- overrides them.
local default_links = {
  'DiagnosticHint',
  'DiagnosticInfo',
  'DiagnosticWarn',
  'DiagnosticError',
  'ErrorMsg',
}

function M.define_highlights()
  for level, target in ipairs(default_links) do
    vim.api.nvim_set_hl(0, 'PprofHeat' .. level, { link = target, default = true })
  end
end

--- The highlight group for one of the server's levels, nil for anything else.
--- @param level any
--- @return string?
function M.group(level)
  if type(level) == 'number' and level >= 1 and level <= M.levels and level % 1 == 0 then
    return 'PprofHeat' .. level
  end
  return nil
end

--- @param bufnr integer
function M.clear(bufnr)
  if vim.api.nvim_buf_is_valid(bufnr) then
    vim.api.nvim_buf_clear_namespace(bufnr, M.namespace, 0, -1)
  end
end

--- Replaces a buffer's heat marks with the server's current ones, or
--- clears them when `heat` is off.
--- @param bufnr integer
function M.update(bufnr)
  local c = client.all({ bufnr = bufnr })[1]
  if not config.get().heat or not c then
    M.clear(bufnr)
    return
  end
  client.execute(c, 'pprof.heat', { uri = vim.uri_from_bufnr(bufnr) }, function(err, result)
    if err or not vim.api.nvim_buf_is_valid(bufnr) then
      return
    end
    M.clear(bufnr)
    local count = vim.api.nvim_buf_line_count(bufnr)
    for _, item in ipairs(type(result) == 'table' and result or {}) do
      local group = M.group(item.level)
      if group and type(item.line) == 'number' and item.line >= 0 and item.line < count then
        vim.api.nvim_buf_set_extmark(bufnr, M.namespace, item.line, 0, {
          sign_text = '▌',
          sign_hl_group = group,
          number_hl_group = group,
          priority = 5,
        })
      end
    end
  end)
end

--- Updates the heat marks of every buffer a client is attached to.
--- @param client_id integer
function M.update_client(client_id)
  local c = vim.lsp.get_client_by_id(client_id)
  if not c then
    return
  end
  for bufnr in pairs(c.attached_buffers) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      M.update(bufnr)
    end
  end
end

local EDIT_DELAY_MS = 300
--- @type table<integer, uv.uv_timer_t>
local edit_timers = {}

--- Updates a buffer's marks once edits to it have paused.
--- @param bufnr integer
function M.update_after_edit(bufnr)
  local timer = edit_timers[bufnr]
  if not timer then
    timer = assert(vim.uv.new_timer())
    edit_timers[bufnr] = timer
  end
  timer:stop()
  timer:start(EDIT_DELAY_MS, 0, vim.schedule_wrap(function()
    timer:close()
    edit_timers[bufnr] = nil
    if vim.api.nvim_buf_is_loaded(bufnr) then
      M.update(bufnr)
    end
  end))
end

return M
