-- Adds ARGV[1] (+1 or -1) to one bucket of live tokens, which expires when its tokens have.
-- A decrement never recreates a bucket that has already expired.
-- KEYS[1] bucket, ARGV[1] delta, ARGV[2] bucket end (ms, absolute)
if tonumber(ARGV[1]) < 0 and redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return count
