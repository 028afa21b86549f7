-- Gives a session a new access and refresh token and forgets the previous ones, with no token
-- presented: a password change keeps the session that made it, not tokens a thief may have copied.
-- The previous refresh token becomes one consumed earlier: presented again, it ends the session.
-- KEYS[1] session hash, KEYS[2] successor (reuse interval)
-- ARGV[1] user id, ARGV[2] new refresh jti, ARGV[3] new access jti, ARGV[4] hash ttl (ms, capped
-- here at the session's end), ARGV[5] now (ms), ARGV[6] and ARGV[7] the live-count buckets of the
-- new access and refresh tokens
-- Returns {'reissued', old buckets} | {'missing'} when the session is not the user's or has ended
local s = redis.call('HMGET', KEYS[1], 'uid', 'end', 'ab', 'rb')
if s[1] ~= ARGV[1] then
  return { 'missing' }
end
local ttl = math.min(tonumber(ARGV[4]), tonumber(s[2]) - tonumber(ARGV[5]))
if ttl <= 0 then
  return { 'missing' }
end
redis.call('HSET', KEYS[1], 'rt', ARGV[2], 'at', ARGV[3], 'refreshed', ARGV[5], 'ab', ARGV[6], 'rb', ARGV[7])
redis.call('HDEL', KEYS[1], 'prt')
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('DEL', KEYS[2])
return { 'reissued', s[3], s[4] }
