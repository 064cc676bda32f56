--- `:Pprof {subcommand}`: each subcommand runs one `pprof.*` server command
--- and shows its result the Neovim way (messages, the quickfix list, a
--- scratch buffer); `:Pprof status` shows the status the server last sent.
--- The numbers, labels and status texts shown are the server's.
local attach = require('pprof.attach')
local client = require('pprof.client')
local config = require('pprof.config')
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

--- Fills the quickfix list from a `pprof.top` result.
--- @param rows table[]
--- @param title string
function M.set_quickfix(rows, title)
  local items = {}
  for _, row in ipairs(rows) do
    local text = ('%s  %s'):format(row.label, row['function'])
    local item = { text = text, valid = 0 }
    if type(row.uri) == 'string' then
      item.filename = vim.uri_to_fname(row.uri)
      item.lnum = row.line
      item.valid = 1
    elseif type(row.file) == 'string' and row.file ~= '' then
      -- Not in the workspace (see :Pprof unresolved): shown, not jumped to.
      item.text = ('%s:%s  %s  (not in the workspace)'):format(row.file, tostring(row.line), text)
    end
    table.insert(items, item)
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
    local item = { text = text, valid = 0 }
    if type(row.uri) == 'string' then
      item.filename = vim.uri_to_fname(row.uri)
      item.lnum = row.line
      item.valid = 1
    else
      item.text = ('%s:%s  %s  (not in the workspace)'):format(row.file, tostring(row.line), text)
    end
    table.insert(items, item)
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
      local arg
      if target:match('^https?://') then
        arg = { url = target }
      else
        -- Relative to Neovim's working directory, as file names typed here are.
        arg = { path = vim.fn.fnamemodify(vim.fn.expand(target), ':p') }
      end
      notify('loading ' .. target)
      run('pprof.load', arg, show_summary)
    end,
    complete = function(lead)
      local out = vim.tbl_filter(function(p)
        return vim.startswith(p, lead)
      end, known_profiles())
      vim.list_extend(out, vim.fn.getcompletion(lead, 'file'))
      return out
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
      return vim.tbl_filter(function(name)
        return vim.startswith(name, lead)
      end, sample_type_names())
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
      return vim.tbl_filter(function(x)
        return vim.startswith(x, lead)
      end, { 'flat', 'cum', '10', '20', '50' })
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
      return vim.tbl_filter(function(x)
        return vim.startswith(x, lead)
      end, { '10', '20', '50' })
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
      elseif target:match('^https?://') then
        arg = { url = target }
      else
        arg = { path = vim.fn.fnamemodify(vim.fn.expand(target), ':p') }
      end
      run('pprof.setDiffBase', arg, show_summary)
    end,
    complete = function(lead)
      local out = vim.tbl_filter(function(p)
        return vim.startswith(p, lead)
      end, vim.list_extend({ 'clear', 'previous' }, known_profiles()))
      vim.list_extend(out, vim.fn.getcompletion(lead, 'file'))
      return out
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
  toggle = {
    usage = 'toggle [on|off]',
    run = function(args)
      local arg
      if args[1] == 'on' or args[1] == 'off' then
        arg = { enabled = args[1] == 'on' }
      end
      run('pprof.toggle', arg, function(result)
        notify((type(result) == 'table' and result.enabled) and 'costs shown' or 'costs hidden')
      end)
    end,
    complete = function(lead)
      return vim.tbl_filter(function(x)
        return vim.startswith(x, lead)
      end, { 'on', 'off' })
    end,
  },
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
      return vim.tbl_filter(function(x)
        return vim.startswith(x, lead)
      end, { 'on', 'off' })
    end,
  },
}

local function names()
  local out = vim.tbl_keys(M.subcommands)
  table.sort(out)
  return out
end

--- Runs `:Pprof` with its arguments; no arguments shows the status.
--- @param fargs string[]
function M.dispatch(fargs)
  local name = fargs[1] or 'status'
  local sub = M.subcommands[name]
  if not sub then
    local usages = {}
    for _, n in ipairs(names()) do
      table.insert(usages, ':Pprof ' .. M.subcommands[n].usage)
    end
    notify(('unknown subcommand %q; one of:\n%s'):format(name, table.concat(usages, '\n')), vim.log.levels.ERROR)
    return
  end
  sub.run(vim.list_slice(fargs, 2))
end

--- Completion for `:Pprof`: subcommand names, then the subcommand's own.
function M.complete(lead, line)
  local words = vim.split(line:sub(1, #line - #lead), '%s+', { trimempty = true })
  if #words <= 1 then
    return vim.tbl_filter(function(n)
      return vim.startswith(n, lead)
    end, names())
  end
  local sub = M.subcommands[words[2]]
  if sub and sub.complete then
    return sub.complete(lead)
  end
  return {}
end

function M.create()
  vim.api.nvim_create_user_command('Pprof', function(opts)
    M.dispatch(opts.fargs)
  end, {
    nargs = '*',
    complete = M.complete,
    desc = 'pprof-lsp: load, sample, top, growth, base, unresolved, toggle, status, heat, restart',
  })
end

return M
