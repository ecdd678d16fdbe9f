-- Reserve: one atomic check-and-hold over all of a tenant's limits (0 = no limit), in the order
-- and with the semantics of the in-memory TenantLedger. Refusals return {limit, in use...}.
-- KEYS: 1 res, 2 lease, 3 seq, 4 minute window, 5 day budget, 6 month budget
-- ARGV: 1 base, 2 now ms, 3 lease ms, 4 keep lapsed ms, 5 concurrent_streams,
--       6 requests_per_minute, 7 tokens_per_minute, 8 daily nanos, 9 monthly nanos, 10 cost,
--       11 tokens, 12 minute, 13 day, 14 month, 15 day key expires at ms, 16 month ditto
local now = tonumber(ARGV[2])
local swept = sweep(ARGV[1], now, ARGV[4])
local cost, tokens = tonumber(ARGV[10]), tonumber(ARGV[11])

local in_flight = redis.call('ZCARD', KEYS[2])
local concurrent = tonumber(ARGV[5])
if concurrent > 0 and in_flight >= concurrent then
  return {'concurrent_streams', in_flight}
end
local minute = redis.call('HMGET', KEYS[4], 'r', 't')
local requests, used = tonumber(minute[1] or '0'), tonumber(minute[2] or '0')
local rpm, tpm = tonumber(ARGV[6]), tonumber(ARGV[7])
if rpm > 0 and requests >= rpm then
  return {'requests_per_minute', requests}
end
if tpm > 0 and used + tokens > tpm then
  return {'tokens_per_minute', used}
end
local budgets = {{KEYS[5], tonumber(ARGV[8]), 'daily_budget_usd'},
                 {KEYS[6], tonumber(ARGV[9]), 'monthly_budget_usd'}}
for _, b in ipairs(budgets) do
  local period = redis.call('HMGET', b[1], 'c', 'h')
  local committed, held = period[1] or '0', period[2] or '0'
  if b[2] > 0 and tonumber(committed) + tonumber(held) + cost > b[2] then
    return {b[3], committed, held}
  end
end

local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], id,
  ARGV[10] .. ' ' .. ARGV[11] .. ' ' .. ARGV[12] .. ' ' .. ARGV[13] .. ' ' .. ARGV[14])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), id)
redis.call('HINCRBY', KEYS[4], 'r', 1)
redis.call('HINCRBY', KEYS[4], 't', ARGV[11])
redis.call('PEXPIRE', KEYS[4], 120000)
redis.call('HINCRBY', KEYS[5], 'h', ARGV[10])
redis.call('PEXPIREAT', KEYS[5], ARGV[15])
redis.call('HINCRBY', KEYS[6], 'h', ARGV[10])
redis.call('PEXPIREAT', KEYS[6], ARGV[16])
return {'ok', id, swept}
