-- Shared by the tests in this folder: loud failures, bounded waits, and
-- reading hints and lenses back from Neovim's own state.
local M = {}

M.root = assert(os.getenv('PPROF_REPO'), 'PPROF_REPO must name the repository root')
M.catalog = 'internal/catalog/catalog.go'

function M.log(message)
  io.stdout:write(message .. '\n')
  io.stdout:flush()
end

local function dump_lsp_log()
  local path = vim.lsp.get_log_path()
  local f = io.open(path, 'r')
  if not f then
    return
  end
  local lines = {}
  for line in f:lines() do
    table.insert(lines, line)
  end
  f:close()
  io.stderr:write(('--- last lines of %s ---\n'):format(path))
  for i = math.max(1, #lines - 20), #lines do
    io.stderr:write(lines[i] .. '\n')
  end
end

--- Functions run before Neovim exits, whether the test passed or failed:
--- they stop what the test started (see `start_leaky`).
local cleanups = {}

--- @param fn fun()
function M.on_exit(fn)
  table.insert(cleanups, fn)
end

local function clean_up()
  while #cleanups > 0 do
    pcall(table.remove(cleanups))
  end
end

function M.fail(message)
  io.stderr:write('FAIL: ' .. message .. '\n')
  dump_lsp_log()
  io.stderr:flush()
  clean_up()
  vim.cmd('cquit! 1')
end

function M.check(condition, message)
  if not condition then
    M.fail(message)
  end
end

function M.eq(actual, expected, what)
  if not vim.deep_equal(actual, expected) then
    M.fail(('%s: expected %s, got %s'):format(what, vim.inspect(expected), vim.inspect(actual)))
  end
end

--- Waits for `fn` to return a truthy value, failing after `ms`.
function M.wait(ms, fn, what)
  local value
  local ok = vim.wait(ms, function()
    value = fn()
    return value ~= nil and value ~= false
  end, 50)
  if not ok then
    M.fail(('timed out after %d ms waiting for %s'):format(ms, what))
  end
  return value
end

--- Error messages the server showed (window/showMessage of type Error).
M.errors = {}

--- Sources the plugin the way Neovim's startup would.
function M.load_plugin()
  local show = vim.lsp.handlers['window/showMessage']
  vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
    if result and result.type == vim.lsp.protocol.MessageType.Error then
      table.insert(M.errors, result.message)
    end
    return show(err, result, ctx, config)
  end
  vim.cmd('filetype on')
  vim.cmd('runtime plugin/pprof.lua')
  M.check(vim.fn.exists(':Pprof') == 2, 'plugin/pprof.lua did not define :Pprof')
end

--- Runs a test body once Neovim has started, as a user's commands would
--- run; any Lua error, or an error message from the server, fails the test.
function M.run(body)
  local function go()
    local ok, err = xpcall(body, debug.traceback)
    if not ok then
      M.fail(tostring(err))
    end
    M.eq(M.errors, {}, 'error messages from the server')
    clean_up()
    -- On a line of its own: messages shown before it may lack a newline.
    M.log('\nok')
    vim.cmd('qall!')
  end
  if vim.v.vim_did_enter == 1 then
    go()
  else
    vim.api.nvim_create_autocmd('VimEnter', { once = true, callback = vim.schedule_wrap(go) })
  end
end

--- Opens a file and waits until an initialized pprof client is attached.
--- @return integer bufnr, vim.lsp.Client client
function M.open(path)
  vim.cmd.edit(path)
  local bufnr = vim.api.nvim_get_current_buf()
  M.eq(vim.bo[bufnr].filetype, 'go', 'filetype of ' .. path)
  local client = M.wait(10000, function()
    local c = vim.lsp.get_clients({ bufnr = bufnr, name = 'pprof' })[1]
    return c and c.initialized and c or nil
  end, 'a pprof client attached to ' .. path)
  return bufnr, client
end

local function label_text(label)
  if type(label) == 'string' then
    return label
  end
  local parts = {}
  for _, part in ipairs(label) do
    table.insert(parts, part.value)
  end
  return table.concat(parts)
end

--- Inlay hint labels by 0-based line, as Neovim holds them.
function M.hints(bufnr)
  local out = {}
  for _, item in ipairs(vim.lsp.inlay_hint.get({ bufnr = bufnr })) do
    local line = item.inlay_hint.position.line
    -- Several hints on one line (costs, then a growth mark) read as one.
    local text = label_text(item.inlay_hint.label)
    out[line] = out[line] and (out[line] .. ' ' .. text) or text
  end
  return out
end

--- Code lens titles by 0-based line, as Neovim holds them.
function M.lenses(bufnr)
  local out = {}
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
    if lens.command then
      out[lens.range.start.line] = lens.command.title
    end
  end
  return out
end

--- Waits until the hint on `line` (0-based) is exactly `label`.
function M.wait_hint(bufnr, line, label)
  local seen
  local ok = vim.wait(10000, function()
    seen = M.hints(bufnr)[line]
    return seen == label
  end, 50)
  if not ok then
    M.fail(('hint on line %d: expected %q, last seen %s; all hints: %s'):format(
      line,
      label,
      vim.inspect(seen),
      vim.inspect(M.hints(bufnr))
    ))
  end
end

--- Waits until the lens title on `line` (0-based) starts with `prefix`.
function M.wait_lens(bufnr, line, prefix)
  local seen
  local ok = vim.wait(10000, function()
    seen = M.lenses(bufnr)[line]
    return seen ~= nil and vim.startswith(seen, prefix)
  end, 50)
  if not ok then
    M.fail(('lens on line %d: expected a title starting %q, last seen %s; all lenses: %s'):format(
      line,
      prefix,
      vim.inspect(seen),
      vim.inspect(M.lenses(bufnr))
    ))
  end
  return seen
end

--- Starts the leaking Go service of tests/fixtures/leaky (the binary
--- `scripts/build-leaky.sh` made, named by PPROF_LEAKY_BIN) and waits for
--- the address it prints. It is stopped by its PID when the test ends, pass
--- or fail; it also exits when its stdin (a pipe from Neovim) closes, and
--- after `-lifetime`. Its PID goes to PPROF_LEAKY_PIDFILE, so the test script
--- can check that it is gone.
--- @return { pid: integer, url: string, stop: fun() }
function M.start_leaky()
  local bin = os.getenv('PPROF_LEAKY_BIN')
  M.check(bin and vim.fn.executable(bin) == 1, 'PPROF_LEAKY_BIN does not name the leaky service (run scripts/test-nvim.sh)')
  local output = {}
  local proc = vim.system({ bin, '-lifetime', '90s' }, {
    stdin = true,
    stdout = function(_, data)
      table.insert(output, data)
    end,
    stderr = function(_, data)
      table.insert(output, data)
    end,
  })
  local function stop()
    if proc:is_closing() then
      return
    end
    vim.uv.kill(proc.pid, 'sigterm')
    proc:wait(3000)
    if not proc:is_closing() then
      vim.uv.kill(proc.pid, 'sigkill')
      proc:wait(1000)
    end
  end
  M.on_exit(stop)
  local pidfile = os.getenv('PPROF_LEAKY_PIDFILE')
  if pidfile then
    vim.fn.writefile({ tostring(proc.pid) }, pidfile)
  end
  local addr = M.wait(10000, function()
    return table.concat(output):match('listening on (%S+)')
  end, 'the leaky service to print its address')
  return { pid = proc.pid, url = ('http://%s/debug/pprof/heap'):format(addr), stop = stop }
end

--- The 1-based line of `path` that ends in `// marker: NAME`.
--- @param path string
--- @param name string
--- @return integer
function M.marker_line(path, name)
  for i, line in ipairs(vim.fn.readfile(path)) do
    if line:match('// marker: ' .. name .. '$') then
      return i
    end
  end
  M.fail(('no line ending in "// marker: %s" in %s'):format(name, path))
  return 0
end

--- The Windows-path profile, relative to the workspace (tests/fixtures/goprog).
M.windows_profile = '../profiles/windows.heap.pb.gz'

-- An empty Go root for the settings, so the results do not depend on
-- whether this machine has Go installed (the server would otherwise map
-- standard-library frames into `go env GOROOT`).
M.empty_goroot = vim.fn.tempname() .. '-goroot'
vim.fn.mkdir(M.empty_goroot, 'p')

return M
