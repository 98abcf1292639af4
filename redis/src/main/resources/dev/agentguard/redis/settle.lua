-- ARGV: offset, hold id, count, then per request: actual, a, b (the calendar period now; ignored for sliding)
-- Returns {1, now} settled; {0, now} nothing to do (settled, released or expired before); {-2, now} stale bounds.
local now = now_ms(ARGV[1])
local data = redis.call('HGET', KEYS[2], ARGV[2])
if not data or not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return {0, now} end
local f = split(data)
local n = tonumber(ARGV[3])
if #f ~= n * 6 then return redis.error_reply('hold ' .. ARGV[2] .. ' has ' .. (#f / 6) .. ' windows, not ' .. n) end
for i = 0, n - 1 do
  if f[i * 6 + 3] == 'c' then
    local a, b = tonumber(ARGV[5 + i * 3]), tonumber(ARGV[6 + i * 3])
    if now < a or now >= b then return {-2, now} end
  end
end
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
for i = 0, n - 1 do
  local q = i * 6 + 1
  local kind = f[q + 2]
  local a, b = tonumber(f[q + 3]), tonumber(f[q + 4])
  if kind == 'c' then a, b = tonumber(ARGV[5 + i * 3]), tonumber(ARGV[6 + i * 3]) end
  unreserve(f[q], f[q + 5])
  charge(f[q], f[q + 1], kind, a, b, ARGV[4 + i * 3], now)
end
return {1, now}
