-- Lists a new session among its user's sessions, unless the user's password has changed since the
-- login read it. A password change raises the user's credential epoch here before it lists the
-- sessions it revokes, and a login creates its session hash before it is admitted here: so a
-- session from a superseded password is either listed in time to be revoked, or refused.
-- KEYS[1] the user's sessions (sorted set by absolute end), KEYS[2] the user's credential epoch
-- ARGV[1] the epoch the login read with the password hash, ARGV[2] session id,
-- ARGV[3] session end (ms, absolute), ARGV[4] now (ms), ARGV[5] ttl of the index (ms)
-- Returns 1 when admitted, 0 when the credential is superseded
if tonumber(redis.call('GET', KEYS[2]) or '0') > tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
-- The index lives as long as the last of its sessions; ended ones leave it here
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
return 1
