-- Deletes a session with its successor pair.
-- KEYS[1] session hash, KEYS[2] successor pair
-- Returns the live-count buckets of its two tokens, or nils when the session was already gone.
local buckets = redis.call('HMGET', KEYS[1], 'ab', 'rb')
redis.call('DEL', KEYS[1], KEYS[2])
return buckets
