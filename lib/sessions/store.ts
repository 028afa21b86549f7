import type { Redis } from 'ioredis'
import { redisKeys } from './redis-keys.js'
import type { Buckets } from './live-counts.js'
import type { TokenKind, UserId } from '../../schemas/tokens.js'

/**
 * What a pair of tokens is signed from: ids and times, never a signature. Signing the same
 * claims again gives the same strings with HS256, EdDSA and RS256 (ES256 signatures are
 * randomised: the strings differ, the claims and so the validity do not).
 */
export interface PairClaims {
  accessJti: string
  refreshJti: string
  /** Seconds, shared by both tokens. */
  iat: number
  accessExp: number
  refreshExp: number
}

/** A session's next pair: the claims it is signed from and the live-count buckets of its tokens. */
export interface NextPair { claims: PairClaims, buckets: Record<TokenKind, number> }

export type Rotation =
  | { outcome: 'rotated', previousBuckets: Buckets }
  | { outcome: 'replayed', successor: PairClaims }
  | { outcome: 'reused', buckets: Buckets }
  | { outcome: 'ended', buckets: Buckets }
  | { outcome: 'mismatch' }
  | { outcome: 'missing' }

export type Reissue =
  | { outcome: 'reissued', previousBuckets: Buckets }
  | { outcome: 'missing' }

/** A live session as stored: times in ms. */
export interface StoredSession {
  uid: UserId
  created: number
  refreshed: number
  end: number
  userAgent: string
  ip: string
}

type SessionRedis = Pick<Redis, 'createSession' | 'rotateSession' | 'endSession' | 'admitSession' |
'raiseCredentialEpoch' | 'reissueSession' | 'hget' | 'hmget' | 'zrangebyscore' | 'zrem'>

const bucket = (value: string | null | undefined) => value === null || value === undefined ? null : Number(value)
/** The live-count buckets the scripts answer after their outcome (access, then refresh). */
const bucketsAfterOutcome = (reply: Array<string | null>): Buckets => ({ access: bucket(reply[1]), refresh: bucket(reply[2]) })

/**
 * The session engine's one door to Redis: every key name (redis-keys.ts) and every script
 * (scripts.ts, *.lua) is used here and nowhere else, called with named arguments and answered
 * with one typed result per outcome.
 */
