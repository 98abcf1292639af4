-- Shared by every script of RedisBudgetLedger (prepended to each). KEYS[1]: the sorted set of open holds scored by
-- lease end (ms); KEYS[2]: the hash of hold id -> its windows. Every other key shares their hash tag.
-- A window is described by five fields: base shape kind a b. kind 's' (sliding): a = bucket width ms, b = bucket
-- count; kind 'c' (calendar): [a, b) = the period in ms. Settled amounts live in the hash base:shape (sliding, see
-- advance) or the key base:shape:a (calendar), each expiring when its spend has left the window; base:r holds what
-- is reserved.

-- offset: added to the server's TIME by tests that move time; expiries are set back in the server's own time.
local offset_ms = 0

local function now_ms(offset)
  local t = redis.call('TIME')
  offset_ms = tonumber(offset)
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + offset_ms
end

-- A sliding window is one hash, base:shape: a field per bucket index with its settled spend, 't' the running
-- total and 'i' the newest bucket index. Moving to a later bucket subtracts (and deletes) the buckets that left,
-- so a read is O(1) and a window advance O(buckets that left); the hash expires when its newest bucket leaves.
local function advance(key, idx, n)
  local head = redis.call('HGET', key, 'i')
  if not head then return 0 end
  head = tonumber(head)
  if idx <= head then return tonumber(redis.call('HGET', key, 't')) end
  if idx - head >= n then
    redis.call('DEL', key)
    return 0
  end
  local sub = 0
  local gone = {}
  for j = head - n + 1, idx - n do
    local f = string.format('%d', j)
    local v = redis.call('HGET', key, f)
    if v then
      sub = sub + tonumber(v)
      gone[#gone + 1] = f
    end
  end
  if #gone > 0 then redis.call('HDEL', key, unpack(gone)) end
  redis.call('HSET', key, 'i', string.format('%d', idx))
  if sub == 0 then return tonumber(redis.call('HGET', key, 't')) end
  return redis.call('HINCRBY', key, 't', string.format('%d', -sub))
end

local function settled(base, shape, kind, a, b, now)
  if kind == 's' then
    return advance(base .. ':' .. shape, math.floor(now / a), b)
  end
  local v = redis.call('GET', base .. ':' .. shape .. ':' .. string.format('%d', a))
  if v then return tonumber(v) end
  return 0
end

local function charge(base, shape, kind, a, b, amount, now)
  if tonumber(amount) <= 0 then return end
  if kind == 's' then
    local key = base .. ':' .. shape
    local idx = math.floor(now / a)
    advance(key, idx, b)
    local head = redis.call('HGET', key, 'i')
    if head and idx < tonumber(head) - b + 1 then return end -- older than the window (a clock step back)
    if not head or idx > tonumber(head) then head = idx end
    redis.call('HINCRBY', key, string.format('%d', idx), amount)
    redis.call('HINCRBY', key, 't', amount)
    redis.call('HSET', key, 'i', string.format('%d', head))
    redis.call('PEXPIREAT', key, string.format('%d', (tonumber(head) + b) * a - offset_ms))
    return
  end
  if now >= b then return end -- the period is over: nothing counts in it any more
  local key = base .. ':' .. shape .. ':' .. string.format('%d', a)
  redis.call('INCRBY', key, amount)
  redis.call('PEXPIREAT', key, string.format('%d', b - offset_ms))
end

local function reserved(base)
  local v = redis.call('GET', base .. ':r')
  if v then return tonumber(v) end
  return 0
end

local function unreserve(base, amount)
  if tonumber(amount) <= 0 then return end
  if redis.call('DECRBY', base .. ':r', amount) <= 0 then
    redis.call('DEL', base .. ':r')
  end
end

local function split(s)
  local out = {}
  for w in string.gmatch(s, '%S+') do out[#out + 1] = w end
  return out
end

-- Charges holds whose lease has ended at their worst case (what they reserved), at most max of them.
local function sweep(now, max)
  local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now), 'LIMIT', 0, max)
  for _, id in ipairs(ids) do
    local data = redis.call('HGET', KEYS[2], id)
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    if data then
      local f = split(data)
      for i = 1, #f, 6 do
        unreserve(f[i], f[i + 5])
        charge(f[i], f[i + 1], f[i + 2], tonumber(f[i + 3]), tonumber(f[i + 4]), f[i + 5], now)
      end
    end
  end
  return #ids
end
