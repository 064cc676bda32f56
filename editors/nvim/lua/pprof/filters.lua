--- pprof's filters, for `:Pprof {filter} RE` (`:Pprof focus RE`,
--- `:Pprof showFrom RE`, ...). Which filters there are, in pprof's order,
--- and what each does, comes from the server's `initialize` result
--- (`capabilities.experimental.pprof.filters`), so this plugin names none
--- of them. The server's `pprof.setFilters` replaces the whole set, so one
--- filter is changed by sending the active ones (from the server's last
--- status) with it changed.
local M = {}

--- The filters a client's server offers, in pprof's order: `key` (the
--- subcommand, and the field of `pprof.setFilters`, the status and the
--- `filters` setting), `flag` (pprof's, e.g. `-show_from`) and a few words
--- of `description`. Empty without a client, or for a server that lists none.
--- @param c vim.lsp.Client?
--- @return { key: string, flag: string, description: string }[]
function M.kinds(c)
  local experimental = c and c.server_capabilities and c.server_capabilities.experimental
  local listed = type(experimental) == 'table' and type(experimental.pprof) == 'table' and experimental.pprof.filters
  local out = {}
  for _, kind in ipairs(type(listed) == 'table' and listed or {}) do
    if type(kind) == 'table' and type(kind.key) == 'string' and kind.key ~= '' and type(kind.flag) == 'string' and type(kind.description) == 'string' then
      table.insert(out, { key = kind.key, flag = kind.flag, description = kind.description })
    end
  end
  return out
end

--- The filter a client's server offers under `key`, if any.
--- @param c vim.lsp.Client?
--- @param key string
--- @return { key: string, flag: string, description: string }?
function M.kind(c, key)
  for _, kind in ipairs(M.kinds(c)) do
    if kind.key == key then
      return kind
    end
  end
  return nil
end

--- The filter keys a client's server offers, in pprof's order.
--- @param c vim.lsp.Client?
--- @return string[]
function M.names(c)
  return vim.tbl_map(function(kind)
    return kind.key
  end, M.kinds(c))
end

--- The active filters of a status: every non-empty string in its
--- `filters`, known here or not, so that sending them back drops none.
--- @param status table?
--- @return table<string, string>
function M.active(status)
  local out = {}
  local filters = type(status) == 'table' and status.filters
  if type(filters) == 'table' then
    for key, value in pairs(filters) do
      if type(key) == 'string' and type(value) == 'string' and value ~= '' then
        out[key] = value
      end
    end
  end
  return out
end

--- The `pprof.setFilters` argument that sets `key` to `re` (empty or nil:
--- removes it) and keeps the other active filters.
--- @param status table?
--- @param key string
--- @param re string?
--- @return table
function M.with(status, key, re)
  local out = M.active(status)
  out[key] = (re and re ~= '') and re or nil
  return out
end

--- One line per active filter, `key=RE`, in the order of `names` (the
--- server's), then any other key in alphabetical order.
--- @param filters table<string, string>
--- @param names string[]
--- @return string[]
function M.lines(filters, names)
  local keys = vim.tbl_filter(function(key)
    return filters[key] ~= nil
  end, names)
  local others = vim.tbl_filter(function(key)
    return not vim.tbl_contains(names, key)
  end, vim.tbl_keys(filters))
  table.sort(others)
  local out = {}
  for _, key in ipairs(vim.list_extend(keys, others)) do
    table.insert(out, ('%s=%s'):format(key, filters[key]))
  end
  return out
end

--- The text after the subcommand on a `:Pprof` command line, as typed
--- from its first non-blank (a regular expression may hold spaces, and
--- backslashes stay as they are).
--- @param raw string the command's whole argument string
--- @return string
function M.rest(raw)
  return (raw:gsub('^%s*%S+%s*', '', 1))
end

return M
