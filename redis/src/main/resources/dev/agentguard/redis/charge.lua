-- Adds spend that was settled while Redis could not be reached (reconciliation), once: a retried charge whose
-- first try did reach the server finds its mark and counts nothing.
-- ARGV: offset, mark key, count, then per window: base shape kind a b amount (calendar bounds: the period now).
-- Returns {1, now} charged; {0, now} charged before; {-2, now} stale calendar bounds.
local now = now_ms(ARGV[1])
local n = tonumber(ARGV[3])
for i = 0, n - 1 do
  local p = 4 + i * 6
  if ARGV[p + 2] == 'c' and (now < tonumber(ARGV[p + 3]) or now >= tonumber(ARGV[p + 4])) then return {-2, now} end
end
if not redis.call('SET', ARGV[2], '1', 'NX', 'PX', 86400000) then return {0, now} end
for i = 0, n - 1 do
  local p = 4 + i * 6
  charge(ARGV[p], ARGV[p + 1], ARGV[p + 2], tonumber(ARGV[p + 3]), tonumber(ARGV[p + 4]), ARGV[p + 5], now)
end
return {1, now}
