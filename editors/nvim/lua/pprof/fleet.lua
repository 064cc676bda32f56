--- `:Pprof fleet`: the arguments of a fleet source typed on the command line,
--- turned into the server's `pprof.load` argument, and their completion from
--- `pprof.fleet.describe`. The server queries the profiler, merges the
--- replicas and names the source in its status; nothing here does.
local client = require('pprof.client')

local M = {}

M.kinds = { 'pyroscope', 'parca', 'replicas' }

--- Windows offered for the range; any duration the server reads works.
M.ranges = { '15m', '1h', '6h', '24h', '7d' }

M.usage = 'fleet {pyroscope|parca} {url} [{selector}] [{profileType}] [{range}] | fleet replicas {name} {url}…'

--- @param s string
--- @return boolean
local function is_url(s)
  return s:match('^https?://%S+$') ~= nil
end

--- A duration as the server reads it: `90s`, `15m`, `1h30m`, `7d`, `2w`.
--- @param s string
--- @return boolean
local function is_range(s)
  return s ~= '' and s:gsub('%d+[smhdw]', '') == ''
end

--- Joins the words of a selector that Neovim split at its spaces:
--- `{a="x",` `b="y"}` is one argument, up to the brace that closes it.
--- @param words string[]
--- @return string[]
local function rejoin(words)
  local out, open = {}, 0
  for _, word in ipairs(words) do
    if open > 0 then
      out[#out] = out[#out] .. ' ' .. word
    else
      table.insert(out, word)
    end
    local _, opened = word:gsub('{', '')
    local _, closed = word:gsub('}', '')
    open = math.max(0, open + opened - closed)
  end
  return out
end

--- The `pprof.load` argument for `:Pprof fleet ARGS`: `{fleet = ENTRY}` for
--- a profiler, `{name, merge}` for replicas. The optional parts of a
--- profiler's query are told apart by their shape, so they may come in any
--- order: a selector has braces, a range is a duration, a profile type has
--- colons.
--- @param args string[] the words after `fleet`
--- @return table? arg, string? err
function M.load_argument(args)
  local kind = args[1]
  if kind == 'replicas' then
    local rest = vim.list_slice(args, 2)
    local name
    if rest[1] and not is_url(rest[1]) then
      name = table.remove(rest, 1)
    end
    if #rest == 0 then
      return nil, 'name the replicas\' profile URLs'
    end
    for _, url in ipairs(rest) do
      if not is_url(url) then
        return nil, ('%q is not an http:// or https:// URL'):format(url)
      end
    end
    return { name = name, merge = rest }
  end
  if kind ~= 'pyroscope' and kind ~= 'parca' then
    return nil, ('unknown kind %q; one of %s'):format(tostring(kind), table.concat(M.kinds, ', '))
  end
  local url = args[2]
  if not url or not is_url(url) then
    return nil, ('the %s server\'s http:// or https:// URL comes after %s'):format(kind, kind)
  end
  local entry = { [kind] = url }
  for _, part in ipairs(rejoin(vim.list_slice(args, 3))) do
    local key
    if part:find('{', 1, true) then
      key = 'query'
    elseif is_range(part) then
      key = 'range'
    elseif part:find(':', 1, true) then
      key = 'profileType'
    else
      return nil, ('%q is neither a selector ({service_name="checkout"}), a profile type (memory:inuse_space:bytes:space:bytes) nor a range (1h)'):format(part)
    end
    if entry[key] then
      return nil, ('two values for %s: %q and %q'):format(key, entry[key], part)
    end
    entry[key] = part
  end
  return { fleet = entry }
end

--- What each profiler's server holds, by `kind .. ' ' .. url`: the result of
--- `pprof.fleet.describe`, asked once per URL.
--- @type table<string, table>
local described = {}

--- Server URLs used in this session, for completion.
--- @type table<string, string[]>
local urls = { pyroscope = {}, parca = {} }

--- Remembers a server URL once a load from it succeeded.
--- @param arg table a `pprof.load` argument from `M.load_argument`
function M.remember(arg)
  for kind, list in pairs(urls) do
    local url = arg.fleet and arg.fleet[kind]
    if url and not vim.tbl_contains(list, url) then
      table.insert(list, url)
    end
  end
end

--- The server's description of a profiler, from the cache or asked now
--- (waiting at most a few seconds, as completion must).
--- @return table?
local function describe(kind, url)
  local key = kind .. ' ' .. url
  if described[key] == nil then
    local c = client.get()
    if not c then
      return nil
    end
    local result = client.execute_sync(c, 'pprof.fleet.describe', { source = { [kind] = url } }, 5000)
    -- A failure is not kept, so the next completion asks again.
    if type(result) ~= 'table' then
      return nil
    end
    described[key] = result
  end
  return described[key]
end

--- The candidates `describe` offers: a selector for each label value
--- (`{service_name="checkout"}`), and the profile types.
--- @param d table
--- @return string[] selectors, string[] types
local function offered(d)
  local selectors = {}
  for _, label in ipairs(d.labels or {}) do
    for _, value in ipairs(label.values or {}) do
      table.insert(selectors, ('{%s="%s"}'):format(label.name, value))
    end
  end
  return selectors, vim.deepcopy(d.profileTypes or {})
end

--- Completion of `:Pprof fleet …`.
--- @param lead string the word being typed
--- @param words string[] the words before it, `Pprof` and `fleet` first
--- @return string[]
function M.complete(lead, words)
  local function starting(list)
    return vim.tbl_filter(function(x)
      return vim.startswith(x, lead)
    end, list)
  end
  local kind, url = words[3], words[4]
  if not kind then
    return starting(M.kinds)
  end
  if not urls[kind] then
    return {}
  end
  if not url then
    return starting(urls[kind])
  end
  local given = {}
  for _, part in ipairs(rejoin(vim.list_slice(words, 5))) do
    given[part:find('{', 1, true) and 'query' or is_range(part) and 'range' or 'profileType'] = true
  end
  local out = {}
  local d = describe(kind, url)
  if d then
    local selectors, types = offered(d)
    if not given.query then
      vim.list_extend(out, selectors)
    end
    if not given.profileType then
      vim.list_extend(out, types)
    end
  end
  if not given.range then
    vim.list_extend(out, M.ranges)
  end
  return starting(out)
end

return M
