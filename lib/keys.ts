/**
 * Redis key names (the client adds REDIS_KEY_PREFIX). Every key of one session carries the
 * session id as a hash tag, so a script touching them all runs on one Redis Cluster slot.
 */
export const keys = {
  session: (sid: string) => `sess:{${sid}}`,
  access: (sid: string) => `at:{${sid}}`,
  successor: (sid: string) => `succ:{${sid}}`,
  userSessions: (uid: number | string) => `user:{${uid}}:sessions`,
  liveAccess: 'live:access',
  liveRefresh: 'live:refresh'
}
