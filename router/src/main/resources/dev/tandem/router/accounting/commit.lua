-- Commit without a reservation: the spend of a request served while Redis was down under
-- redis.on_failure: fail_open. Idempotent by a marker key per request ({0} when seen before).
-- KEYS: 1 marker, 2 minute window, 3 day budget, 4 month budget, 5 day usage
-- ARGV: 1 cost, 2 tokens, 3 day expires at ms, 4 month ditto, 5 usage group,
--       6 usage expires at ms, 7 marker ms
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[7]) then
  return {0}
end
redis.call('HINCRBY', KEYS[2], 'r', 1)
redis.call('HINCRBY', KEYS[2], 't', ARGV[2])
redis.call('PEXPIRE', KEYS[2], 120000)
local day = redis.call('HINCRBY', KEYS[3], 'c', ARGV[1])
redis.call('PEXPIREAT', KEYS[3], ARGV[3])
local month = redis.call('HINCRBY', KEYS[4], 'c', ARGV[1])
redis.call('PEXPIREAT', KEYS[4], ARGV[4])
redis.call('HINCRBY', KEYS[5], ARGV[5] .. '|c', ARGV[1])
redis.call('HINCRBY', KEYS[5], ARGV[5] .. '|r', 1)
redis.call('HINCRBY', KEYS[5], ARGV[5] .. '|t', ARGV[2])
redis.call('PEXPIREAT', KEYS[5], ARGV[6])
return {1, day, month}
