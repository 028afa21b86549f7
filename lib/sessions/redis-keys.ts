/**
 * Redis key names of the session engine (the client adds REDIS_KEY_PREFIX). Every key of one
 * session carries the session id as a hash tag, so a script touching them all runs on one Redis
 * Cluster slot; a user's keys share the user id the same way.
 */
export const redisKeys = {
  session: (sid: string) => `sess:{${sid}}`,
  successor: (sid: string) => `succ:{${sid}}`,
  userSessions: (uid: string) => `user:{${uid}}:sessions`,
  /** The user's credential epoch, raised by a password change (admit-session.lua). */
  credentialEpoch: (uid: string) => `user:{${uid}}:epoch`,
  /** Count of live tokens of one kind whose expiry falls in one bucket of time (live-counts.ts). */
  liveTokens: (kind: string, width: number, index: number) => `live:{tokens}:${kind}:${width}:${index}`
}
