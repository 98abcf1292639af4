-- ARGV: offset, hold id, lease ms, sweep max, count, then per request: base shape kind a b amount limit ('-': none)
-- check ('1': a suspension of the key in force refuses the reservation).
-- Returns {1, now, -1, used...} granted; {0, now, refused index, used...} refused; {-2, now} stale calendar bounds;
-- {3, now, first suspended index, then per suspended request: index, until, limit} suspended (nothing taken).
local now = now_ms(ARGV[1])
local n = tonumber(ARGV[5])
-- suspensions first, before anything is taken: one GET per request that checks them, in the same round trip
local suspended = nil
for i = 0, n - 1 do
  local p = 6 + i * 8
  if ARGV[p + 7] == '1' then
    local v = redis.call('GET', ARGV[p] .. ':s')
    if v then
      local f = split(v)
      if tonumber(f[1]) > now then
        if not suspended then suspended = {3, now, i} end
        suspended[#suspended + 1] = i
        suspended[#suspended + 1] = f[1]
        suspended[#suspended + 1] = f[2]
      end
    end
  end
end
if suspended then return suspended end
sweep(now, tonumber(ARGV[4]))
local out = {1, now, -1}
local data = {}
for i = 0, n - 1 do
  local p = 6 + i * 8
  local base, shape, kind = ARGV[p], ARGV[p + 1], ARGV[p + 2]
  local a, b = tonumber(ARGV[p + 3]), tonumber(ARGV[p + 4])
  local amount, limit = ARGV[p + 5], ARGV[p + 6]
  if kind == 'c' and (now < a or now >= b) then
    for j = 0, i - 1 do unreserve(ARGV[6 + j * 8], ARGV[6 + j * 8 + 5]) end
    return {-2, now}
  end
  local used = settled(base, shape, kind, a, b, now) + reserved(base)
  out[#out + 1] = used
  if limit ~= '-' and used + tonumber(amount) > tonumber(limit) then
    for j = 0, i - 1 do unreserve(ARGV[6 + j * 8], ARGV[6 + j * 8 + 5]) end
    out[1] = 0
    out[3] = i
    return out
  end
  if tonumber(amount) > 0 then redis.call('INCRBY', base .. ':r', amount) end
  data[#data + 1] = table.concat({base, shape, kind, ARGV[p + 3], ARGV[p + 4], amount}, ' ')
end
if n > 0 then
  redis.call('HSET', KEYS[2], ARGV[2], table.concat(data, ' '))
  redis.call('ZADD', KEYS[1], string.format('%d', now + tonumber(ARGV[3])), ARGV[2])
end
return out
