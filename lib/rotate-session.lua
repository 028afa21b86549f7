-- Consumes a refresh token and moves its session to the next access and refresh token,
-- which revokes the previous access token.
-- * The session's current refresh token: rotate, and keep the new pair for the reuse interval.
-- * The token the last rotation consumed, presented again within the reuse interval (two tabs,
--   a retry after a lost response): answer that rotation's pair again, change nothing.
-- * Any other signed refresh token of the session was consumed earlier, so it has been copied:
--   revoke the whole session.
-- KEYS[1] session hash, KEYS[2] successor pair (reuse interval)
-- ARGV[1] presented refresh jti, ARGV[2] new refresh jti, ARGV[3] new access jti,
-- ARGV[4] hash ttl (ms, capped here at the session's end), ARGV[5] now (ms),
-- ARGV[6] reuse interval (ms, 0 = off), ARGV[7] the new pair as JSON,
-- ARGV[8] and ARGV[9] the live-count buckets of the new access and refresh tokens
-- Returns {'rotated', uid, old buckets} | {'replayed', uid, pair JSON} | {'reused', uid, buckets}
-- | {'missing'} | {'missing', uid, buckets} when the session has reached its end
local s = redis.call('HMGET', KEYS[1], 'uid', 'rt', 'prt', 'end', 'ab', 'rb')
if not s[1] then
  return { 'missing' }
end
local now = tonumber(ARGV[5])
if s[2] == ARGV[1] then
  local ttl = math.min(tonumber(ARGV[4]), tonumber(s[4]) - now)
  if ttl <= 0 then
    redis.call('DEL', KEYS[1], KEYS[2])
    return { 'missing', s[1], s[5], s[6] }
  end
  redis.call('HSET', KEYS[1], 'rt', ARGV[2], 'prt', ARGV[1], 'at', ARGV[3], 'refreshed', ARGV[5], 'ab', ARGV[8], 'rb', ARGV[9])
  redis.call('PEXPIRE', KEYS[1], ttl)
  if tonumber(ARGV[6]) > 0 then
    redis.call('SET', KEYS[2], ARGV[7], 'PX', ARGV[6])
  end
  return { 'rotated', s[1], s[5], s[6] }
end
if s[3] == ARGV[1] then
  local pair = redis.call('GET', KEYS[2])
  if pair then
    return { 'replayed', s[1], pair }
  end
end
redis.call('DEL', KEYS[1], KEYS[2])
return { 'reused', s[1], s[5], s[6] }
