/**
 * Redis key names (the client adds REDIS_KEY_PREFIX). Every key of one session carries the
 * session id as a hash tag, so a script touching them all runs on one Redis Cluster slot.
 */
export const keys = {
  session: (sid: string) => `sess:{${sid}}`,
  successor: (sid: string) => `succ:{${sid}}`,
  userSessions: (uid: number | string) => `user:{${uid}}:sessions`,
  /** The user's credential epoch, raised by a password change (lib/admit-session.lua). */
  credentialEpoch: (uid: number | string) => `user:{${uid}}:epoch`,
  /** Count of live tokens of one kind whose expiry falls in one bucket of time (lib/live-tokens.ts). */
  liveTokens: (kind: string, width: number, index: number) => `live:{tokens}:${kind}:${width}:${index}`
}
