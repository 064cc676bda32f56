--- pprof's filters (`focus`, `ignore`, `hide`, `show`, `tagfocus`,
--- `tagignore`) for `:Pprof focus RE` and the like. The server's
--- `pprof.setFilters` replaces the whole set, so one filter is changed by
--- sending the active ones (from the server's last status) with it changed.
local M = {}

--- The filter names, in pprof's order.
M.names = { 'focus', 'ignore', 'hide', 'show', 'tagfocus', 'tagignore' }

--- The active filters of a status: only the names above, only strings.
--- @param status table?
--- @return table<string, string>
function M.active(status)
  local out = {}
  local filters = type(status) == 'table' and status.filters
  if type(filters) == 'table' then
    for _, name in ipairs(M.names) do
      if type(filters[name]) == 'string' and filters[name] ~= '' then
        out[name] = filters[name]
      end
    end
  end
  return out
end

--- The `pprof.setFilters` argument that sets `name` to `re` (empty or nil:
--- removes it) and keeps the other active filters.
--- @param status table?
--- @param name string
--- @param re string?
--- @return table
function M.with(status, name, re)
  local out = M.active(status)
  out[name] = (re and re ~= '') and re or nil
  return out
end

--- One line per active filter, `focus=RE`, in pprof's order.
--- @param filters table<string, string>
--- @return string[]
function M.lines(filters)
  local out = {}
  for _, name in ipairs(M.names) do
    if filters[name] then
      table.insert(out, ('%s=%s'):format(name, filters[name]))
    end
  end
  return out
end

--- The active filters a status's summary does not already show, as
--- ` · focus=RE ignore=RE`; `''` when there are none.
--- @param status table?
--- @return string
function M.suffix(status)
  local summary = type(status) == 'table' and type(status.summary) == 'string' and status.summary or ''
  local active = M.active(status)
  local missing = {}
  for _, line in ipairs(M.lines(active)) do
    local re = line:match('^[^=]+=(.*)$')
    if not summary:find(re, 1, true) then
      table.insert(missing, line)
    end
  end
  return #missing > 0 and (' · ' .. table.concat(missing, ' ')) or ''
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
