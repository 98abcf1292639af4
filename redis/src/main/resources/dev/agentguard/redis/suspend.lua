-- Suspensions: the key base:s holds "until limit shape" (until in ms, server time plus offset) and expires at until.
-- ARGV: offset, op, then
--   'set': key, until, limit, shape -> {1, now} set; {0, now} until already past (nothing set)
--   'lift': key -> {1, now} a suspension in force was lifted; {0, now} none was in force
--   'get': keys... -> {1, now, value or '' per key}: the value of each suspension in force
local now = now_ms(ARGV[1])
local op = ARGV[2]
if op == 'set' then
  if tonumber(ARGV[4]) <= now then return {0, now} end
  redis.call('SET', ARGV[3], ARGV[4] .. ' ' .. ARGV[5] .. ' ' .. ARGV[6])
  redis.call('PEXPIREAT', ARGV[3], string.format('%d', tonumber(ARGV[4]) - offset_ms))
  return {1, now}
end
if op == 'lift' then
  local v = redis.call('GET', ARGV[3])
  if not v then return {0, now} end
  redis.call('DEL', ARGV[3])
  if tonumber(split(v)[1]) > now then return {1, now} end
  return {0, now}
end
local out = {1, now}
for i = 3, #ARGV do
  local v = redis.call('GET', ARGV[i])
  if v and tonumber(split(v)[1]) > now then out[#out + 1] = v else out[#out + 1] = '' end
end
return out
