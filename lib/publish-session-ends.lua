-- Publishes the end of sessions on the revocation feed, in one step for every listener: each end
-- is appended to a stream (for catch-up after a reconnect) trimmed to the window in which an
-- access token of an ended session could still be presented, and sent on a Pub/Sub channel.
-- KEYS[1] the stream
-- ARGV[1] channel, ARGV[2] oldest stream id kept (ms), ARGV[3] reason, ARGV[4] exp (seconds),
-- then pairs of session id and user id.
for i = 5, #ARGV, 2 do
  local id = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[2], '*',
    'sid', ARGV[i], 'sub', ARGV[i + 1], 'exp', ARGV[4], 'reason', ARGV[3])
  redis.call('PUBLISH', ARGV[1], cjson.encode({ id = id, sid = ARGV[i], sub = ARGV[i + 1], exp = tonumber(ARGV[4]), reason = ARGV[3] }))
end
return (#ARGV - 4) / 2
