import fp from 'fastify-plugin'
import { createHash, randomBytes } from 'node:crypto'
import { defineSessionScripts } from '../lib/sessions/scripts.js'
import { liveCounts, type Buckets } from '../lib/sessions/live-counts.js'
import { sessionStore, type NextPair, type PairClaims } from '../lib/sessions/store.js'
import { errors } from '../lib/errors.js'
import { errorCode } from '../lib/error-code.js'
import type { EndReason } from '../lib/revocation-feed.js'
import type { FastifyInstance } from 'fastify'
import type { TokenClaimsType, TokenKind, TokenPairType, UserId } from '../schemas/tokens.js'
import { USER_AGENT_MAX_BYTES, type SessionType } from '../schemas/sessions.js'

export interface ClientInfo { userAgent: string, ip: string }

/** How the session's user proved who they are (RFC 8176 `amr` values). */
export type Amr = string[]
const PASSWORD_ONLY: Amr = ['pwd']
/** NIST SP 800-63B: a password alone is AAL1, with a second factor AAL2. */
const aalOf = (amr: Amr) => amr.includes('otp') ? 'aal2' as const : 'aal1' as const

/** What the refresh token carries on to each next pair (signed, so a client cannot change it). */
interface Carried { emailVerified: boolean, amr: Amr }

declare module 'fastify' {
  interface FastifyInstance {
    sessions: ReturnType<typeof createSessions>
  }
}

// 96 random bits: ids name sessions and tokens; what makes a token valid is its signature.
const newId = () => randomBytes(12).toString('base64url')
const seconds = (ms: number) => Math.floor(ms / 1000)
const isoDate = (ms: number) => new Date(ms).toISOString()
// A login reads the epoch and is admitted within one request: a day is far longer than any takes.
const CREDENTIAL_EPOCH_TTL_MS = 86_400_000

/** Who asked, reduced to what a replay is compared with: its address and its whole user agent. */
const digestOf = (client: ClientInfo) => createHash('sha256').update(`${client.ip}\n${client.userAgent}`).digest('base64url')

/**
 * The token lifecycle's policy: lifetimes, signing, reuse detection, what ends a session, and a
 * 503 whenever Redis fails. A session is one Redis hash holding the ids of its live access and
 * refresh tokens; it lives as long as the longer-lived of the two. The mechanics (key names,
 * scripts, counts) are in lib/sessions/.
 */
