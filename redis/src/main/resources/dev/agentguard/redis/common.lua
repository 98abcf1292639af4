-- Shared by every script of RedisBudgetLedger (prepended to each). KEYS[1]: the sorted set of open holds scored by
-- lease end (ms); KEYS[2]: the hash of hold id -> its windows. Every other key shares their hash tag.
-- A window is described by five fields: base shape kind a b. kind 's' (sliding): a = bucket width ms, b = bucket
-- count; kind 'c' (calendar): [a, b) = the period in ms. Settled amounts live in bucket keys base:shape:index
-- (sliding) or base:shape:a (calendar), each expiring when it leaves its window; base:r holds what is reserved.

-- offset: added to the server's TIME by tests that move time; expiries are set back in the server's own time.
local offset_ms = 0

local function now_ms(offset)
  local t = redis.call('TIME')
  offset_ms = tonumber(offset)
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + offset_ms
end

local function settled(base, shape, kind, a, b, now)
  if kind == 's' then
    local idx = math.floor(now / a)
    local keys = {}
    for j = idx - b + 1, idx do
      keys[#keys + 1] = base .. ':' .. shape .. ':' .. string.format('%d', j)
    end
    local sum = 0
    for _, v in ipairs(redis.call('MGET', unpack(keys))) do
      if v then sum = sum + tonumber(v) end
    end
    return sum
  end
  local v = redis.call('GET', base .. ':' .. shape .. ':' .. string.format('%d', a))
  if v then return tonumber(v) end
  return 0
end

local function charge(base, shape, kind, a, b, amount, now)
  if tonumber(amount) <= 0 then return end
  local key
  local ends
  if kind == 's' then
    local idx = math.floor(now / a)
    key = base .. ':' .. shape .. ':' .. string.format('%d', idx)
    ends = (idx + b) * a
  else
    if now >= b then return end -- the period is over: nothing counts in it any more
    key = base .. ':' .. shape .. ':' .. string.format('%d', a)
    ends = b
  end
  redis.call('INCRBY', key, amount)
  redis.call('PEXPIREAT', key, string.format('%d', ends - offset_ms))
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
