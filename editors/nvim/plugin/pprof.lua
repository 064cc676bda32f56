-- Starts pprof-lsp for Go buffers, with no setup() call needed, and defines
-- :Pprof and the PprofHeat highlight groups.
if vim.g.loaded_pprof then
  return
end
vim.g.loaded_pprof = 1

if vim.fn.has('nvim-0.10') == 0 then
  vim.notify_once('pprof: Neovim 0.10 or later is needed', vim.log.levels.WARN)
  return
end

require('pprof.commands').create()
require('pprof.heat').define_highlights()

local group = vim.api.nvim_create_augroup('pprof', { clear = true })

vim.api.nvim_create_autocmd('ColorScheme', {
  group = group,
  callback = function()
    require('pprof.heat').define_highlights()
  end,
})

vim.api.nvim_create_autocmd('LspAttach', {
  group = group,
  callback = function(args)
    local c = vim.lsp.get_client_by_id(args.data.client_id)
    if c and c.name == 'pprof' then
      require('pprof.attach').on_attach(c, args.buf)
    end
  end,
})

-- Runs of go test in progress, for :Pprof cancel.
vim.api.nvim_create_autocmd('LspProgress', {
  group = group,
  callback = function(args)
    local c = vim.lsp.get_client_by_id(args.data.client_id)
    if c and c.name == 'pprof' then
      require('pprof.bench').on_progress(c.id, args.data.params)
    end
  end,
})

vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
  group = group,
  callback = function(args)
    if require('pprof.client').attached(args.buf) then
      require('pprof.attach').refresh_buffer(args.buf)
    end
  end,
})

vim.api.nvim_create_autocmd('TextChanged', {
  group = group,
  callback = function(args)
    if require('pprof.client').attached(args.buf) then
      require('pprof.heat').update_after_edit(args.buf)
    end
  end,
})

if vim.lsp.config and vim.lsp.enable then
  vim.lsp.enable('pprof')
else
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'go',
    callback = function(args)
      require('pprof').start(args.buf)
    end,
  })
end
