import fp from 'fastify-plugin'
import { randomBytes } from 'node:crypto'
import { keys } from '../lib/keys.js'
import { errors } from '../lib/errors.js'
import { errorCode } from '../lib/error-code.js'
import type { TokenClaimsType, TokenPairType } from '../schemas/tokens.js'

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
      /** Whether this access token is still the live one of its session. */
      isAccessLive(claims: TokenClaimsType): Promise<boolean>
      /** Revokes a session's access and refresh tokens at once. */
      revoke(sid: string, userId: number | string): Promise<void>
      /** Live access and refresh tokens, counted without scanning the keyspace. */
      countLiveTokens(): Promise<number>
    }
  }
}

const newId = () => randomBytes(16).toString('base64url')

/**
 * The token lifecycle. A session is a Redis hash holding the current refresh token id; its
 * live access token id sits in its own key with the token's lifetime. See lib/*.lua.
 */
export default fp(async function sessions (app) {
  const { redis, jwt, config, log } = app
  const accessTtlMs = config.ACCESS_TOKEN_EXPIRES_MINUTES * 60_000
  const refreshTtlMs = config.REFRESH_TOKEN_EXPIRES_DAYS * 86_400_000
  const sessionMaxMs = config.SESSION_MAX_DAYS * 86_400_000

  /** Any Redis failure becomes a 503: a token is never accepted when its state is unknown. */
  const store = <T>(command: Promise<T>): Promise<T> =>
    command.catch((err: unknown) => { throw new errors.TokenStoreUnavailable({ cause: err }) })

  /** Signs a session's next pair; no token outlives the session's absolute end. */
  function sign (uid: string, sid: string, ids: { access: string, refresh: string }, now: number, sessionEnd: number) {
    const accessExp = Math.min(now + accessTtlMs, sessionEnd)
    const refreshExp = Math.min(now + refreshTtlMs, sessionEnd)
    const sec = (ms: number) => Math.floor(ms / 1000)
    const pair: TokenPairType = {
      access_token: jwt.sign({ sub: uid, sid, jti: ids.access, type: 'access', exp: sec(accessExp) }),
      refresh_token: jwt.sign({ sub: uid, sid, jti: ids.refresh, type: 'refresh', exp: sec(refreshExp) }),
      token_type: 'Bearer',
      expires_in: sec(accessExp - now)
    }
    return { pair, accessExp, refreshExp }
  }

  function track (uid: string, sid: string, accessExp: number, refreshExp: number) {
    return Promise.all([
      redis.zadd(keys.liveAccess, accessExp, sid),
      redis.zadd(keys.liveRefresh, refreshExp, sid),
      redis.sadd(keys.userSessions(uid), sid),
      redis.pexpire(keys.userSessions(uid), sessionMaxMs)
    ])
  }

  function untrack (uid: string, sid: string) {
    return Promise.all([
      redis.zrem(keys.liveAccess, sid),
      redis.zrem(keys.liveRefresh, sid),
      redis.srem(keys.userSessions(uid), sid)
    ])
  }

  function verify (token: string, type: TokenClaimsType['type']): TokenClaimsType {
    let claims: TokenClaimsType
    try {
      claims = jwt.verify<TokenClaimsType>(token)
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
      const ids = { access: newId(), refresh: newId() }
      const now = Date.now()
      const sessionEnd = now + sessionMaxMs
      const { pair, accessExp, refreshExp } = sign(uid, sid, ids, now, sessionEnd)
      await store(Promise.all([
        redis.createSession(keys.session(sid), keys.access(sid), uid, ids.refresh, ids.access,
          accessExp - now, refreshExp - now, now, sessionEnd, client.userAgent, client.ip),
        track(uid, sid, accessExp, refreshExp),
        redis.zremrangebyscore(keys.liveAccess, '-inf', now),
        redis.zremrangebyscore(keys.liveRefresh, '-inf', now)
      ]))
      return pair
    },

    async rotate (refreshToken) {
      const { sid, sub: uid, jti } = verify(refreshToken, 'refresh')
      const ids = { access: newId(), refresh: newId() }
      const now = Date.now()
      const [status, , end] = await store(redis.rotateSession(keys.session(sid), keys.access(sid),
        jti, ids.refresh, ids.access, accessTtlMs, refreshTtlMs, now))

      if (status === 'reused') {
        log.warn({ userId: uid, sessionId: sid }, 'refresh token reused: session revoked')
        await store(untrack(uid, sid))
        throw new errors.RefreshTokenReused()
      }
      if (status !== 'ok') throw new errors.RevokedToken()

      const { pair, accessExp, refreshExp } = sign(uid, sid, ids, now, Number(end))
      await store(track(uid, sid, accessExp, refreshExp))
      return pair
    },

    async isAccessLive (claims) {
      return (await store(redis.get(keys.access(claims.sid)))) === claims.jti
    },

    async revoke (sid, userId) {
      await store(Promise.all([
        redis.del(keys.session(sid), keys.access(sid)),
        untrack(String(userId), sid)
      ]))
    },

    async countLiveTokens () {
      const now = Date.now()
      const [access, refresh] = await store(Promise.all([
        redis.zcount(keys.liveAccess, now, '+inf'),
        redis.zcount(keys.liveRefresh, now, '+inf')
      ]))
      return access + refresh
    }
  })
}, { name: 'sessions', dependencies: ['redis', 'jwt', 'config'] })
