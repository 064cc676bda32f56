-- Fleets, two ways. First three replicas of the real leaking Go service
-- (tests/fixtures/leaky), each leaking at its own rate, configured as one
-- merged `profiles` entry: the status line says `3 replicas`, the leak line
-- gets a hint, and its hover has a row per replica. Then a continuous
-- profiler: `:Pprof fleet pyroscope URL …` against the stand-in Pyroscope
-- server (examples/fleet_server.rs, serving tests/fixtures/profiles/heap.pb.gz),
-- with completion of kinds, selectors, profile types and ranges from
-- `pprof.fleet.describe`: the status line names the query, and the catalog
-- line of tests/fixtures/goprog gets the hint pprof's numbers give.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

local HEAP = 'memory:inuse_space:bytes:space:bytes'

--- The hint pprof's numbers give catalog.go:25 in heap.pb.gz: its flat
--- (= cum) and cum% from the recorded `go tool pprof -top` table.
local function recorded_catalog_hint()
  local golden = h.root .. '/tests/golden/heap.inuse_space.lines.top.txt'
  for _, line in ipairs(vim.fn.readfile(golden)) do
    local bytes, percent = line:match('^%s*(%d+)B%s+%S+%s+%S+%s+%d+B%s+(%S+%%)%s+%S+catalog%.init%.0 %S+/catalog%.go:25$')
    if bytes then
      local mb = ('%.2f'):format(tonumber(bytes) / 1048576):gsub('%.?0+$', '')
      return ('%sMB flat · %sMB cum (%s)'):format(mb, mb, percent)
    end
  end
  h.fail('no catalog.go:25 row in ' .. golden)
end

--- The hover's Markdown at a 1-based line of a buffer.
local function hover(bufnr, line)
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line - 1, character = 0 } }
  local answers = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 5000) or {}
  for _, answer in pairs(answers) do
    local contents = answer.result and answer.result.contents
    if type(contents) == 'table' and type(contents.value) == 'string' then
      return contents.value
    end
  end
  return ''
end

local function replicas()
  local workspace = h.copy_fixture('leaky')
  local main = workspace .. '/main.go'
  local leak = h.marker_line(main, 'leak')
  local urls, names = {}, {}
  for _, size in ipairs({ '1048576', '2097152', '3145728' }) do
    local service = h.start_leaky({ '-leak-size', size, '-leak-every', '1s', '-churn-every', '100ms' })
    h.log(('replica (pid %d) at %s, leaking %s bytes a second'):format(service.pid, service.url, size))
    table.insert(urls, service.url)
    table.insert(names, service.url:match('^http://([^/]+)'))
  end

  vim.cmd.cd(workspace)
  vim.g.pprof = {
    profiles = { { name = 'leaky (3 replicas)', merge = urls } },
    refreshSeconds = 1,
    goroot = h.empty_goroot,
  }
  h.load_plugin()
  local bufnr = h.open(main)
  local pprof = require('pprof')

  local summary = h.wait(20000, function()
    local s = pprof.status(bufnr)
    return s and s.state == 'loaded' and s.summary:find('3 replicas', 1, true) and s.summary or nil
  end, 'the status line to say 3 replicas (it says: ' .. pprof.statusline(bufnr) .. ')')
  h.log('status: ' .. summary)
  h.check(vim.startswith(summary, 'leaky (3 replicas)'), 'the status line does not start with the entry\'s name: ' .. summary)

  local hint = h.wait(20000, function()
    local label = h.hints(bufnr)[leak - 1]
    return label and label:find(' flat', 1, true) and label or nil
  end, ('a hint on the leak line %d (hints: %s)'):format(leak, vim.inspect(h.hints(bufnr))))
  h.log(('line %d: %s'):format(leak, hint))

  -- A row per replica once each has leaked; the fastest holds the most.
  local rows = h.wait(20000, function()
    local text = hover(bufnr, leak)
    if not text:find('**By replica (flat of this line)**', 1, true) then
      return nil
    end
    local found = {}
    for name, share in text:gmatch('\n%- replica (%S+): [^\n]-%(([%d.]+) %%%)') do
      table.insert(found, { name = name, share = tonumber(share) })
    end
    return #found == 3 and found or nil
  end, 'three "- replica" rows in the hover on the leak line (last: ' .. hover(bufnr, leak) .. ')')
  for _, row in ipairs(rows) do
    h.log(('  replica %s: %.1f %%'):format(row.name, row.share))
    h.check(vim.tbl_contains(names, row.name), 'a hover row names no replica of the entry: ' .. row.name)
  end
  h.eq(rows[1].name, names[3], 'the replica holding most of the leak line (largest first)')
end

local function pyroscope()
  local server = h.start_pyroscope()
  h.log(('Pyroscope stand-in (pid %d) at %s'):format(server.pid, server.url))
  local bufnr = h.open(h.root .. '/tests/fixtures/goprog/' .. h.catalog)
  local pprof = require('pprof')

  -- Completion: the kinds, then what the server holds.
  h.eq(vim.fn.getcompletion('Pprof fleet p', 'cmdline'), { 'pyroscope', 'parca' }, 'kinds completed')
  local line = ('Pprof fleet pyroscope %s '):format(server.url)
  local types = vim.fn.getcompletion(line .. 'memory', 'cmdline')
  h.log('profile types completed: ' .. table.concat(types, ' '))
  h.eq(types, { HEAP }, 'profile types completed after "memory"')
  local everything = vim.fn.getcompletion(line, 'cmdline')
  for _, want in ipairs({ '{service_name="checkout"}', '{pod="checkout-1"}', HEAP, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', '1h', '7d' }) do
    h.check(vim.tbl_contains(everything, want), ('completion after the URL lacks %s: %s'):format(want, vim.inspect(everything)))
  end
  local after_type = vim.fn.getcompletion(line .. '{service_name="checkout"} ' .. HEAP .. ' ', 'cmdline')
  h.eq(after_type, require('pprof.fleet').ranges, 'completion once the selector and type are given')

  vim.cmd(('Pprof fleet pyroscope %s {service_name="checkout"} %s 1h'):format(server.url, HEAP))
  local summary = h.wait(20000, function()
    local s = pprof.status(bufnr)
    return s and s.state == 'loaded' and s.summary:find('pyroscope · checkout · inuse_space · last 1h', 1, true) and s.summary or nil
  end, 'the status line to name the Pyroscope query (it says: ' .. pprof.statusline(bufnr) .. ')')
  h.log('status: ' .. summary)
  -- catalog.go line 25 (1-based) is the init allocation.
  h.wait_hint(bufnr, 24, recorded_catalog_hint())
  h.log('line 25: ' .. h.hints(bufnr)[24])
end

h.run(function()
  replicas()
  pyroscope()
end)
