-- Creates a session and its first access token.
-- KEYS[1] session hash, KEYS[2] access-token entry
-- ARGV[1] user id, ARGV[2] refresh jti, ARGV[3] access jti, ARGV[4] access ttl (ms),
-- ARGV[5] refresh ttl (ms), ARGV[6] now (ms), ARGV[7] session end (ms, absolute),
-- ARGV[8] user agent, ARGV[9] client ip, ARGV[10] access live-count bucket, ARGV[11] refresh one
redis.call('HSET', KEYS[1], 'uid', ARGV[1], 'rt', ARGV[2], 'created', ARGV[6],
  'refreshed', ARGV[6], 'end', ARGV[7], 'ua', ARGV[8], 'ip', ARGV[9], 'ab', ARGV[10], 'rb', ARGV[11])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
return 1
