-- setup() takes the server's setting names; changes reach a running
-- server; heat marks follow the server's heat.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  h.load_plugin()
  require('pprof').setup({ profiles = { h.windows_profile }, goroot = h.empty_goroot, hints = { format = 'cum' }, heat = true })
  local bufnr, client = h.open(h.catalog)
  h.wait_hint(bufnr, 24, '10MB cum (65.47%)')
  h.eq(client.config.init_options.hints.format, 'cum', 'init_options mirror the settings')
  h.eq(client.settings.pprof.hints.format, 'cum', 'settings are under "pprof"')
  h.eq(client.settings.pprof.heat, nil, 'client-only keys are not sent')

  -- The server says line 24 (0-based) is the file's hottest, heat 1.
  local heat = require('pprof.client').execute_sync(client, 'pprof.heat', { uri = vim.uri_from_bufnr(bufnr) })
  local hottest
  for _, item in ipairs(heat) do
    if item.heat == 1 then
      hottest = item
    end
  end
  h.eq(hottest and hottest.line, 24, 'hottest line from pprof.heat')
  h.eq(hottest.level, 5, 'level of the hottest line')
  -- Each line the server shades gets a mark in the group of the server's level.
  local ns = require('pprof.heat').namespace
  local groups = h.wait(5000, function()
    local marks = vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })
    if #marks < #heat then
      return nil
    end
    local out = {}
    for _, mark in ipairs(marks) do
      out[mark[2]] = mark[4].sign_hl_group
    end
    return out
  end, 'a heat mark on each line of pprof.heat')
  for _, item in ipairs(heat) do
    h.eq(groups[item.line], 'PprofHeat' .. item.level, 'heat group of line ' .. item.line)
  end
  h.eq(vim.tbl_count(groups), #heat, 'heat marks')
  h.eq(vim.api.nvim_get_hl(0, { name = 'PprofHeat5' }).link, 'ErrorMsg', 'default link of PprofHeat5')

  -- A second setup() reaches the running server.
  require('pprof').setup({ profiles = { h.windows_profile }, goroot = h.empty_goroot, sampleType = 'alloc_space' })
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (1.28%)')
  h.wait(5000, function()
    return #vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, {}) == 0
  end, 'heat marks gone once heat is off')
end)
