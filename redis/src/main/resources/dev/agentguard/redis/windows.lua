-- Reads the keys of windows that SCAN found, for operators. ARGV: offset, then per key: kind key a b, where kind is
-- 'r' (reserved counter), 's' (suspension), 'h' (sliding window hash: a = bucket width ms, b = bucket count) or
-- 'c' (calendar period key: a = the period's start).
-- Returns {now, then per key: value, end} as strings, '' when the key holds nothing now: for 'h' and 'c' the
-- settled spend and, for 'h', when it leaves the window (ms; a calendar period's end is the caller's to compute:
-- the server's TIME plus the key's PTTL would be two clock reads that can straddle a millisecond); for 's' the
-- suspension's end and limit; for 'r' the reserved amount and ''.
local now = now_ms(ARGV[1])
local out = {now}
for i = 2, #ARGV, 4 do
  local kind, key = ARGV[i], ARGV[i + 1]
  local a, b = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local v, e = '', ''
  if kind == 'r' then
    local x = redis.call('GET', key)
    if x then v = x end
  elseif kind == 's' then
    local x = redis.call('GET', key)
    if x then
      local f = split(x)
      if tonumber(f[1]) > now then v = f[1]; e = f[2] end
    end
  elseif kind == 'h' then
    local t = tonumber(advance(key, math.floor(now / a), b))
    if t and t > 0 then
      v = string.format('%d', t)
      e = string.format('%d', (tonumber(redis.call('HGET', key, 'i')) + b) * a)
    end
  else
    local x = redis.call('GET', key)
    if x and redis.call('PTTL', key) > 0 and a <= now then
      v = x
    end
  end
  out[#out + 1] = v
  out[#out + 1] = e
end
return out
