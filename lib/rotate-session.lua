-- Consumes a refresh token and moves its session to the next access and refresh token,
-- which revokes the previous access token.
-- * The session's current refresh token: rotate, and keep the new pair for the reuse interval.
-- * The token the last rotation consumed, presented again within the reuse interval (two tabs,
--   a retry after a lost response): answer that rotation's pair again, change nothing.
-- * Any other signed refresh token of the session was consumed earlier, so it has been copied:
--   revoke the whole session.
-- KEYS[1] session hash, KEYS[2] access-token entry, KEYS[3] successor pair (reuse interval)
-- ARGV[1] presented refresh jti, ARGV[2] new refresh jti, ARGV[3] new access jti,
-- ARGV[4] access ttl (ms), ARGV[5] refresh ttl (ms), ARGV[6] now (ms),
-- ARGV[7] reuse interval (ms, 0 = off), ARGV[8] the new pair as JSON,
-- ARGV[9] and ARGV[10] the live-count buckets of the new access and refresh tokens
-- Returns {'rotated', uid, old buckets} | {'replayed', uid, pair JSON} | {'reused', uid, buckets}
-- | {'missing'} | {'missing', uid, buckets} when the session has reached its end
local s = redis.call('HMGET', KEYS[1], 'uid', 'rt', 'prt', 'end', 'ab', 'rb')
if not s[1] then
  return { 'missing' }
end
local now = tonumber(ARGV[6])
if s[2] == ARGV[1] then
  local ttl = math.min(tonumber(ARGV[5]), tonumber(s[4]) - now)
  if ttl <= 0 then
    redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
    return { 'missing', s[1], s[5], s[6] }
  end
  redis.call('HSET', KEYS[1], 'rt', ARGV[2], 'prt', ARGV[1], 'refreshed', ARGV[6], 'ab', ARGV[9], 'rb', ARGV[10])
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('SET', KEYS[2], ARGV[3], 'PX', math.min(tonumber(ARGV[4]), ttl))
  if tonumber(ARGV[7]) > 0 then
    redis.call('SET', KEYS[3], ARGV[8], 'PX', ARGV[7])
  end
  return { 'rotated', s[1], s[5], s[6] }
end
if s[3] == ARGV[1] then
  local pair = redis.call('GET', KEYS[3])
  if pair then
    return { 'replayed', s[1], pair }
  end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return { 'reused', s[1], s[5], s[6] }
