--- `:Pprof bench`: profiles a Go test or benchmark through the server's
--- `pprof.runBenchmark`. The server finds the function (by name, or the one
--- the cursor is in), runs `go test`, and shows the profile; this module only
--- builds the command's argument and words what came back. The code lenses
--- above tests and benchmarks need nothing from here: Neovim runs their
--- command with `workspace/executeCommand`, as the server advertises it.
local M = {}

--- The profile kinds `pprof.runBenchmark` takes; the first is the default.
M.kinds = { 'mem', 'cpu' }

--- Reads `[name] [mem|cpu]`, in either order.
--- @param args string[]
--- @return { name: string?, kind: string }? parsed, string? error
function M.parse(args)
  local out = { kind = M.kinds[1] }
  for _, a in ipairs(args) do
    if vim.tbl_contains(M.kinds, a) then
      out.kind = a
    elseif out.name == nil then
      out.name = a
    else
      return nil, ('one test or benchmark name at a time, not %q and %q'):format(out.name, a)
    end
  end
  return out
end

--- The `pprof.runBenchmark` argument for a buffer: the named function, or
--- else the cursor's (0-based) line, from which the server finds the test
--- or benchmark declared last at or above it.
--- @param bufnr integer
--- @param parsed { name: string?, kind: string }
--- @param cursor_line integer 1-based, as |nvim_win_get_cursor()| gives it
--- @return table
function M.argument(bufnr, parsed, cursor_line)
  local arg = { uri = vim.uri_from_bufnr(bufnr), kind = parsed.kind }
  if parsed.name then
    arg.name = parsed.name
  else
    arg.line = cursor_line - 1
  end
  return arg
end

--- Test and benchmark names declared in a buffer, for completion only: the
--- server finds the function to run itself.
--- @param bufnr integer
--- @return string[]
function M.names(bufnr)
  local out = {}
  for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local name = line:match('^func%s+(Benchmark[%w_]*)%s*%(') or line:match('^func%s+(Test[%w_]*)%s*%(')
    if name then
      table.insert(out, name)
    end
  end
  return out
end

--- What a finished run reports, in the server's words: go test's result
--- line (benchmarks), which run this was and what it is compared with.
--- @param result table the `pprof.runBenchmark` result
--- @return string
function M.describe(result)
  local parts = { result.result or result.name }
  local run = ('run %d'):format(tonumber(result.run) or 0)
  if type(result.comparedWith) == 'string' then
    run = run .. ', compared with ' .. result.comparedWith
  end
  table.insert(parts, '(' .. run .. ')')
  return table.concat(parts, ' ')
end

--- Cancellable progress the servers have begun and not ended (a run of
--- go test), per client: client id -> token -> title.
--- @type table<integer, table<string|integer, string>>
local cancellable = {}

--- Keeps track of cancellable progress, for `:Pprof cancel`. For the
--- `LspProgress` autocommand of pprof clients.
--- @param client_id integer
--- @param params table the `$/progress` parameters
function M.on_progress(client_id, params)
  local value = type(params) == 'table' and params.value
  if type(value) ~= 'table' or params.token == nil then
    return
  end
  local tokens = cancellable[client_id] or {}
  cancellable[client_id] = tokens
  if value.kind == 'begin' and value.cancellable then
    tokens[params.token] = value.title or tostring(params.token)
  elseif value.kind == 'end' then
    tokens[params.token] = nil
  end
end

--- Cancels every cancellable progress of a client (the server stops go
--- test and all it started). Returns the titles of what was cancelled.
--- @param client vim.lsp.Client
--- @return string[]
function M.cancel(client)
  local out = {}
  for token, title in pairs(cancellable[client.id] or {}) do
    require('pprof.client').notify(client, 'window/workDoneProgress/cancel', { token = token })
    table.insert(out, title)
  end
  table.sort(out)
  return out
end

return M
