import type { Redis } from 'ioredis'
import { keys } from './keys.js'

/** Live-count buckets of a session's access and refresh token, as its scripts return them. */
export type Buckets = ReadonlyArray<string | number | null | undefined>

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

type ScriptReply = Array<string | null>

/** Typed doors to the session scripts (lib/*.lua); key names come from lib/keys.ts. */
export function sessionStore (redis: Pick<Redis, 'rotateSession' | 'admitSession' | 'raiseCredentialEpoch' | 'reissueSession' | 'hget'>) {
  return {
    /** Consumes `presentedJti` of session `sid` and moves the session to `next` (rotate-session.lua). */
    async rotate (args: {
      sid: string
      uid: string
      presentedJti: string
      next: PairClaims
      nextBuckets: readonly [number, number]
      hashTtlMs: number
      now: number
      reuseIntervalMs: number
      clientDigest: string
    }): Promise<Rotation> {
      const { sid, next } = args
      const [outcome, ...rest]: ScriptReply = await redis.rotateSession(keys.session(sid), keys.successor(sid),
        args.presentedJti, args.uid, next.refreshJti, next.accessJti, args.hashTtlMs, args.now, args.reuseIntervalMs,
        args.clientDigest, ...args.nextBuckets, next.iat, next.accessExp, next.refreshExp)
      switch (outcome) {
        case 'rotated': return { outcome, previousBuckets: rest }
        case 'reused': return { outcome, buckets: rest }
        case 'ended': return { outcome, buckets: rest }
        case 'mismatch': return { outcome }
        case 'replayed': {
          const [accessJti, refreshJti, iat, accessExp, refreshExp] = rest
          return { outcome, successor: { accessJti: accessJti ?? '', refreshJti: refreshJti ?? '', iat: Number(iat), accessExp: Number(accessExp), refreshExp: Number(refreshExp) } }
        }
        default: return { outcome: 'missing' }
      }
    },

    /**
     * Lists a just-created session among its user's, unless the user's credential epoch has
     * passed `credentialEpoch` (admit-session.lua); false when it has.
     */
    async admit (args: { uid: string, sid: string, credentialEpoch: number, sessionEnd: number, now: number, indexTtlMs: number }): Promise<boolean> {
      const { uid } = args
      return await redis.admitSession(keys.userSessions(uid), keys.credentialEpoch(uid),
        args.credentialEpoch, args.sid, args.sessionEnd, args.now, args.indexTtlMs) === 1
    },

    /** Raises the user's credential epoch, so no login that read an older one is admitted. */
    async raiseCredentialEpoch (args: { uid: string, credentialEpoch: number, ttlMs: number }): Promise<void> {
      await redis.raiseCredentialEpoch(keys.credentialEpoch(args.uid), args.credentialEpoch, args.ttlMs)
    },

    /** Moves session `sid` of user `uid` to `next` with no token presented (reissue-session.lua). */
    async reissue (args: { sid: string, uid: string, next: PairClaims, nextBuckets: readonly [number, number], hashTtlMs: number, now: number }): Promise<Reissue> {
      const { sid, next } = args
      const [outcome, ...rest]: ScriptReply = await redis.reissueSession(keys.session(sid), keys.successor(sid),
        args.uid, next.refreshJti, next.accessJti, args.hashTtlMs, args.now, ...args.nextBuckets)
      return outcome === 'reissued' ? { outcome, previousBuckets: rest } : { outcome: 'missing' }
    },

    /** The absolute end (ms) of a live session, or undefined when there is none. */
    async end (sid: string): Promise<number | undefined> {
      const end = await redis.hget(keys.session(sid), 'end')
      return end === null ? undefined : Number(end)
    },

    /** The user a live session belongs to, whichever of its tokens is current. */
    owner (sid: string): Promise<string | null> {
      return redis.hget(keys.session(sid), 'uid')
    }
  }
}
