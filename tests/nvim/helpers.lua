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
--- they stop what the test started (see `start_service`).
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

--- Runs `command` (e.g. `Pprof top 5`) and waits for the quickfix list it
--- fills, known by its title starting with `title`; returns the list's
--- `title` and `items`.
--- @param command string
--- @param title string
--- @return { title: string, items: table[] }
function M.quickfix(command, title)
  vim.cmd(command)
  return M.wait(5000, function()
    local list = vim.fn.getqflist({ title = 1, items = 1 })
    return vim.startswith(list.title, title) and list or nil
  end, 'the quickfix list from :' .. command)
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

--- Starts a service for a test (a Go service of tests/fixtures, or the
--- stand-in Pyroscope server; the binary the test script built, named by
--- the environment variable `env`) and waits for the address it prints.
--- It is stopped by its PID when the test ends, pass or fail; it also
--- exits when its stdin (a pipe from Neovim) closes, and after the lifetime
--- `args` give it. Its PID is added to PPROF_SERVICE_PIDFILE, so the test
--- script can check that it is gone.
--- @param env string
--- @param path string the path to add to its address, e.g. `/debug/pprof/heap`
--- @param args string[]
--- @return { pid: integer, url: string, stop: fun() }
local function start_service(env, path, args)
  local bin = os.getenv(env)
  M.check(bin and vim.fn.executable(bin) == 1, env .. ' does not name the service (run scripts/test-nvim.sh)')
  local output = {}
  local proc = vim.system(vim.list_extend({ bin }, args), {
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
  local pidfile = os.getenv('PPROF_SERVICE_PIDFILE')
  if pidfile then
    vim.fn.writefile({ tostring(proc.pid) }, pidfile, 'a')
  end
  local addr = M.wait(10000, function()
    return table.concat(output):match('listening on (%S+)')
  end, 'the service ' .. bin .. ' to print its address')
  return { pid = proc.pid, url = ('http://%s%s'):format(addr, path), stop = stop }
end

--- The leaking Go service of tests/fixtures/leaky (`scripts/build-leaky.sh`),
--- with the URL of its heap profile; `args` are more of its flags
--- (`-leak-size`, ...).
--- @param args string[]?
function M.start_leaky(args)
  return start_service('PPROF_LEAKY_BIN', '/debug/pprof/heap', vim.list_extend({ '-lifetime', '90s' }, args or {}))
end

--- The goroutine-leaking Go service of tests/fixtures/goleak
--- (`scripts/build-goleak.sh`), with the URL of its goroutine leak profile.
function M.start_goleak()
  return start_service('PPROF_GOLEAK_BIN', '/debug/pprof/goroutineleak', { '-lifetime', '90s' })
end

--- The stand-in Pyroscope server (examples/fleet_server.rs, serving
--- tests/fixtures/profiles/heap.pb.gz), with its URL.
function M.start_pyroscope()
  return start_service('PPROF_FLEET_SERVER', '', { '--lifetime', '90' })
end

--- Copies the files of the fixture folder `name` (tests/fixtures/NAME) to a
--- folder of its own, as a workspace, and returns its real path.
--- @param name string
--- @return string
function M.copy_fixture(name)
  local workspace = vim.fn.tempname() .. '/' .. name
  vim.fn.mkdir(workspace, 'p')
  for file, kind in vim.fs.dir(M.root .. '/tests/fixtures/' .. name) do
    if kind == 'file' then
      assert(vim.uv.fs_copyfile(M.root .. '/tests/fixtures/' .. name .. '/' .. file, workspace .. '/' .. file))
    end
  end
  return vim.uv.fs_realpath(workspace)
end

--- The 1-based line of `path` that ends in `// marker: NAME`.
--- @param path string
--- @param name string
--- @return integer
function M.marker_line(path, name)
  for i, line in ipairs(vim.fn.readfile(path)) do
    if vim.endswith(line, '// marker: ' .. name) then
      return i
    end
  end
  M.fail(('no line ending in "// marker: %s" in %s'):format(name, path))
  return 0
end

--- Code lens titles on a 0-based line, in the order Neovim holds them.
--- @return string[]
function M.lens_titles(bufnr, line)
  local out = {}
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
    if lens.command and lens.range.start.line == line then
      table.insert(out, lens.command.title)
    end
  end
  return out
end

--- Processes whose working directory is `dir` or below it (go test and the
--- test binaries it runs work in the package's directory), leaving out this
--- Neovim and the processes it started itself (the language server), which
--- may work there too. Each is `{ pid = ..., cmd = ... }`.
--- @param dir string a real path
--- @return table[]
function M.processes_in(dir)
  local me = vim.fn.getpid()
  local out = {}
  for name in vim.fs.dir('/proc') do
    local pid = tonumber(name)
    local cwd = pid and pid ~= me and vim.uv.fs_readlink('/proc/' .. name .. '/cwd')
    if cwd and (cwd == dir or vim.startswith(cwd, dir .. '/')) then
      local ok, stat = pcall(vim.fn.readfile, '/proc/' .. name .. '/stat')
      -- The parent's PID is the second field after the parenthesised name.
      local ppid = ok and stat[1] and tonumber(stat[1]:match('%)%s+%S+%s+(%d+)'))
      if ppid ~= me then
        local read, cmdline = pcall(vim.fn.readfile, '/proc/' .. name .. '/cmdline', 'b')
        local cmd = read and table.concat(cmdline, ' '):gsub('[%z\n]', ' ') or '?'
        table.insert(out, { pid = pid, cmd = vim.trim(cmd) })
      end
    end
  end
  return out
end

--- The 1-based number of the first line of `path` that contains `text`.
--- @param path string
--- @param text string
--- @return integer
function M.line_with(path, text)
  for i, line in ipairs(vim.fn.readfile(path)) do
    if line:find(text, 1, true) then
      return i
    end
  end
  M.fail(('no line containing %q in %s'):format(text, path))
  return 0
end

--- Makes the git repository of the revision fixture with
--- scripts/make-revision-repo.sh (revision A tagged `profiled` with a heap
--- profile of A's program and its binary, revision B checked out) in a
--- folder of its own, removed when the test ends, pass or fail. Returns the
--- script's JSON: `dir`, `revA`, `revB`, `profile`, `binary` and the tagged
--- `lines` (1-based). Needs PPROF_GOROOT, which scripts/test-nvim.sh exports.
--- @return table
function M.revision_repo()
  local goroot = os.getenv('PPROF_GOROOT')
  M.check(goroot and goroot ~= '', 'PPROF_GOROOT is not set (run scripts/test-nvim.sh)')
  local parent = vim.fn.tempname()
  vim.fn.mkdir(parent, 'p')
  M.on_exit(function()
    vim.fn.delete(parent, 'rf')
  end)
  local dir = parent .. '/revdemo'
  local done = vim
    .system({ M.root .. '/scripts/make-revision-repo.sh', dir }, { text = true, env = { PPROF_GOROOT = goroot } })
    :wait(60000)
  M.check(done.code == 0, ('make-revision-repo.sh failed (exit %s):\n%s'):format(tostring(done.code), done.stderr or ''))
  local ok, repo = pcall(vim.json.decode, done.stdout)
  M.check(ok and type(repo) == 'table' and type(repo.lines) == 'table', 'make-revision-repo.sh printed ' .. vim.inspect(done.stdout))
  return repo
end

--- The Windows-path profile, relative to the workspace (tests/fixtures/goprog).
M.windows_profile = '../profiles/windows.heap.pb.gz'

-- An empty Go root for the settings, so the results do not depend on
-- whether this machine has Go installed (the server would otherwise map
-- standard-library frames into `go env GOROOT`).
M.empty_goroot = vim.fn.tempname() .. '-goroot'
vim.fn.mkdir(M.empty_goroot, 'p')

return M
