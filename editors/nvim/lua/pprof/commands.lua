--- `:Pprof {subcommand}`: most subcommands run one `pprof.*` server command
--- and show its result the Neovim way (messages, the quickfix list, a
--- scratch buffer); `:Pprof status` shows the status the server last sent;
--- `heat`, `restart`, `log` and `cancel` act on the client. The numbers,
--- labels and status texts about the profile are the server's.
local attach = require('pprof.attach')
local bench = require('pprof.bench')
local client = require('pprof.client')
local config = require('pprof.config')
local filters = require('pprof.filters')
local fleet = require('pprof.fleet')
local status = require('pprof.status')

local M = {}

local function notify(message, level)
  vim.notify('pprof: ' .. message, level or vim.log.levels.INFO)
end

--- The client for the current buffer, or a message saying why there is none.
local function current()
  local c = client.get()
  if not c then
    notify('no pprof-lsp client is running; open a Go file (see :checkhealth pprof)', vim.log.levels.WARN)
  end
  return c
end

--- Runs a server command and passes its result on, reporting errors.
local function run(command, arg, on_result)
  local c = current()
  if not c then
    return
  end
  client.execute(c, command, arg, function(err, result)
    if err then
      notify(command .. ': ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if on_result then
      on_result(result, c)
    end
  end)
end

--- The words of `list` that start with `lead`, for completion.
--- @param lead string
--- @param list string[]
--- @return string[]
local function starting(lead, list)
  return vim.tbl_filter(function(x)
    return vim.startswith(x, lead)
  end, list)
end

--- A subcommand `NAME [on|off]` that sets (or, without an argument, flips)
--- a server switch: `command` takes `{enabled = bool}` or nothing, and
--- answers `{enabled = bool}`.
--- @param command string
--- @param on_text string
--- @param off_text string
local function switch(command, on_text, off_text)
  return {
    run = function(args)
      local arg
      if args[1] == 'on' or args[1] == 'off' then
        arg = { enabled = args[1] == 'on' }
      end
      run(command, arg, function(result)
        notify((type(result) == 'table' and result.enabled) and on_text or off_text)
      end)
    end,
    complete = function(lead)
      return starting(lead, { 'on', 'off' })
    end,
  }
end

--- Shows the server's one-line summary of a status, as `:Pprof load` and
--- `:Pprof sample` answer with it.
--- @param result table
local function show_summary(result)
  if type(result) == 'table' and type(result.summary) == 'string' then
    vim.notify(result.summary, vim.log.levels.INFO)
  end
end

--- Shows a status in full: the server's summary and detail.
--- @param s table
local function show_status(s)
  if type(s) ~= 'table' then
    return
  end
  local level = s.state == 'failed' and vim.log.levels.WARN or vim.log.levels.INFO
  vim.notify(('%s\n%s'):format(s.summary, s.detail), level)
end

--- One field of each row a listing command returns, for completion.
--- @param command string
--- @param field string
local function listed(command, field)
  local c = client.get()
  if not c then
    return {}
  end
  local rows = client.execute_sync(c, command, nil, 1000)
  local out = {}
  for _, row in ipairs(type(rows) == 'table' and rows or {}) do
    table.insert(out, row[field])
  end
  return out
end

--- Sample type names of the active profile.
local function sample_type_names()
  return listed('pprof.listSampleTypes', 'name')
end

--- Profiles the server knows of.
local function known_profiles()
  return listed('pprof.listProfiles', 'source')
end

--- The command argument for a profile typed by the user: `{url}` for a URL,
--- else `{path}`, relative to Neovim's working directory as file names typed
--- here are.
--- @param target string
--- @return table
local function source_argument(target)
  if target:match('^https?://') then
    return { url = target }
  end
  return { path = vim.fn.fnamemodify(vim.fn.expand(target), ':p') }
end

--- Completion of a profile: `words`, the profiles the server knows of, then
--- file names.
--- @param lead string
--- @param words string[]
--- @return string[]
local function complete_profile(lead, words)
  local out = starting(lead, vim.list_extend(words, known_profiles()))
  return vim.list_extend(out, vim.fn.getcompletion(lead, 'file'))
end

--- A quickfix entry at a place the server named (a row with `uri`, `file`
--- and `line`): one to jump to when the file is in the workspace, else one
--- that names the profile's file and is only shown (see :Pprof unresolved).
--- @param place table
--- @param text string
--- @param kind string? the entry's type, e.g. 'W'
--- @return table
local function entry(place, text, kind)
  local item = { text = text, valid = 0, type = kind }
  if type(place.uri) == 'string' then
    item.filename = vim.uri_to_fname(place.uri)
    item.lnum = place.line
    item.valid = 1
  elseif type(place.file) == 'string' and place.file ~= '' then
    item.text = ('%s:%s  %s  (not in the workspace)'):format(place.file, tostring(place.line), text)
  end
  return item
end

--- Fills the quickfix list from a `pprof.top` result.
--- @param rows table[]
--- @param title string
function M.set_quickfix(rows, title)
  local items = {}
  for _, row in ipairs(rows) do
    table.insert(items, entry(row, ('%s  %s'):format(row.label, row['function'])))
  end
  vim.fn.setqflist({}, ' ', { title = title, items = items })
end

--- Fills the quickfix list from a `pprof.growth` result, fastest-growing
--- line first (the server's order). Each entry reads `function  label`,
--- the server's label of the row.
--- @param result table
--- @param title string
function M.set_growth_quickfix(result, title)
  local items = {}
  for _, row in ipairs(result.rows or {}) do
    local text = ('%s  %s'):format(row['function'] ~= '' and row['function'] or '?', row.label or '')
    table.insert(items, entry(row, text))
  end
  vim.fn.setqflist({}, ' ', { title = title, items = items })
end

--- Fills the quickfix list from a `pprof.leaks` result, most goroutines
--- first (the server's order), two entries a row: the line where they block,
--- `30 leaked · chan send · 4 min · ▲ 600/min  main.sendForever` (a Warning
--- when they leaked), then the `go` statement that started them,
--- `started here: 30 leaked goroutines (main.leakOnce)`, when the profile
--- names it. The texts are the server's (`label`, `startedLabel`).
--- @param result table
--- @param title string
function M.set_leaks_quickfix(result, title)
  local items = {}
  local leaked = result.leaks == true
  for _, row in ipairs(result.rows or {}) do
    table.insert(items, entry(row, ('%s  %s'):format(row.label, row['function']), leaked and 'W' or nil))
    if type(row.createdAt) == 'table' and type(row.startedLabel) == 'string' then
      table.insert(items, entry(row.createdAt, row.startedLabel))
    end
  end
  vim.fn.setqflist({}, ' ', { title = title, items = items })
end

--- Shows unmapped profile paths in a scratch buffer.
--- @param entries table[]
local function show_unresolved(entries)
  if #entries == 0 then
    notify('every file in the profile maps to a workspace file')
    return
  end
  local lines = { ('%d profile paths are not mapped to workspace files:'):format(#entries), '' }
  for _, e in ipairs(entries) do
    table.insert(lines, ('%s  (%s)'):format(e.file, e.reason))
    if e.reason == 'ambiguous' and type(e.candidates) == 'table' then
      for _, candidate in ipairs(e.candidates) do
        table.insert(lines, '    candidate: ' .. candidate)
      end
    elseif type(e.tried) == 'table' then
      for _, tried in ipairs(e.tried) do
        table.insert(lines, '    tried: ' .. tried)
      end
    end
  end
  vim.cmd('botright new')
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].buftype = 'nofile'
  vim.bo[bufnr].bufhidden = 'wipe'
  vim.bo[bufnr].swapfile = false
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  vim.bo[bufnr].modifiable = false
  pcall(vim.api.nvim_buf_set_name, bufnr, 'pprof://unresolved')
end

M.subcommands = {
  load = {
    usage = 'load {path|url}',
    run = function(args)
      local target = args[1]
      if not target then
        notify('usage: :Pprof load {path|url}', vim.log.levels.ERROR)
        return
      end
      notify('loading ' .. target)
      run('pprof.load', source_argument(target), show_summary)
    end,
    complete = function(lead)
      return complete_profile(lead, {})
    end,
  },
  fleet = {
    usage = fleet.usage,
    run = function(args)
      local arg, err = fleet.load_argument(args)
      if not arg then
        notify(('%s; usage: :Pprof %s'):format(err, fleet.usage), vim.log.levels.ERROR)
        return
      end
      notify('loading from ' .. (arg.fleet and (arg.fleet.pyroscope or arg.fleet.parca) or table.concat(arg.merge, ' ')))
      run('pprof.load', arg, function(result)
        fleet.remember(arg)
        show_summary(result)
      end)
    end,
    complete = function(lead, words)
      return fleet.complete(lead, words)
    end,
  },
  sample = {
    usage = 'sample {type}',
    run = function(args)
      if not args[1] then
        notify('sample types: ' .. table.concat(sample_type_names(), ', '))
        return
      end
      run('pprof.selectSampleType', { name = args[1] }, show_summary)
    end,
    complete = function(lead)
      return starting(lead, sample_type_names())
    end,
  },
  top = {
    usage = 'top [n] [flat|cum]',
    run = function(args)
      local n, by = 20, 'flat'
      for _, a in ipairs(args) do
        if tonumber(a) then
          n = tonumber(a)
        elseif a == 'cum' or a == 'flat' then
          by = a
        end
      end
      run('pprof.top', { n = n, by = by }, function(rows)
        rows = type(rows) == 'table' and rows or {}
        if #rows == 0 then
          notify('nothing to show: no profile loaded, or no costs of this sample type')
          return
        end
        M.set_quickfix(rows, ('pprof top %d by %s'):format(n, by))
        vim.cmd('botright copen ' .. math.min(10, #rows))
        vim.cmd('wincmd p')
      end)
    end,
    complete = function(lead)
      return starting(lead, { 'flat', 'cum', '10', '20', '50' })
    end,
  },
  growth = {
    usage = 'growth [n]',
    run = function(args)
      local n = tonumber(args[1]) or 20
      run('pprof.growth', { n = n }, function(result)
        local rows = type(result) == 'table' and result.rows or {}
        if #rows == 0 then
          notify('no line has data in the snapshots yet')
          return
        end
        local title = ('pprof growth of %s per minute, over %d snapshots (%d s)'):format(
          result.sampleType,
          result.snapshots,
          math.floor(result.seconds + 0.5)
        )
        M.set_growth_quickfix(result, title)
        vim.cmd('botright copen ' .. math.min(10, #rows))
        vim.cmd('wincmd p')
      end)
    end,
    complete = function(lead)
      return starting(lead, { '10', '20', '50' })
    end,
  },
  leaks = {
    usage = 'leaks',
    run = function()
      run('pprof.leaks', nil, function(result)
        if type(result) ~= 'table' then
          return
        end
        local rows = result.rows or {}
        local title = 'pprof leaks: ' .. tostring(result.summary)
        if #rows == 0 then
          notify(title)
          return
        end
        M.set_leaks_quickfix(result, title)
        vim.cmd('botright copen ' .. math.min(10, #vim.fn.getqflist()))
        vim.cmd('wincmd p')
      end)
    end,
  },
  base = {
    usage = 'base {path|url|previous|clear}',
    run = function(args)
      local target = args[1]
      if not target then
        local c = current()
        local s = c and status.get(c.id)
        if s and s.diffBase then
          notify('comparing with ' .. s.diffBase .. ' (:Pprof base clear stops)')
        else
          notify('usage: :Pprof base {path|url} compares with a base profile, :Pprof base previous with a live source\'s snapshot before; :Pprof base clear stops')
        end
        return
      end
      local arg
      if target == 'clear' then
        arg = vim.empty_dict()
      elseif target == 'previous' then
        arg = { previous = true }
      else
        arg = source_argument(target)
      end
      run('pprof.setDiffBase', arg, show_summary)
    end,
    complete = function(lead)
      return complete_profile(lead, { 'clear', 'previous' })
    end,
  },
  bench = {
    usage = 'bench [name] [mem|cpu]',
    run = function(args)
      local parsed, err = bench.parse(args)
      if not parsed then
        notify(err .. '; usage: :Pprof bench [name] [mem|cpu]', vim.log.levels.ERROR)
        return
      end
      local bufnr = vim.api.nvim_get_current_buf()
      local arg = bench.argument(bufnr, parsed, vim.api.nvim_win_get_cursor(0)[1])
      notify(('running go test for %s (%s); :Pprof log shows its output'):format(parsed.name or 'the function at the cursor', parsed.kind))
      run('pprof.runBenchmark', arg, function(result)
        if type(result) == 'table' then
          notify(bench.describe(result))
        end
      end)
    end,
    complete = function(lead)
      return starting(lead, vim.list_extend(bench.names(vim.api.nvim_get_current_buf()), vim.deepcopy(bench.kinds)))
    end,
  },
  cancel = {
    usage = 'cancel',
    run = function()
      local c = current()
      if not c then
        return
      end
      local cancelled = bench.cancel(c)
      notify(#cancelled > 0 and ('cancelling ' .. table.concat(cancelled, ', ')) or 'nothing to cancel')
    end,
  },
  perop = vim.tbl_extend('error', { usage = 'perop [on|off]' }, switch('pprof.togglePerOp', 'benchmark values per operation', 'benchmark values in total')),
  log = {
    usage = 'log',
    run = function()
      local c = current()
      if c then
        require('pprof.log').show(c.id)
      end
    end,
  },
  web = {
    usage = 'web',
    run = function()
      run('pprof.openWeb', nil, function(result)
        local url = type(result) == 'table' and result.url
        if type(url) ~= 'string' then
          notify('pprof.openWeb gave no URL', vim.log.levels.ERROR)
          return
        end
        notify('opening ' .. url)
        local _, err = vim.ui.open(url)
        if err then
          notify(err, vim.log.levels.ERROR)
        end
      end)
    end,
  },
  filters = {
    usage = 'filters [clear]',
    run = function(args)
      local c = current()
      if not c then
        return
      end
      if args[1] == 'clear' then
        run('pprof.setFilters', vim.empty_dict(), function(result, from)
          status.set(from.id, result)
          notify('filters cleared')
        end)
        return
      end
      local active = filters.lines(filters.active(status.get(c.id)), filters.names(c))
      if #active > 0 then
        notify('filters:\n' .. table.concat(active, '\n'))
      else
        notify(('no filters; :Pprof {filter} RE sets one of: %s'):format(table.concat(filters.names(c), ', ')))
      end
    end,
    complete = function(lead)
      return vim.startswith('clear', lead) and { 'clear' } or {}
    end,
  },
  unresolved = {
    usage = 'unresolved',
    run = function()
      run('pprof.unresolved', nil, function(result)
        show_unresolved(type(result) == 'table' and result or {})
      end)
    end,
  },
  toggle = vim.tbl_extend('error', { usage = 'toggle [on|off]' }, switch('pprof.toggle', 'costs shown', 'costs hidden')),
  status = {
    usage = 'status',
    run = function()
      local c = current()
      if not c then
        return
      end
      local latest = status.get(c.id)
      if latest then
        show_status(latest)
        return
      end
      -- No notification yet (a server still starting): ask once.
      run('pprof.status', nil, function(result, from)
        status.set(from.id, result)
        show_status(result)
      end)
    end,
  },
  restart = {
    usage = 'restart',
    run = function()
      require('pprof').restart()
      notify('restarted')
    end,
  },
  heat = {
    usage = 'heat [on|off]',
    run = function(args)
      local on = not config.get().heat
      if args[1] == 'on' or args[1] == 'off' then
        on = args[1] == 'on'
      end
      config.set_option('heat', on)
      attach.refresh_all()
      notify(on and 'heat marks on' or 'heat marks off')
    end,
    complete = function(lead)
      return starting(lead, { 'on', 'off' })
    end,
  },
}

--- `:Pprof {filter} [RE]` for each filter the client's server lists
--- (`:Pprof focus RE`, `:Pprof showFrom RE`, ...): sets that filter and
--- keeps the others; without RE, removes it. RE is the rest of the line,
--- spaces kept.
--- @param kind { key: string, flag: string, description: string }
local function filter_subcommand(kind)
  return {
    usage = ('%s [RE]  (%s: %s RE)'):format(kind.key, kind.flag, kind.description),
    run = function(_, raw)
      local c = current()
      if not c then
        return
      end
      local re = filters.rest(raw or '')
      local arg = filters.with(status.get(c.id), kind.key, re)
      run('pprof.setFilters', next(arg) and arg or vim.empty_dict(), function(result, from)
        status.set(from.id, result)
        local active = filters.lines(filters.active(result), filters.names(from))
        notify(#active > 0 and ('filters: ' .. table.concat(active, ' ')) or 'no filters')
      end)
    end,
  }
end

--- The subcommand `name`: a fixed one, else a filter the current buffer's
--- client's server lists.
--- @param name string
local function subcommand(name)
  local kind = filters.kind(client.get(), name)
  return M.subcommands[name] or (kind and filter_subcommand(kind))
end

--- Every subcommand name, sorted: the fixed ones and the server's filters.
local function names()
  local out = vim.list_extend(vim.tbl_keys(M.subcommands), filters.names(client.get()))
  table.sort(out)
  return out
end

--- Runs `:Pprof` with its arguments; no arguments shows the status.
--- @param fargs string[]
--- @param raw string? the arguments as typed, for subcommands that keep spaces
function M.dispatch(fargs, raw)
  local name = fargs[1] or 'status'
  local sub = subcommand(name)
  if not sub then
    local usages = {}
    for _, n in ipairs(names()) do
      table.insert(usages, ':Pprof ' .. subcommand(n).usage)
    end
    if not client.get() then
      table.insert(usages, '(and the filters the server lists, once a pprof-lsp client runs)')
    end
    notify(('unknown subcommand %q; one of:\n%s'):format(name, table.concat(usages, '\n')), vim.log.levels.ERROR)
    return
  end
  sub.run(vim.list_slice(fargs, 2), raw or table.concat(fargs, ' '))
end

--- Completion for `:Pprof`: subcommand names, then the subcommand's own.
function M.complete(lead, line)
  local words = vim.split(line:sub(1, #line - #lead), '%s+', { trimempty = true })
  if #words <= 1 then
    return starting(lead, names())
  end
  local sub = subcommand(words[2])
  if sub and sub.complete then
    return sub.complete(lead, words)
  end
  return {}
end

function M.create()
  vim.api.nvim_create_user_command('Pprof', function(opts)
    M.dispatch(opts.fargs, opts.args)
  end, {
    nargs = '*',
    complete = M.complete,
    desc = 'pprof-lsp: load, fleet, sample, top, growth, leaks, base, bench, cancel, perop, log, web, filters and each filter the server lists, unresolved, toggle, status, heat, restart',
  })
end

return M
