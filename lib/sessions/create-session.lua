-- Creates a session. One hash holds it whole, the ids of its live access and refresh tokens
-- included, so eviction can only ever take a session entirely. 'refreshed' is first written by
-- a rotation (a session never refreshed was last refreshed when created: bytes saved per session).
-- KEYS[1] session hash
-- ARGV[1] user id, ARGV[2] refresh jti, ARGV[3] access jti, ARGV[4] hash ttl (ms),
-- ARGV[5] now (ms), ARGV[6] session end (ms, absolute), ARGV[7] user agent, ARGV[8] client ip,
-- ARGV[9] access live-count bucket, ARGV[10] refresh one
redis.call('HSET', KEYS[1], 'uid', ARGV[1], 'rt', ARGV[2], 'at', ARGV[3], 'created', ARGV[5],
  'end', ARGV[6], 'ua', ARGV[7], 'ip', ARGV[8], 'ab', ARGV[9], 'rb', ARGV[10])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
