import fp from 'fastify-plugin'
import { randomBytes } from 'node:crypto'
import { keys } from '../lib/keys.js'
import { liveTokens } from '../lib/live-tokens.js'
import { errors } from '../lib/errors.js'
import { errorCode } from '../lib/error-code.js'
import type { EndReason } from '../lib/revocation-feed.js'
import type { TokenClaimsType, TokenPairType } from '../schemas/tokens.js'
import { USER_AGENT_MAX_BYTES, type SessionType } from '../schemas/sessions.js'

export interface ClientInfo { userAgent: string, ip: string }

declare module 'fastify' {
  interface FastifyInstance {
    sessions: {
      /** Checks signature, expiry, issuer, audience and type; throws a 401 error otherwise. */
      verify(token: string, type: TokenClaimsType['type']): TokenClaimsType
      /** Starts a session for a user who just proved their password. */
      create(userId: number, client: ClientInfo): Promise<TokenPairType>
      /** Consumes a refresh token and issues the next pair; reuse of a consumed one revokes the session. */
      rotate(refreshToken: string): Promise<TokenPairType>
      /** Whether this token is still the live one of its type in its session. */
      isLive(claims: TokenClaimsType): Promise<boolean>
      /** The user's live sessions, oldest first. */
      list(userId: number | string, currentSid: string): Promise<SessionType[]>
      /** Revokes one session of a user (its access and refresh tokens at once); false if it is not theirs. */
      revoke(sid: string, userId: number | string, reason: EndReason): Promise<boolean>
      /** Revokes every session of a user, but the one named in `except`. */
      revokeAll(userId: number | string, reason: EndReason, except?: string): Promise<number>
      /** Live access and refresh tokens, counted without scanning the keyspace. */
      countLiveTokens(): Promise<number>
      /** Live sessions (one live refresh token each), counted the same way. */
      countLiveSessions(): Promise<number>
    }
  }
}

// 96 random bits: ids name sessions and tokens; what makes a token valid is its signature.
const newId = () => randomBytes(12).toString('base64url')
const seconds = (ms: number) => Math.floor(ms / 1000)
const isoDate = (ms: string | null) => new Date(Number(ms ?? 0)).toISOString()

interface SignedPair { pair: TokenPairType, ids: { access: string, refresh: string }, accessExp: number, refreshExp: number, buckets: [number, number] }
/** Live-count buckets of a session's access and refresh token, as its scripts return them. */
type Buckets = ReadonlyArray<string | number | null | undefined>

/**
 * The token lifecycle. A session is one Redis hash holding the ids of its live access and
 * refresh tokens; it lives as long as the longer-lived of the two. See lib/*.lua.
 */
