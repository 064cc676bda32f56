--- Heat marks: the server's `pprof.heat` gives each hot line a share of the
--- hottest line (0..1); this module only sorts those shares into the
--- PprofHeat1..PprofHeat5 highlight groups and places sign-column marks.
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

--- The highlight group for a heat share.
--- @param heat number 0..1
--- @return string
function M.group(heat)
  local level = math.ceil((tonumber(heat) or 0) * M.levels)
  return 'PprofHeat' .. math.max(1, math.min(M.levels, level))
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
      if type(item.line) == 'number' and item.line >= 0 and item.line < count then
        local group = M.group(item.heat)
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

return M
