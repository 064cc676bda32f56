-- Editing one filter keeps the others, `showFrom` included. The filters
-- come from the server's initialize result: completion offers each of them
-- and `:Pprof showFrom` exists because the server lists it. With
-- `showFrom` set by the `filters` setting (the show_from=allocate case of
-- tests/fixtures/filters.txt), `:Pprof focus ^main\.` must send it along:
-- the status then holds both, and `pprof.top` is the table `go tool pprof`
-- recorded for that case (every sample that reaches main.allocate has a
-- `main.` frame, so the focus keeps all of them; dropping showFrom would
-- bring back the frames above the cut). Then `:Pprof showFrom` without RE
-- removes it and keeps the focus, and `:Pprof showFrom RE` sets it again.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

--- The flags of one case of tests/fixtures/filters.txt: `{ show_from = 're' }`.
local function filter_case(name)
  for _, line in ipairs(vim.fn.readfile(h.root .. '/tests/fixtures/filters.txt')) do
    local words = vim.split(line, '%s+', { trimempty = true })
    if words[1] == name then
      local flags = {}
      for i = 4, #words do
        local flag, value = words[i]:match('^%-([%w_]+)=(.*)$')
        flags[flag] = value
      end
      return { stem = words[2], sample_type = words[3], flags = flags }
    end
  end
  h.fail('no case ' .. name .. ' in tests/fixtures/filters.txt')
end

--- The rows of a recorded `-top -lines` golden with exact values, keyed
--- `function file:line`, each `{ flat, cum }`.
local function golden_rows(path)
  local rows, count = {}, 0
  local body = false
  for _, line in ipairs(vim.fn.readfile(path)) do
    if line:match('^%s*flat%s+flat%%') then
      body = true
    elseif body and line ~= '' then
      local flat, cum, name = line:match('^%s*(%-?%d+)B?%s+%S+%s+%S+%s+(%-?%d+)B?%s+%S+%s+(.-)$')
      h.check(flat ~= nil, 'not a row of ' .. path .. ': ' .. line)
      name = name:gsub(' %([%a-]*inline%)$', '')
      rows[name] = { flat = tonumber(flat), cum = tonumber(cum) }
      count = count + 1
    end
  end
  h.check(count > 0, 'no rows in ' .. path)
  return rows, count
end

h.run(function()
  local case = filter_case('show_from=allocate')
  local show_from = assert(case.flags.show_from, 'the case sets -show_from')
  local focus = [[^main\.]]
  local golden = ('%s/tests/golden/%s.%s.lines.show_from=allocate.top.txt'):format(h.root, case.stem, case.sample_type)
  local expected, expected_count = golden_rows(golden)

  vim.g.pprof = {
    profiles = { ('../profiles/%s.pb.gz'):format(case.stem) },
    sampleType = case.sample_type,
    goroot = h.empty_goroot,
    filters = { showFrom = show_from },
  }
  h.load_plugin()
  local messages = {}
  vim.notify = function(message, level)
    table.insert(messages, { message = message, level = level })
  end
  local bufnr, client = h.open('main.go')
  local pprof = require('pprof')
  h.wait(10000, function()
    local s = pprof.status(bufnr)
    return s and s.loaded and s.sampleType == case.sample_type and s.filters and s.filters.showFrom == show_from
  end, 'the profile loaded with showFrom from the settings')

  -- The subcommands are the server's filters.
  local listed = client.server_capabilities.experimental.pprof.filters
  local offered = require('pprof.commands').complete('', 'Pprof ')
  local keys = {}
  for _, kind in ipairs(listed) do
    table.insert(keys, kind.key)
    h.check(vim.tbl_contains(offered, kind.key), ('completion does not offer the server\'s filter %s: %s'):format(kind.key, vim.inspect(offered)))
  end
  h.check(vim.tbl_contains(keys, 'showFrom'), 'the server lists no showFrom: ' .. vim.inspect(keys))
  h.log('the server lists the filters ' .. table.concat(keys, ', ') .. '; completion offers each')

  -- Another filter through :Pprof keeps showFrom.
  vim.cmd('Pprof focus ' .. focus)
  local status = h.wait(10000, function()
    local s = pprof.status(bufnr)
    return s and s.filters and s.filters.focus == focus and s
  end, 'a status with the focus filter')
  h.eq(status.filters, { showFrom = show_from, focus = focus }, 'filters in the status after :Pprof focus')
  h.log(('after :Pprof focus %s: filters %s; statusline: %s'):format(focus, vim.inspect(status.filters, { newline = ' ', indent = '' }), pprof.statusline(bufnr)))

  -- What the server shows is the recorded table of showFrom alone.
  local top = require('pprof.client').execute_sync(client, 'pprof.top', { n = 100000, by = 'flat' }, 5000)
  h.check(type(top) == 'table', 'pprof.top gave no rows')
  h.eq(#top, expected_count, ('rows of pprof.top against %s'):format(golden))
  for _, row in ipairs(top) do
    local name = ('%s %s:%d'):format(row['function'], row.file, row.line)
    h.eq({ flat = row.flat, cum = row.cum }, expected[name] or 'no such row', 'pprof.top row ' .. name)
  end
  h.log(('pprof.top: %d rows, each as recorded in %s'):format(#top, vim.fs.basename(golden)))

  -- :Pprof showFrom removes it and keeps the focus; with RE it sets it again.
  vim.cmd('Pprof showFrom')
  h.wait(10000, function()
    local s = pprof.status(bufnr)
    return s and s.filters and s.filters.showFrom == nil and s.filters.focus == focus
  end, 'a status with only the focus after :Pprof showFrom')
  vim.cmd('Pprof showFrom ' .. show_from)
  status = h.wait(10000, function()
    local s = pprof.status(bufnr)
    return s and s.filters and s.filters.showFrom == show_from and s
  end, 'a status with showFrom after :Pprof showFrom RE')
  h.eq(status.filters, { showFrom = show_from, focus = focus }, 'filters after :Pprof showFrom RE')
  -- The command's answer (and the message it brings) may come after the
  -- status notification the wait above saw.
  local said = h.wait(10000, function()
    local last = messages[#messages] and messages[#messages].message or ''
    return last:find('showFrom=' .. show_from, 1, true) and last
  end, 'the message of :Pprof showFrom RE')
  h.check(said:find('focus=' .. focus, 1, true), ':Pprof showFrom said: ' .. said)
  h.log(':Pprof showFrom said: ' .. said)
end)
