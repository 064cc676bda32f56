-- :checkhealth pprof finds the server, its version and the loaded profile.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  vim.g.pprof = { profiles = { h.windows_profile }, goroot = h.empty_goroot }
  h.load_plugin()
  local bufnr = h.open(h.catalog)
  h.wait_hint(bufnr, 24, '10MB flat · 10MB cum (65.47%)')

  local exe = vim.fn.exepath('pprof-lsp')
  local version = vim.trim(vim.system({ exe, '--version' }, { text = true }):wait().stdout)

  vim.cmd('checkhealth pprof')
  local text = h.wait(10000, function()
    local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
    local joined = table.concat(lines, '\n')
    return joined:find('pprof: profile', 1, true) and joined or nil
  end, 'the :checkhealth pprof report')
  h.log(text)

  local function has(pattern, what)
    h.check(text:find(pattern) ~= nil, 'health report lacks ' .. what .. ' (pattern ' .. pattern .. ')')
  end
  has('OK server found: ' .. vim.pesc(exe), 'an OK line for the server path')
  has('OK server version: ' .. vim.pesc(version), 'an OK line for the version')
  has('OK client %d+ %([^)]*%): profile loaded: windows%.heap%.pb%.gz', 'an OK line for the loaded profile')
  has('profile paths are not mapped', 'the count of unmapped paths')
  h.check(not text:find('ERROR'), 'health report has an ERROR')
end)
