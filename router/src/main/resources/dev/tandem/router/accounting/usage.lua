-- One tenant's usage hashes for the days of a period, in one round trip.
-- KEYS: the day usage keys
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('HGETALL', key)
end
return out
