import type { Cluster, Redis, Result } from 'ioredis'

declare module 'ioredis' {
  interface RedisCommander<Context> {
    publishSessionEnds(streamKey: string, ...args: Array<string | number>): Result<number, Context>
  }
}

/** Why a session ended, as the feed says it. */
export const END_REASONS = ['logout', 'logout_all', 'session_deleted', 'password_change', 'refresh_reused', 'password_reset', 'account_deleted', 'mfa_disabled'] as const
export type EndReason = typeof END_REASONS[number]

/** One end of a session on the feed: `exp` (seconds) is when its last access token expires at the latest. */
export interface SessionEnd { id: string, sid: string, sub: string, exp: number, reason: EndReason }

/** The stream's key (the client adds REDIS_KEY_PREFIX) and, with the prefix, the channel's name. */
export const FEED_KEY = 'revocations'
export const feedChannel = (keyPrefix: string) => `${keyPrefix}${FEED_KEY}`

const isReason = (value: unknown): value is EndReason => END_REASONS.some(reason => reason === value)

/** A feed message from the channel, or undefined when it is not one. */
export function parseSessionEnd (message: string): SessionEnd | undefined {
  let value: unknown
  try {
    value = JSON.parse(message)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { id, sid, sub, exp, reason } = value as Record<string, unknown>
  return typeof id === 'string' && typeof sid === 'string' && typeof sub === 'string' && typeof exp === 'number' && isReason(reason)
    ? { id, sid, sub, exp, reason }
    : undefined
}

/** A stream entry (`XRANGE`/`XREAD` reply) as a feed message, or undefined when it is not one. */
export function sessionEndOfEntry ([id, fields]: [string, string[]]): SessionEnd | undefined {
  const field = (name: string) => fields[fields.indexOf(name) + 1]
  const exp = Number(field('exp'))
  const reason = field('reason')
  return Number.isInteger(exp) && isReason(reason) ? { id, sid: field('sid'), sub: field('sub'), exp, reason } : undefined
}

/**
 * The publishing side of the feed. `windowMs` is the access token lifetime: after it, no token of
 * an ended session is accepted anywhere, so neither the entry nor a listener's memory of it is
 * needed any longer.
 */
export function revocationFeed (redis: Redis | Cluster, options: { keyPrefix: string, windowMs: number }) {
  const channel = feedChannel(options.keyPrefix)
  return {
    channel,
    /** Publishes that these sessions ended, on the channel and the stream, in one script. */
    async publish (reason: EndReason, sessions: Array<{ sid: string, sub: string }>, now = Date.now()): Promise<void> {
      if (sessions.length === 0) return
      const exp = Math.ceil((now + options.windowMs) / 1000)
      await redis.publishSessionEnds(FEED_KEY, channel, now - options.windowMs, reason, exp,
        ...sessions.flatMap(({ sid, sub }) => [sid, sub]))
    }
  }
}
