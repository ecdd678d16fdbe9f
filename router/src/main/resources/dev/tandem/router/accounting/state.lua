-- A tenant's reservations now, after reclaiming lapsed ones: {streams in flight, cost held}.
-- KEYS: 1 res, 2 lease
-- ARGV: 1 base, 2 now ms, 3 keep lapsed ms
sweep(ARGV[1], tonumber(ARGV[2]), ARGV[3])
local held = 0
for _, data in ipairs(redis.call('HVALS', KEYS[1])) do
  held = held + tonumber(string.match(data, '^(%d+) '))
end
return {redis.call('ZCARD', KEYS[2]), held}
