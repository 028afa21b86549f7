import type { Redis } from 'ioredis'
import { createHash, randomBytes } from 'node:crypto'

/** How long the second step of a login may wait for its code. */
export const CHALLENGE_TTL_SECONDS = 300
/** Wrong codes one challenge takes before it is dropped (the per-account limit counts them too). */
export const CHALLENGE_MAX_FAILURES = 5

export interface Challenge {
  userId: number
  /** The credential epoch the password check read (sessions.create refuses an older one). */
  credentialEpoch: number
  /** Digest of the first step's client (IP and user agent): another client cannot use the token. */
  client: string
  /** The device id of a valid device token of the first step, if any: its own login limit applies. */
  device: string | undefined
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url')
/** Only a digest of the token is a key: Redis and its backups hold no usable mfa_token. */
const keyOf = (token: string) => `mfa:login:${digest(token)}`

/**
 * The `mfa_token` between the two steps of a login: random, stored hashed in Redis, short-lived,
 * single-use (consumed by the step that issues the tokens).
 */
export function loginChallenges (redis: Pick<Redis, 'multi' | 'hgetall' | 'del'>) {
  return {
    async issue (challenge: Challenge): Promise<string> {
      const token = randomBytes(32).toString('base64url')
      const fields: Record<string, string | number> = { uid: challenge.userId, epoch: challenge.credentialEpoch, client: challenge.client, failures: 0 }
      if (challenge.device !== undefined) fields.device = challenge.device
      await redis.multi().hset(keyOf(token), fields).expire(keyOf(token), CHALLENGE_TTL_SECONDS).exec()
      return token
    },

    async read (token: string): Promise<Challenge | undefined> {
      const fields = await redis.hgetall(keyOf(token))
      if (fields.uid === undefined || fields.client === undefined) return undefined
      return { userId: Number(fields.uid), credentialEpoch: Number(fields.epoch), client: fields.client, device: fields.device }
    },

    /** Counts a wrong code; the challenge is dropped at CHALLENGE_MAX_FAILURES. */
    async fail (token: string): Promise<void> {
      const key = keyOf(token)
      const replies = await redis.multi().hincrby(key, 'failures', 1).ttl(key).exec()
      const failures = Number(replies?.[0]?.[1])
      // No TTL: the challenge expired just before, and the count made a new key; it goes too
      if (failures >= CHALLENGE_MAX_FAILURES || Number(replies?.[1]?.[1]) < 0) await redis.del(key)
    },

    /** Takes the challenge for good; false when another request (or its expiry) took it first. */
    async consume (token: string): Promise<boolean> {
      return await redis.del(keyOf(token)) === 1
    }
  }
}

/** Who asked, reduced to what the second step is compared with: its address and its whole user agent. */
export const clientDigest = (client: { ip: string, userAgent: string }) =>
  createHash('sha256').update(`${client.ip}\n${client.userAgent}`).digest('base64url')