function createSessions (app: FastifyInstance) {
  const { redis, jwt, jwtKeys, config, log } = app
  const accessTtlMs = config.ACCESS_TOKEN_EXPIRES_MINUTES * 60_000
  const refreshTtlMs = config.REFRESH_TOKEN_EXPIRES_DAYS * 86_400_000
  const sessionTtlMs = Math.max(accessTtlMs, refreshTtlMs)
  const sessionMaxMs = config.SESSION_MAX_DAYS * 86_400_000
  const reuseIntervalMs = config.REFRESH_REUSE_INTERVAL_SECONDS * 1000
  defineSessionScripts(redis)
  const live = liveCounts(redis, { access: accessTtlMs, refresh: refreshTtlMs })
  const state = sessionStore(redis)

  /** Any Redis failure becomes a 503: a token is never accepted when its state is unknown. */
  const unavailable = (err: unknown): never => { throw new errors.TokenStoreUnavailable({ cause: err }) }
  const store = <T>(command: Promise<T>): Promise<T> => command.catch(unavailable)

  /** A session's next pair; no token outlives the session's absolute end. */
  function nextPair (now: number, sessionEnd: number): NextPair {
    const claims: PairClaims = {
      accessJti: newId(),
      refreshJti: newId(),
      iat: seconds(now),
      accessExp: seconds(Math.min(now + accessTtlMs, sessionEnd)),
      refreshExp: seconds(Math.min(now + refreshTtlMs, sessionEnd))
    }
    return { claims, buckets: live.bucketsOf(claims) }
  }

  /**
   * Signs a pair from its claims: the same claims give the same pair again (see PairClaims).
   * `email_verified` is as of the login, `amr` and `aal` as of the login or the last step-up; the
   * refresh token carries them on to the next pairs.
   */
  function sign (uid: UserId, sid: string, sessionEnd: number, claims: PairClaims, now: number, carried: Carried): TokenPairType {
    const { iat } = claims
    const shared = { email_verified: carried.emailVerified, amr: carried.amr, aal: aalOf(carried.amr) }
    return {
      access_token: jwt.sign({ sub: uid, sid, jti: claims.accessJti, type: 'access', ...shared, iat, exp: claims.accessExp }),
      refresh_token: jwt.sign({ sub: uid, sid, jti: claims.refreshJti, type: 'refresh', sxp: seconds(sessionEnd), ...shared, iat, exp: claims.refreshExp }),
      token_type: 'Bearer',
      expires_in: Math.max(0, claims.accessExp - seconds(now))
    }
  }

  /**
   * Moves a session's two tokens in the live counts. Best effort: the count only feeds /health, so
   * a failed adjustment (a full Redis refusing INCRBY, an evicted bucket) never fails a request.
   */
  async function count (buckets: Buckets, delta: 1 | -1) {
    try {
      await live.move(buckets, delta)
    } catch (err) {
      log.debug({ err }, 'live-token count not adjusted')
    }
  }

  /**
   * Announces session ends on the revocation feed. A Redis that refuses the write (full, under
   * noeviction) must not keep a session alive: the end goes ahead, and the missed announcement
   * is logged as an error instead.
   */
  function announce (reason: EndReason, uid: UserId, sids: string[]) {
    return app.revocations.publish(reason, sids.map(sid => ({ sid, sub: uid }))).catch((err: unknown) => {
      log.error({ err, reason, userId: uid, sessions: sids.length }, 'session end not published on the revocation feed')
    })
  }

  /**
   * Ends sessions, announced on the revocation feed first: an end is never missed by a
   * listener; an announced session that then fails to end is only dropped early by listeners.
   */
  async function forget (uid: UserId, sids: string[], reason: EndReason) {
    await announce(reason, uid, sids)
    await Promise.all([
      ...sids.map(async sid => count(await state.remove(sid), -1)),
      state.untrack(uid, sids)
    ])
  }

  /** Checks signature, expiry, issuer, audience and type; throws a 401 error otherwise. */
  function verify (token: string, type: TokenKind): TokenClaimsType {
    let claims: TokenClaimsType
    try {
      claims = jwtKeys.verify(token) as TokenClaimsType
    } catch (err) {
      throw errorCode(err) === 'FAST_JWT_EXPIRED' ? new errors.ExpiredToken() : new errors.InvalidToken()
    }
    if (claims.type !== type) throw new errors.InvalidToken()
    return claims
  }

  /** A new pair for a live session of `uid`, its previous tokens forgotten (reissue-session.lua). */
  async function reissue (uid: UserId, sid: string, carried: Carried): Promise<TokenPairType> {
    const sessionEnd = await store(state.endOf(sid))
    if (sessionEnd === undefined) throw new errors.RevokedToken()
    const now = Date.now()
    const next = nextPair(now, sessionEnd)
    const reissued = await store(state.reissue({ sid, uid, next, hashTtlMs: sessionTtlMs, now }))
    if (reissued.outcome === 'missing') throw new errors.RevokedToken()
    await store(Promise.all([count(reissued.previousBuckets, -1), count(next.buckets, 1)]))
    return sign(uid, sid, sessionEnd, next.claims, now, carried)
  }

  return {
    verify,

    /**
     * Starts a session for a user who just proved their password, as read with its credential
     * epoch; a 401 when a password change has raised the epoch since (no session is left).
     */
    async create (user: { userId: UserId, credentialEpoch: number, emailVerified: boolean }, client: ClientInfo, amr: Amr = PASSWORD_ONLY): Promise<TokenPairType> {
      const uid = user.userId
      const sid = newId()
      const now = Date.now()
      const sessionEnd = now + sessionMaxMs
      const next = nextPair(now, sessionEnd)
      await store(Promise.all([
        state.create({
          sid, uid, next, hashTtlMs: Math.min(sessionTtlMs, sessionMaxMs), now, sessionEnd, userAgent: client.userAgent.slice(0, USER_AGENT_MAX_BYTES), ip: client.ip
        }),
        count(next.buckets, 1)
      ]))
      // Only once the session exists: a password change that lists the user's sessions after this
      // admission finds it and revokes it (lib/admit-session.lua).
      const admitted = await store(state.admit({ uid, sid, credentialEpoch: user.credentialEpoch, sessionEnd, now, indexTtlMs: sessionMaxMs }))
      if (!admitted) {
        await store(forget(uid, [sid], 'password_change'))
        throw new errors.InvalidCredentials()
      }
      return sign(uid, sid, sessionEnd, next.claims, now, { emailVerified: user.emailVerified, amr })
    },

    /**
     * After a password change: no login that read an older epoch gets a session, every other
     * session of the user ends, and the current one gets a new pair (its old tokens die).
     */
    async passwordChanged ({ userId: uid, credentialEpoch, currentSid, emailVerified, amr }: { userId: UserId, credentialEpoch: number, currentSid: string, emailVerified: boolean, amr: Amr | undefined }) {
      // First the epoch, then the list: a racing login is either refused or listed (see create)
      await store(state.raiseCredentialEpoch({ uid, credentialEpoch, ttlMs: CREDENTIAL_EPOCH_TTL_MS }))
      const others = (await store(state.sessionsOf(uid, Date.now()))).filter(sid => sid !== currentSid)
      await store(forget(uid, others, 'password_change'))

      // The current session (ended meanwhile: a 401, the password is changed all the same)
      return { pair: await reissue(uid, currentSid, { emailVerified, amr: amr ?? PASSWORD_ONLY }), revoked: others.length }
    },

    /**
     * The session proved a second factor: it gets a new pair with `amr` ["pwd","otp"] and `aal2`
     * (its previous tokens die), which every later rotation keeps.
     */
    stepUp ({ sid, userId, emailVerified }: { sid: string, userId: UserId, emailVerified: boolean }): Promise<TokenPairType> {
      return reissue(userId, sid, { emailVerified, amr: ['pwd', 'otp'] })
    },

    /**
     * After a password reset or an account deletion: no login that read an older epoch gets a
     * session, and every session of the user ends, announced with `reason`.
     */
    async credentialsReplaced ({ userId: uid, credentialEpoch, reason }: { userId: UserId, credentialEpoch: number, reason: EndReason }): Promise<number> {
      // First the epoch, then the list: a racing login is either refused or listed (see create)
      await store(state.raiseCredentialEpoch({ uid, credentialEpoch, ttlMs: CREDENTIAL_EPOCH_TTL_MS }))
      const sids = await store(state.sessionsOf(uid, Date.now()))
      await store(forget(uid, sids, reason))
      return sids.length
    },

    /**
     * Consumes a refresh token and issues the next pair; reuse of a consumed one revokes the
     * session, and so does a replay within the reuse interval from another client than `client`.
     */
    async rotate (refreshToken: string, client: ClientInfo): Promise<TokenPairType> {
      const { sid, sub: uid, jti, sxp, email_verified: emailVerified = false, amr = PASSWORD_ONLY } = verify(refreshToken, 'refresh')
      const carried = { emailVerified, amr }
      if (sxp === undefined) throw new errors.InvalidToken()
      const now = Date.now()
      const sessionEnd = sxp * 1000
      const next = nextPair(now, sessionEnd)
      const rotation = await store(state.rotate({
        sid, uid, presentedJti: jti, next, hashTtlMs: sessionTtlMs, now, reuseIntervalMs, clientDigest: digestOf(client)
      }))

      switch (rotation.outcome) {
        case 'rotated':
          await store(Promise.all([count(rotation.previousBuckets, -1), count(next.buckets, 1)]))
          app.countEvent('refreshed')
          return sign(uid, sid, sessionEnd, next.claims, now, carried)
        case 'replayed':
          return sign(uid, sid, sessionEnd, rotation.successor, now, carried)
        case 'reused':
          log.warn({ userId: uid, sessionId: sid }, 'refresh token reused: session revoked')
          app.countEvent('refresh_reused')
          await store(Promise.all([state.untrack(uid, [sid]), count(rotation.buckets, -1), announce('refresh_reused', uid, [sid])]))
          throw new errors.RefreshTokenReused()
        case 'ended':
          await store(count(rotation.buckets, -1))
          throw new errors.RevokedToken()
        case 'mismatch':
          throw new errors.InvalidToken()
        case 'missing':
          throw new errors.RevokedToken()
      }
    },

    /** Whether this token is still the live one of its type in its session. */
    isLive (claims: TokenClaimsType): Promise<boolean> {
      // One command: this runs on every protected request.
      return state.holds({ sid: claims.sid, uid: claims.sub, kind: claims.type, jti: claims.jti }).catch(unavailable)
    },

    /**
     * Whether the token's session is live and its user's, whichever of the session's tokens is
     * current: enough to end the session, so a logout never loses to a refresh of its own session.
     */
    isOwnSession (claims: TokenClaimsType): Promise<boolean> {
      return state.owner(claims.sid).then(uid => uid === claims.sub, unavailable)
    },

    /** The user's live sessions, oldest first. */
    async list (uid: UserId, currentSid: string): Promise<SessionType[]> {
      const sids = await store(state.sessionsOf(uid, Date.now()))
      const stored = await store(state.read(sids))
      const gone = sids.filter((_, i) => stored[i] === undefined)
      if (gone.length > 0) await store(state.untrack(uid, gone))
      const listed = sids.flatMap((sid, i) => {
        const session = stored[i]
        if (session?.uid !== uid) return []
        return [{
          id: sid,
          created_at: isoDate(session.created),
          last_refreshed_at: isoDate(session.refreshed),
          expires_at: isoDate(session.end),
          user_agent: session.userAgent,
          ip: session.ip,
          current: sid === currentSid
        }]
      })
      return listed.sort((a, b) => a.created_at.localeCompare(b.created_at))
    },

    /** Revokes one session of a user (its access and refresh tokens at once); false if it is not theirs. */
    async revoke (sid: string, uid: UserId, reason: EndReason): Promise<boolean> {
      if (await store(state.owner(sid)) !== uid) return false
      await store(forget(uid, [sid], reason))
      return true
    },

    /** Revokes every session of a user; how many there were. */
    async revokeAll (uid: UserId, reason: EndReason): Promise<number> {
      const sids = await store(state.sessionsOf(uid, Date.now()))
      await store(forget(uid, sids, reason))
      return sids.length
    },

    /** Live access and refresh tokens, counted without scanning the keyspace. */
    async countLiveTokens (): Promise<number> {
      const [access, refresh] = await store(Promise.all([live.count('access'), live.count('refresh')]))
      return access + refresh
    },

    /** Live sessions (one live refresh token each), counted the same way. */
    countLiveSessions (): Promise<number> {
      return store(live.count('refresh'))
    }
  }
}

export default fp(async function sessions (app) {
  app.decorate('sessions', createSessions(app))
}, { name: 'sessions', dependencies: ['redis', 'jwt', 'config', 'metrics', 'revocations'] })
