-- Configuration for scripts/screenshot-nvim.sh: a plain Neovim with only
-- the plugin, catalog.go open at the init allocation and :Pprof top below.
-- Writes $PPROF_SHOT_READY once hints and lenses are on screen.
vim.o.termguicolors = true
vim.o.number = true
vim.o.signcolumn = 'yes'
vim.o.laststatus = 2
vim.o.ruler = false
vim.o.showmode = false
vim.o.shortmess = vim.o.shortmess .. 'IF'
vim.o.swapfile = false
vim.cmd('filetype on')
vim.cmd('syntax on')

vim.g.pprof = { profiles = { '../profiles/windows.heap.pb.gz' }, heat = true }
vim.cmd('runtime plugin/pprof.lua')

vim.cmd.edit('internal/catalog/catalog.go')
local bufnr = vim.api.nvim_get_current_buf()

local function ready()
  local hinted = #vim.lsp.inlay_hint.get({ bufnr = bufnr }) > 0
  local lensed = #vim.lsp.codelens.get(bufnr) > 0
  return hinted and lensed
end

vim.wait(20000, ready, 50)
vim.cmd('Pprof top 6')
vim.wait(5000, function()
  return #vim.fn.getqflist() > 0
end, 50)
vim.api.nvim_win_set_cursor(0, { 25, 1 })
vim.cmd('normal! zz')
-- Heat marks arrive asynchronously; give them and the redraw a moment.
vim.defer_fn(function()
  vim.cmd('redraw!')
  local f = io.open(assert(os.getenv('PPROF_SHOT_READY')), 'w')
  if f then
    f:write(ready() and 'ok\n' or 'not ready\n')
    f:close()
  end
end, 500)
