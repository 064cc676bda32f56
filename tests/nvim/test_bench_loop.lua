-- The benchmark loop with a real Go (PPROF_GOROOT, from scripts/install-go.sh):
-- in a copy of tests/fixtures/bench, the `profile: mem` lens above
-- BenchmarkRender runs through vim.lsp.codelens.run (Neovim sends the
-- server's command with workspace/executeCommand; the plugin adds nothing),
-- render.go's allocation line gets a per-operation hint and the lens go
-- test's result. Then Size is halved on disk and `:Pprof bench` with the
-- cursor inside BenchmarkRender runs it again: the hint is a negative
-- difference per operation and the result lens says B/op halved. `:Pprof
-- perop off` shows totals, `:Pprof log` go's output. No process is left in
-- the module's directory afterwards, nor after `:Pprof cancel` stopped a run
-- of the slow benchmark.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

--- One run may build the test binary with a cold Go cache.
local RUN_MS = 45000

--- The B/op in a result lens title, as a number.
local function bytes_per_op(title)
  return tonumber(title:match('(%d+) B/op'))
end

--- The title on `line` that starts with `prefix`, if any.
local function title_starting(bufnr, line, prefix)
  for _, title in ipairs(h.lens_titles(bufnr, line)) do
    if vim.startswith(title, prefix) then
      return title
    end
  end
end

h.run(function()
  local goroot = os.getenv('PPROF_GOROOT')
  h.check(goroot and vim.fn.executable(goroot .. '/bin/go') == 1, 'PPROF_GOROOT does not name a Go installation (run scripts/test-nvim.sh)')

  -- The module: a copy of the fixture's sources (not any binary next to them).
  local scratch = os.getenv('PPROF_SCRATCH') or vim.fn.tempname()
  local module = scratch .. '/bench'
  vim.fn.mkdir(module, 'p')
  for _, name in ipairs({ 'go.mod', 'render.go', 'render_test.go' }) do
    assert(vim.uv.fs_copyfile(h.root .. '/tests/fixtures/bench/' .. name, module .. '/' .. name))
  end
  module = vim.uv.fs_realpath(module)
  -- Whatever still works in the module when the test ends is stopped by its PID.
  h.on_exit(function()
    for _, p in ipairs(h.processes_in(module)) do
      vim.uv.kill(p.pid, 'sigkill')
    end
  end)
  local render = module .. '/render.go'
  local alloc = h.marker_line(render, 'alloc')
  local bench_line = h.line_with(module .. '/render_test.go', 'func BenchmarkRender(')
  local body_line = h.line_with(module .. '/render_test.go', 'Render(byte(i))')

  vim.cmd.cd(module)
  vim.g.pprof = { goroot = goroot, benchmarks = { memProfileRate = 1, benchtime = '2000x' } }
  h.load_plugin()
  local messages = {}
  vim.notify = function(message, level)
    table.insert(messages, { message = message, level = level })
  end
  -- On failure, what the plugin and Neovim said on the way.
  h.on_exit(function()
    for _, m in ipairs(messages) do
      io.stderr:write(('message (level %s): %s\n'):format(tostring(m.level), m.message))
    end
  end)

  -- render.go below, render_test.go above: both shown, so both get hints.
  local render_buf = h.open(render)
  vim.cmd('split')
  local test_buf, client = h.open(module .. '/render_test.go')

  -- 1. The lens, run the way a user runs it: the cursor on its line.
  h.wait(10000, function()
    return title_starting(test_buf, bench_line - 1, 'profile: mem')
  end, 'the profile: mem lens above BenchmarkRender')
  h.eq(h.lens_titles(test_buf, bench_line - 1), { 'profile: mem', 'cpu' }, 'lenses above BenchmarkRender before a run')
  vim.api.nvim_win_set_cursor(0, { bench_line, 0 })
  local offered
  vim.ui.select = function(items, opts, on_choice)
    offered = vim.tbl_map(opts.format_item, items)
    for i, item in ipairs(items) do
      if opts.format_item(item) == 'profile: mem' then
        return on_choice(item, i)
      end
    end
    on_choice(nil, nil)
  end
  local clicked = vim.uv.hrtime()
  vim.lsp.codelens.run()
  h.eq(offered, { 'profile: mem', 'cpu' }, 'lenses offered by vim.lsp.codelens.run')

  local hint = h.wait(RUN_MS, function()
    local label = h.hints(render_buf)[alloc - 1]
    return label and label:find('/op', 1, true) and label or nil
  end, ('a per-operation hint on render.go:%d'):format(alloc))
  local seconds = (vim.uv.hrtime() - clicked) / 1e9
  h.log(('render.go:%d after the lens, %.2f s from the click: %s'):format(alloc, seconds, hint))
  h.check(vim.startswith(hint, '8kB/op flat'), 'the hint is not 8kB/op flat: ' .. hint)
  local first = h.wait(10000, function()
    return title_starting(test_buf, bench_line - 1, 'BenchmarkRender: ')
  end, 'the result lens above BenchmarkRender')
  h.log('result lens: ' .. first)
  local before = bytes_per_op(first)
  h.check(before and before >= 8192 and before < 8300, 'B/op of the first run: ' .. first)

  -- The lens's command has answered: the run is over (a second run in the
  -- package before that is refused).
  h.wait(RUN_MS, function()
    for _, request in pairs(client.requests) do
      if request.type == 'pending' and request.method == 'workspace/executeCommand' then
        return false
      end
    end
    return true
  end, "the answer to the lens's workspace/executeCommand")

  -- go's output reached the plugin's log.
  local benchmark_line = '^BenchmarkRender%-%d+%s+2000%s'
  local found = vim.tbl_filter(function(l)
    return l:find(benchmark_line) ~= nil
  end, require('pprof.log').lines(client.id))
  h.eq(#found, 1, "go test's benchmark line in the kept log")
  vim.cmd('Pprof log')
  h.eq(vim.api.nvim_buf_get_name(0), 'pprof://log', ':Pprof log buffer')
  h.check(#vim.fn.matchbufline(vim.api.nvim_get_current_buf(), '\\v^BenchmarkRender-\\d+\\s+2000\\s', 1, '$') == 1, ':Pprof log does not show the benchmark line')
  vim.cmd('close')

  -- 2. Half the buffer, on disk; :Pprof bench from inside the benchmark.
  local source = vim.fn.readfile(render)
  for i, line in ipairs(source) do
    source[i] = line:gsub('^const Size = 8192$', 'const Size = 4096')
  end
  h.check(vim.tbl_contains(source, 'const Size = 4096'), 'render.go has no const Size = 8192 line')
  vim.fn.writefile(source, render)
  vim.api.nvim_set_current_win(vim.fn.bufwinid(test_buf))
  vim.api.nvim_win_set_cursor(0, { body_line, 0 })
  local started = vim.uv.hrtime()
  vim.cmd('Pprof bench')
  local less = h.wait(RUN_MS, function()
    local label = h.hints(render_buf)[alloc - 1]
    return label and label:find('^%-') and label:find('/op', 1, true) and label or nil
  end, ('a negative per-operation hint on render.go:%d'):format(alloc))
  h.log(('render.go:%d after :Pprof bench, %.2f s: %s'):format(alloc, (vim.uv.hrtime() - started) / 1e9, less))
  h.check(vim.startswith(less, '-4kB/op flat'), 'about half less per operation: ' .. less)
  local second = h.wait(10000, function()
    local title = title_starting(test_buf, bench_line - 1, 'BenchmarkRender: ')
    return title and title:find('vs previous run', 1, true) and title or nil
  end, 'the result lens of the second run')
  h.log('result lens: ' .. second)
  local after = bytes_per_op(second)
  h.check(after and after >= 4096 and after < 4200, 'B/op of the second run: ' .. second)
  h.check(vim.endswith(second, '(-50% B/op vs previous run)'), 'the lens does not say -50% B/op: ' .. second)
  h.log(('B/op before %d, after %d'):format(before, after))
  local reported = h.wait(5000, function()
    for _, m in ipairs(messages) do
      if m.message:find('(run 2, compared with run 1 of BenchmarkRender)', 1, true) then
        return m.message
      end
    end
  end, ':Pprof bench to report the run')
  h.log(':Pprof bench said: ' .. reported)

  -- 3. Totals, then per operation again.
  vim.cmd('Pprof perop off')
  local total = h.wait(10000, function()
    local label = h.hints(render_buf)[alloc - 1]
    return label and label:find('^%-') and not label:find('/op', 1, true) and label or nil
  end, 'the hint in total after :Pprof perop off')
  h.log('in total: ' .. total)
  vim.cmd('Pprof perop on')
  h.wait(10000, function()
    local label = h.hints(render_buf)[alloc - 1]
    return label and label:find('/op', 1, true)
  end, 'the per-operation hint after :Pprof perop on')

  for _, m in ipairs(messages) do
    h.check(m.level ~= vim.log.levels.ERROR, 'an error message: ' .. m.message)
  end
  h.eq(h.processes_in(module), {}, 'processes still working in the module')

  -- 4. :Pprof cancel stops a run (the slow benchmark, 2000 × 10 ms) and
  -- everything it started.
  messages = {}
  vim.cmd('Pprof bench BenchmarkSlow')
  h.wait(RUN_MS, function()
    return #h.processes_in(module) > 0
  end, 'go test of BenchmarkSlow to start')
  h.wait(10000, function()
    for _, m in ipairs(messages) do
      if m.message:find('cancelling go test BenchmarkSlow', 1, true) then
        return true
      end
    end
    vim.cmd('Pprof cancel')
    vim.wait(200)
  end, ':Pprof cancel to find the run')
  local cancelled = h.wait(10000, function()
    for _, m in ipairs(messages) do
      if m.level == vim.log.levels.ERROR and m.message:find('cancelled', 1, true) then
        return m.message
      end
    end
  end, 'the run to say it was cancelled')
  h.log(':Pprof cancel: ' .. cancelled)
  h.wait(5000, function()
    return #h.processes_in(module) == 0
  end, 'no process left in the module after :Pprof cancel')
end)
