-- Shared by the scripts that read a tenant's state (prepended to them). A reservation is a field
-- of <base>:res ("cost tokens minute day month") and a member of <base>:lease scored with the time
-- its lease lapses; the lease set is also the set of streams in flight. A live router renews its
-- leases; a dead router's lapse, and this gives back what they held: the cost in their day and
-- month, and their stream slot. They move to <base>:lapsed, so that a late settle (a router that
-- was only cut off) still commits what was spent, once.
local function sweep(base, now, keep_ms)
  local lapsed = redis.call('ZRANGEBYSCORE', base .. ':lease', '-inf', now, 'LIMIT', 0, 1000)
  for _, id in ipairs(lapsed) do
    local data = redis.call('HGET', base .. ':res', id)
    if data then
      local cost, _, _, day, month = string.match(data, '^(%d+) (%d+) (%-?%d+) (%S+) (%S+)$')
      if cost ~= '0' then
        redis.call('HINCRBY', base .. ':b:' .. day, 'h', '-' .. cost)
        redis.call('HINCRBY', base .. ':b:' .. month, 'h', '-' .. cost)
      end
      redis.call('HSET', base .. ':lapsed', id, data)
      redis.call('HDEL', base .. ':res', id)
    end
    redis.call('ZREM', base .. ':lease', id)
  end
  if #lapsed > 0 then
    redis.call('PEXPIRE', base .. ':lapsed', keep_ms)
  end
  return #lapsed
end
