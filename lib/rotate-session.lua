-- Consumes a refresh token: checks that it is the session's current one and moves the
-- session to a new refresh and access token, revoking the previous access token.
-- A signed refresh token of this session that is not the current one was already consumed:
-- it has been copied, so the whole session is revoked.
-- KEYS[1] session hash, KEYS[2] access-token entry
-- ARGV[1] presented refresh jti, ARGV[2] new refresh jti, ARGV[3] new access jti,
-- ARGV[4] access ttl (ms), ARGV[5] refresh ttl (ms), ARGV[6] now (ms)
-- Returns {'ok', uid, session end} | {'reused', uid} | {'missing'}
local s = redis.call('HMGET', KEYS[1], 'uid', 'rt', 'end')
if not s[1] then
  return { 'missing' }
end
if s[2] ~= ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return { 'reused', s[1] }
end
local ttl = math.min(tonumber(ARGV[5]), tonumber(s[3]) - tonumber(ARGV[6]))
if ttl <= 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return { 'missing' }
end
redis.call('HSET', KEYS[1], 'rt', ARGV[2], 'refreshed', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('SET', KEYS[2], ARGV[3], 'PX', math.min(tonumber(ARGV[4]), ttl))
return { 'ok', s[1], s[3] }