export function sessionStore (redis: SessionRedis) {
  return {
    /** Writes a new session's hash (create-session.lua); it is listed for its user by `admit`. */
    async create (args: { sid: string, uid: UserId, next: NextPair, hashTtlMs: number, now: number, sessionEnd: number, userAgent: string, ip: string }): Promise<void> {
      const { claims, buckets } = args.next
      await redis.createSession(redisKeys.session(args.sid), args.uid, claims.refreshJti, claims.accessJti,
        args.hashTtlMs, args.now, args.sessionEnd, args.userAgent, args.ip, buckets.access, buckets.refresh)
    },

    /**
     * Lists a just-created session among its user's, unless the user's credential epoch has
     * passed `credentialEpoch` (admit-session.lua); false when it has.
     */
    async admit (args: { uid: UserId, sid: string, credentialEpoch: number, sessionEnd: number, now: number, indexTtlMs: number }): Promise<boolean> {
      const { uid } = args
      return await redis.admitSession(redisKeys.userSessions(uid), redisKeys.credentialEpoch(uid),
        args.credentialEpoch, args.sid, args.sessionEnd, args.now, args.indexTtlMs) === 1
    },

    /** Raises the user's credential epoch, so no login that read an older one is admitted. */
    async raiseCredentialEpoch (args: { uid: UserId, credentialEpoch: number, ttlMs: number }): Promise<void> {
      await redis.raiseCredentialEpoch(redisKeys.credentialEpoch(args.uid), args.credentialEpoch, args.ttlMs)
    },

    /** Consumes `presentedJti` of session `sid` and moves the session to `next` (rotate-session.lua). */
    async rotate (args: {
      sid: string
      uid: UserId
      presentedJti: string
      next: NextPair
      hashTtlMs: number
      now: number
      reuseIntervalMs: number
      clientDigest: string
    }): Promise<Rotation> {
      const { sid } = args
      const { claims, buckets } = args.next
      const reply = await redis.rotateSession(redisKeys.session(sid), redisKeys.successor(sid),
        args.presentedJti, args.uid, claims.refreshJti, claims.accessJti, args.hashTtlMs, args.now, args.reuseIntervalMs,
        args.clientDigest, buckets.access, buckets.refresh, claims.iat, claims.accessExp, claims.refreshExp)
      const outcome = reply[0]
      switch (outcome) {
        case 'rotated': return { outcome, previousBuckets: bucketsAfterOutcome(reply) }
        case 'reused': return { outcome, buckets: bucketsAfterOutcome(reply) }
        case 'ended': return { outcome, buckets: bucketsAfterOutcome(reply) }
        case 'mismatch': return { outcome }
        case 'replayed': return {
          outcome,
          successor: {
            accessJti: reply[1] ?? '',
            refreshJti: reply[2] ?? '',
            iat: Number(reply[3]),
            accessExp: Number(reply[4]),
            refreshExp: Number(reply[5])
          }
        }
        default: return { outcome: 'missing' }
      }
    },

    /** Moves session `sid` of user `uid` to `next` with no token presented (reissue-session.lua). */
    async reissue (args: { sid: string, uid: UserId, next: NextPair, hashTtlMs: number, now: number }): Promise<Reissue> {
      const { sid } = args
      const { claims, buckets } = args.next
      const reply = await redis.reissueSession(redisKeys.session(sid), redisKeys.successor(sid),
        args.uid, claims.refreshJti, claims.accessJti, args.hashTtlMs, args.now, buckets.access, buckets.refresh)
      return reply[0] === 'reissued' ? { outcome: 'reissued', previousBuckets: bucketsAfterOutcome(reply) } : { outcome: 'missing' }
    },

    /** Deletes a session with its successor pair (end-session.lua): the buckets of its two tokens. */
    async remove (sid: string): Promise<Buckets> {
      const [access, refresh] = await redis.endSession(redisKeys.session(sid), redisKeys.successor(sid))
      return { access: bucket(access), refresh: bucket(refresh) }
    },

    /** The absolute end (ms) of a live session, or undefined when there is none. */
    async endOf (sid: string): Promise<number | undefined> {
      const end = await redis.hget(redisKeys.session(sid), 'end')
      return end === null ? undefined : Number(end)
    },

    /** The user a live session belongs to, whichever of its tokens is current. */
    owner (sid: string): Promise<string | null> {
      return redis.hget(redisKeys.session(sid), 'uid')
    },

    /**
     * Whether `jti` is the live token of its kind in session `sid` of user `uid`: one HMGET, read
     * with the session's user, so a token whose `sub` is not the session's user never passes.
     */
    holds (token: { sid: string, uid: UserId, kind: TokenKind, jti: string }): Promise<boolean> {
      return redis.hmget(redisKeys.session(token.sid), 'uid', token.kind === 'access' ? 'at' : 'rt')
        .then(([uid, jti]) => uid === token.uid && jti === token.jti)
    },

    /** The stored sessions `sids`, in order; undefined where one has ended. */
    async read (sids: string[]): Promise<Array<StoredSession | undefined>> {
      const rows = await Promise.all(sids.map(sid => redis.hmget(redisKeys.session(sid), 'uid', 'created', 'refreshed', 'end', 'ua', 'ip')))
      return rows.map(([uid, created, refreshed, end, ua, ip]) => uid === null
        ? undefined
        : {
            uid,
            created: Number(created ?? 0),
            refreshed: Number(refreshed ?? created ?? 0),
            end: Number(end ?? 0),
            userAgent: ua ?? '',
            ip: ip ?? ''
          })
    },

    /** The user's session ids that have not reached their absolute end at `now`. */
    sessionsOf (uid: UserId, now: number): Promise<string[]> {
      return redis.zrangebyscore(redisKeys.userSessions(uid), now, '+inf')
    },

    /** Takes sessions off their user's list. */
    async untrack (uid: UserId, sids: string[]): Promise<void> {
      if (sids.length > 0) await redis.zrem(redisKeys.userSessions(uid), ...sids)
    }
  }
}
