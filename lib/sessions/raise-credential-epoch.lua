-- Raises a user's credential epoch after a password change; never lowers it, since two changes
-- may reach Redis out of order.
-- KEYS[1] the user's credential epoch, ARGV[1] the new epoch, ARGV[2] ttl (ms)
if tonumber(redis.call('GET', KEYS[1]) or '-1') < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
