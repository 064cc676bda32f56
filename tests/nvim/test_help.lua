-- doc/pprof.txt builds tags without duplicates, and every link to one of
-- its own tags resolves.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

h.run(function()
  local source = h.root .. '/editors/nvim/doc/pprof.txt'
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir .. '/doc', 'p')
  vim.fn.writefile(vim.fn.readfile(source), dir .. '/doc/pprof.txt')
  vim.cmd('helptags ' .. vim.fn.fnameescape(dir .. '/doc'))
  vim.opt.rtp:prepend(dir)

  local tags = {}
  for _, line in ipairs(vim.fn.readfile(dir .. '/doc/tags')) do
    tags[vim.split(line, '\t')[1]] = true
  end
  local text = table.concat(vim.fn.readfile(source), '\n')
  for link in text:gmatch('|([^|%s]+)|') do
    local own = link:find('^:?[Pp]prof') or link:find('^hl%-Pprof')
    h.check(not own or tags[link], 'link to a missing tag: |' .. link .. '|')
  end

  for _, tag in ipairs({ 'pprof', 'pprof-settings', ':Pprof-top', 'hl-PprofHeat5', 'pprof.setup()' }) do
    vim.cmd('help ' .. tag)
    h.check(vim.endswith(vim.api.nvim_buf_get_name(0), 'pprof.txt'), ':help ' .. tag .. ' did not open pprof.txt')
    vim.cmd('helpclose')
  end
end)
