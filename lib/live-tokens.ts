import type { Redis } from 'ioredis'
import { keys } from './keys.js'

export type TokenKind = 'access' | 'refresh'

/**
 * Counts live tokens without a per-token entry: each token adds one to the bucket of time its
 * expiry falls in, and revocation takes it out again. A bucket expires with the last of its
 * tokens, so a count is exact but for tokens that expired earlier in a bucket still open
 * (at most one bucket's width: a minute for access tokens, an hour or more for refresh tokens).
 * Buckets share one hash tag, so the count is one MGET on Redis Cluster too.
 */
export function liveTokens (redis: Pick<Redis, 'mget' | 'adjustLiveCount'>, ttlMs: Record<TokenKind, number>) {
  // At most ~240 buckets per kind, whatever the lifetimes.
  const width = (ttl: number, unit: number) => Math.max(unit, Math.ceil(ttl / 240 / unit) * unit)
  const widths: Record<TokenKind, number> = { access: width(ttlMs.access, 60_000), refresh: width(ttlMs.refresh, 3_600_000) }

  const bucketOf = (kind: TokenKind, expiresAt: number) => Math.ceil(expiresAt / widths[kind])

  function adjust (kind: TokenKind, bucket: number | string | null, delta: 1 | -1) {
    if (bucket === null) return Promise.resolve(0)
    const index = Number(bucket)
    return redis.adjustLiveCount(keys.liveTokens(kind, widths[kind], index), delta, index * widths[kind])
  }

  async function count (kind: TokenKind) {
    const now = Date.now()
    const first = Math.floor(now / widths[kind])
    const last = bucketOf(kind, now + ttlMs[kind])
    const names = Array.from({ length: last - first + 1 }, (_, i) => keys.liveTokens(kind, widths[kind], first + i))
    const counts = await redis.mget(names)
    return counts.reduce((sum, n) => sum + Math.max(0, Number(n ?? 0)), 0)
  }

  return { bucketOf, adjust, count }
}
