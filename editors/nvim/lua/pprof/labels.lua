--- Labels for the few numbers the server sends without one: the rows of
--- `pprof.growth` carry `flat`, `cum` and `flatPerMinute` in the profile's
--- unit but no ready-made text. Until the server adds a label per row,
--- this formats them the way pprof labels values (powers of 1024 for
--- bytes, two decimals, a trailing `.00` dropped). It only formats: which
--- rows there are, their order and their values are the server's.
local M = {}

local byte_units = { 'B', 'kB', 'MB', 'GB', 'TB', 'PB' }

--- `57.04MB`, `10MB`, `12` (counts), `3 nanoseconds` (other units).
--- @param value number
--- @param unit string?
--- @return string
function M.amount(value, unit)
  local magnitude, suffix = math.abs(value), ''
  if unit == 'bytes' then
    local i = 1
    while magnitude >= 1024 and i < #byte_units do
      magnitude = magnitude / 1024
      i = i + 1
    end
    suffix = byte_units[i]
  elseif unit and unit ~= '' and unit ~= 'count' then
    suffix = ' ' .. unit
  end
  local text = ('%.2f'):format(magnitude):gsub('%.00$', '')
  if text == '0' then
    return '0'
  end
  return (value < 0 and '-' or '') .. text .. suffix
end

--- A growth per minute with its sign: `+300MB/min`, `-1.50kB/min`, `0/min`.
--- @param per_minute number
--- @param unit string?
--- @return string
function M.rate(per_minute, unit)
  local text = M.amount(per_minute, unit)
  if per_minute > 0 and text ~= '0' then
    text = '+' .. text
  end
  return text .. '/min'
end

return M
