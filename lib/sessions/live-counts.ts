import type { Redis } from 'ioredis'
import { redisKeys } from './redis-keys.js'
import type { TokenKind } from '../../schemas/tokens.js'

/** The live-count buckets of a session's access and refresh token (null: none recorded). */
export type Buckets = Record<TokenKind, number | null>

/**
 * Counts live tokens without a per-token entry: each token adds one to the bucket of time its
 * expiry falls in, and revocation takes it out again. A bucket expires with the last of its
 * tokens, so a count is exact but for tokens that expired earlier in a bucket still open
 * (at most one bucket's width: a minute for access tokens, an hour or more for refresh tokens).
 * Buckets share one hash tag, so the count is one MGET on Redis Cluster too.
 */
export function liveCounts (redis: Pick<Redis, 'mget' | 'adjustLiveCount'>, ttlMs: Record<TokenKind, number>) {
  // At most ~240 buckets per kind, whatever the lifetimes.
  const width = (ttl: number, unit: number) => Math.max(unit, Math.ceil(ttl / 240 / unit) * unit)
  const widths: Record<TokenKind, number> = { access: width(ttlMs.access, 60_000), refresh: width(ttlMs.refresh, 3_600_000) }

  const bucketOf = (kind: TokenKind, expiresAt: number) => Math.ceil(expiresAt / widths[kind])

  function adjust (kind: TokenKind, index: number | null, delta: 1 | -1) {
    if (index === null) return Promise.resolve(0)
    return redis.adjustLiveCount(redisKeys.liveTokens(kind, widths[kind], index), delta, index * widths[kind])
  }

  async function count (kind: TokenKind) {
    const now = Date.now()
    const first = Math.floor(now / widths[kind])
    const last = bucketOf(kind, now + ttlMs[kind])
    const names = Array.from({ length: last - first + 1 }, (_, i) => redisKeys.liveTokens(kind, widths[kind], first + i))
    const counts = await redis.mget(names)
    return counts.reduce((sum, n) => sum + Math.max(0, Number(n ?? 0)), 0)
  }

  return {
    /** The buckets of a pair of tokens that expire at these times (seconds). */
    bucketsOf: (exp: { accessExp: number, refreshExp: number }): Record<TokenKind, number> =>
      ({ access: bucketOf('access', exp.accessExp * 1000), refresh: bucketOf('refresh', exp.refreshExp * 1000) }),
    /** Adds (1) or takes out (-1) a pair of tokens. */
    move: (buckets: Buckets, delta: 1 | -1) =>
      Promise.all([adjust('access', buckets.access, delta), adjust('refresh', buckets.refresh, delta)]),
    count
  }
}
