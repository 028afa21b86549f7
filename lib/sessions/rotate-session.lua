-- Consumes a refresh token and moves its session to the next access and refresh token,
-- which revokes the previous access token.
-- * A token whose user is not the session's user: refuse, change nothing.
-- * The session's current refresh token: rotate, and keep what the new pair was signed from (ids,
--   times and the client that asked; never a token) for the reuse interval.
-- * The token the last rotation consumed, presented again within the reuse interval by the client
--   that made the rotation (a retry after a lost response, two tabs): answer what that rotation
--   signed, so the caller signs the same pair again; change nothing.
-- * Any other signed refresh token of the session was consumed earlier, or is replayed from
--   another client, so it has been copied: revoke the whole session.
-- KEYS[1] session hash, KEYS[2] successor (reuse interval)
-- ARGV[1] presented refresh jti, ARGV[2] the token's user (sub), ARGV[3] new refresh jti,
-- ARGV[4] new access jti, ARGV[5] hash ttl (ms, capped here at the session's end), ARGV[6] now (ms),
-- ARGV[7] reuse interval (ms, 0 = off), ARGV[8] client digest, ARGV[9] and ARGV[10] the live-count
-- buckets of the new access and refresh tokens, ARGV[11] their issue time, ARGV[12] and ARGV[13]
-- their expiry (seconds)
-- Returns {'rotated', old buckets} | {'replayed', access jti, refresh jti, iat, access exp,
-- refresh exp} | {'reused', buckets} | {'mismatch'} | {'missing'} | {'ended', buckets} when the
-- session has reached its end
local s = redis.call('HMGET', KEYS[1], 'uid', 'rt', 'prt', 'end', 'ab', 'rb')
if not s[1] then
  return { 'missing' }
end
if s[1] ~= ARGV[2] then
  return { 'mismatch' }
end
local now = tonumber(ARGV[6])
if s[2] == ARGV[1] then
  local ttl = math.min(tonumber(ARGV[5]), tonumber(s[4]) - now)
  if ttl <= 0 then
    redis.call('DEL', KEYS[1], KEYS[2])
    return { 'ended', s[5], s[6] }
  end
  redis.call('HSET', KEYS[1], 'rt', ARGV[3], 'prt', ARGV[1], 'at', ARGV[4], 'refreshed', ARGV[6], 'ab', ARGV[9], 'rb', ARGV[10])
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('DEL', KEYS[2])
  if tonumber(ARGV[7]) > 0 then
    redis.call('HSET', KEYS[2], 'at', ARGV[4], 'rt', ARGV[3], 'iat', ARGV[11], 'ax', ARGV[12], 'rx', ARGV[13], 'client', ARGV[8])
    redis.call('PEXPIRE', KEYS[2], ARGV[7])
  end
  return { 'rotated', s[5], s[6] }
end
if s[3] == ARGV[1] then
  local successor = redis.call('HMGET', KEYS[2], 'client', 'at', 'rt', 'iat', 'ax', 'rx')
  if successor[1] == ARGV[8] then
    return { 'replayed', successor[2], successor[3], successor[4], successor[5], successor[6] }
  end
end
redis.call('DEL', KEYS[1], KEYS[2])
return { 'reused', s[5], s[6] }
