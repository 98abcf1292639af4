-- ARGV: offset, hold id. Returns {1, now} released; {0, now} nothing to do.
local now = now_ms(ARGV[1])
local data = redis.call('HGET', KEYS[2], ARGV[2])
if not data or redis.call('ZREM', KEYS[1], ARGV[2]) == 0 then return {0, now} end
redis.call('HDEL', KEYS[2], ARGV[2])
local f = split(data)
for i = 1, #f, 6 do unreserve(f[i], f[i + 5]) end
return {1, now}