export default fp(async function sessions (app) {
  const { redis, jwt, jwtKeys, config, log } = app
  const accessTtlMs = config.ACCESS_TOKEN_EXPIRES_MINUTES * 60_000
  const refreshTtlMs = config.REFRESH_TOKEN_EXPIRES_DAYS * 86_400_000
  const sessionTtlMs = Math.max(accessTtlMs, refreshTtlMs)
  const sessionMaxMs = config.SESSION_MAX_DAYS * 86_400_000
  const reuseIntervalMs = config.REFRESH_REUSE_INTERVAL_SECONDS * 1000
  const live = liveTokens(redis, { access: accessTtlMs, refresh: refreshTtlMs })

  /** Any Redis failure becomes a 503: a token is never accepted when its state is unknown. */
  const unavailable = (err: unknown): never => { throw new errors.TokenStoreUnavailable({ cause: err }) }
  const store = <T>(command: Promise<T>): Promise<T> => command.catch(unavailable)

  /** Signs a session's next pair; no token outlives the session's absolute end. */
  function signPair (uid: string, sid: string, now: number, sessionEnd: number): SignedPair {
    const ids = { access: newId(), refresh: newId() }
    const accessExp = Math.min(now + accessTtlMs, sessionEnd)
    const refreshExp = Math.min(now + refreshTtlMs, sessionEnd)
    const pair: TokenPairType = {
      access_token: jwt.sign({ sub: uid, sid, jti: ids.access, type: 'access', exp: seconds(accessExp) }),
      refresh_token: jwt.sign({ sub: uid, sid, jti: ids.refresh, type: 'refresh', sxp: seconds(sessionEnd), exp: seconds(refreshExp) }),
      token_type: 'Bearer',
      expires_in: seconds(accessExp - now)
    }
    return { pair, ids, accessExp, refreshExp, buckets: [live.bucketOf('access', accessExp), live.bucketOf('refresh', refreshExp)] }
  }

  /**
   * Moves a session's two tokens in the live counts. Best effort: the count only feeds /health, so
   * a failed adjustment (a full Redis refusing INCRBY, an evicted bucket) never fails a request.
   */
  async function count ([access, refresh]: Buckets, delta: 1 | -1) {
    try {
      await Promise.all([live.adjust('access', access ?? null, delta), live.adjust('refresh', refresh ?? null, delta)])
    } catch (err) {
      log.debug({ err }, 'live-token count not adjusted')
    }
  }

  /** The user's session ids that have not reached their absolute end. */
  function sessionsOf (uid: string) {
    return redis.zrangebyscore(keys.userSessions(uid), Date.now(), '+inf')
  }

  async function untrack (uid: string, sids: string[]) {
    if (sids.length > 0) await redis.zrem(keys.userSessions(uid), ...sids)
  }

  /**
   * Ends sessions, announced on the revocation feed first: an end is never missed by a
   * listener; an announced session that then fails to end is only dropped early by listeners.
   */
  async function forget (uid: string, sids: string[], reason: EndReason) {
    await app.revocations.publish(reason, sids.map(sid => ({ sid, sub: uid })))
    await Promise.all([
      ...sids.map(async sid => count(await redis.endSession(keys.session(sid), keys.successor(sid)), -1)),
      untrack(uid, sids)
    ])
  }

  function verify (token: string, type: TokenClaimsType['type']): TokenClaimsType {
    let claims: TokenClaimsType
    try {
      claims = jwtKeys.verify(token) as TokenClaimsType
    } catch (err) {
      throw errorCode(err) === 'FAST_JWT_EXPIRED' ? new errors.ExpiredToken() : new errors.InvalidToken()
    }
    if (claims.type !== type) throw new errors.InvalidToken()
    return claims
  }

  app.decorate('sessions', {
    verify,

    async create (userId, client) {
      const uid = String(userId)
      const sid = newId()
      const now = Date.now()
      const sessionEnd = now + sessionMaxMs
      const { pair, ids, accessExp, refreshExp, buckets } = signPair(uid, sid, now, sessionEnd)
      await store(Promise.all([
        redis.createSession(keys.session(sid), uid, ids.refresh, ids.access,
          Math.max(accessExp, refreshExp) - now, now, sessionEnd, client.userAgent.slice(0, USER_AGENT_MAX_BYTES), client.ip, ...buckets),
        count(buckets, 1),
        // The user's index of sessions, scored by their absolute end, lives as long as the last one.
        redis.zadd(keys.userSessions(uid), sessionEnd, sid),
        redis.pexpire(keys.userSessions(uid), sessionMaxMs),
        redis.zremrangebyscore(keys.userSessions(uid), '-inf', now)
      ]))
      return pair
    },

    async rotate (refreshToken) {
      const { sid, sub: uid, jti, sxp } = verify(refreshToken, 'refresh')
      if (sxp === undefined) throw new errors.InvalidToken()
      const now = Date.now()
      const next = signPair(uid, sid, now, sxp * 1000)
      const stored = JSON.stringify({ ...next.pair, expires_at: next.accessExp })
      const [outcome, , ...rest] = await store(redis.rotateSession(keys.session(sid), keys.successor(sid),
        jti, next.ids.refresh, next.ids.access, sessionTtlMs, now, reuseIntervalMs, stored, ...next.buckets))

      if (outcome === 'rotated') {
        await store(Promise.all([count(rest, -1), count(next.buckets, 1)]))
        app.countEvent('refreshed')
        return next.pair
      }
      if (outcome === 'replayed') {
        const { expires_at: expiresAt, ...pair } = JSON.parse(rest[0]) as TokenPairType & { expires_at: number }
        return { ...pair, expires_in: Math.max(0, seconds(expiresAt - now)) }
      }
      if (outcome === 'reused') {
        log.warn({ userId: uid, sessionId: sid }, 'refresh token reused: session revoked')
        app.countEvent('refresh_reused')
        await store(Promise.all([untrack(uid, [sid]), count(rest, -1), app.revocations.publish('refresh_reused', [{ sid, sub: uid }])]))
        throw new errors.RefreshTokenReused()
      }
      await store(count(rest, -1))
      throw new errors.RevokedToken()
    },

    isLive (claims) {
      // One promise: this runs on every protected request
      return redis.hget(keys.session(claims.sid), claims.type === 'access' ? 'at' : 'rt')
        .then(jti => jti === claims.jti, unavailable)
    },

    async list (userId, currentSid) {
      const uid = String(userId)
      const sids = await store(sessionsOf(uid))
      const rows = await store(Promise.all(sids.map(sid =>
        redis.hmget(keys.session(sid), 'uid', 'created', 'refreshed', 'end', 'ua', 'ip'))))
      const gone = sids.filter((_, i) => rows[i][0] === null)
      if (gone.length > 0) await store(untrack(uid, gone))
      return sids
        .map((sid, i) => ({ sid, row: rows[i] }))
        .filter(({ row }) => row[0] === uid)
        .map(({ sid, row: [, created, refreshed, end, ua, ip] }) => ({
          id: sid,
          created_at: isoDate(created),
          last_refreshed_at: isoDate(refreshed ?? created),
          expires_at: isoDate(end),
          user_agent: ua ?? '',
          ip: ip ?? '',
          current: sid === currentSid
        }))
        .sort((a, b) => a.created_at.localeCompare(b.created_at))
    },

    async revoke (sid, userId, reason) {
      const uid = String(userId)
      if (await store(redis.hget(keys.session(sid), 'uid')) !== uid) return false
      await store(forget(uid, [sid], reason))
      return true
    },

    async revokeAll (userId, reason, except) {
      const uid = String(userId)
      const sids = (await store(sessionsOf(uid))).filter(sid => sid !== except)
      await store(forget(uid, sids, reason))
      return sids.length
    },

    async countLiveTokens () {
      const [access, refresh] = await store(Promise.all([live.count('access'), live.count('refresh')]))
      return access + refresh
    },

    countLiveSessions () {
      return store(live.count('refresh'))
    }
  })
}, { name: 'sessions', dependencies: ['redis', 'jwt', 'config', 'metrics', 'revocations'] })
