-- pprof-lsp for `vim.lsp.enable('pprof')` (Neovim 0.11+). The plugin enables
-- it on its own; `vim.lsp.config('pprof', {...})` overrides any field.
return require('pprof.config').lsp_config()
