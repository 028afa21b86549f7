import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

const VERSION = 'd1'

/**
 * OWASP's device cookies, as a token the client keeps: proof that this client logged in to this
 * account before, so that others' failed guesses at the account do not lock it out. The token,
 * `d1.<user id>.<device id>.<expiry, s>.<HMAC-SHA256>` (schemas/tokens.ts), names the account, a
 * random device id and an expiry under an HMAC with `key` (32 bytes); the service stores nothing.
 */
export function deviceTokens (key: Buffer, lifetimeMs: number) {
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url')

  return {
    /** A new token for a client that just logged in to the account. */
    issue (userId: number, now = Date.now()): string {
      const payload = `${VERSION}.${userId}.${randomBytes(12).toString('base64url')}.${Math.floor((now + lifetimeMs) / 1000)}`
      return `${payload}.${mac(payload)}`
    },

    /** The device id of a genuine, unexpired token of this account; undefined for anything else. */
    verify (token: string | undefined, userId: number, now = Date.now()): string | undefined {
      const parts = token?.split('.') ?? []
      if (parts.length !== 5 || parts[0] !== VERSION) return undefined
      const [, uid, device, expiry, given] = parts
      const expected = mac(parts.slice(0, 4).join('.'))
      if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return undefined
      return uid === String(userId) && Number(expiry) * 1000 > now ? device : undefined
    }
  }
}
