-- Settle: moves a reservation to committed spend (the cost capped at what it held), gives back
-- the rest and its stream slot, and adds the charge to the day's usage. Idempotent: a reservation
-- settled before is a no-op ({0}). A reservation whose lease lapsed (the sweep already gave back
-- what it held) still commits its cost, once.
-- KEYS: 1 res, 2 lease, 3 lapsed, 4 minute window, 5 day budget, 6 month budget, 7 day usage
-- ARGV: 1 id, 2 cost, 3 tokens, 4 reserved tokens, 5 reserved cost, 6 day expires at ms,
--       7 month ditto, 8 usage group, 9 usage expires at ms
local held
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZREM', KEYS[2], ARGV[1])
  held = true
elseif redis.call('HDEL', KEYS[3], ARGV[1]) == 1 then
  held = false
else
  return {0}
end
if held then
  if redis.call('EXISTS', KEYS[4]) == 1 then
    redis.call('HINCRBY', KEYS[4], 't', tonumber(ARGV[3]) - tonumber(ARGV[4]))
  end
  if ARGV[5] ~= '0' then
    redis.call('HINCRBY', KEYS[5], 'h', '-' .. ARGV[5])
    redis.call('HINCRBY', KEYS[6], 'h', '-' .. ARGV[5])
  end
end
local day = redis.call('HINCRBY', KEYS[5], 'c', ARGV[2])
redis.call('PEXPIREAT', KEYS[5], ARGV[6])
local month = redis.call('HINCRBY', KEYS[6], 'c', ARGV[2])
redis.call('PEXPIREAT', KEYS[6], ARGV[7])
redis.call('HINCRBY', KEYS[7], ARGV[8] .. '|c', ARGV[2])
redis.call('HINCRBY', KEYS[7], ARGV[8] .. '|r', 1)
redis.call('HINCRBY', KEYS[7], ARGV[8] .. '|t', ARGV[3])
redis.call('PEXPIREAT', KEYS[7], ARGV[9])
return {1, day, month}
