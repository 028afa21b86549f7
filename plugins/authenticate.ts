import fp from 'fastify-plugin'
import type { onRequestHookHandler } from 'fastify'
import { errors } from '../lib/errors.js'
import type { TokenClaimsType } from '../schemas/tokens.js'

declare module '@fastify/jwt' {
  interface FastifyJWT {
    /** `iat` is given when a pair must be signable again from its stored claims. */
    payload: Omit<TokenClaimsType, 'iat' | 'iss' | 'aud'> & { iat?: number }
    user: TokenClaimsType
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook for routes that need a live access token; sets `request.user`. */
    authenticate: onRequestHookHandler
    /**
     * onRequest hook for routes that only end sessions (logout): any unexpired access token of a
     * live session of its user will do, also one a concurrent refresh has just replaced, so a
     * client never stays logged in because its logout raced its own refresh.
     */
    authenticateSessionEnd: onRequestHookHandler
  }
}

const BEARER = /^Bearer +(\S+) *$/i

export default fp(async function authenticate (app) {
  /**
   * A callback hook, not an async one: this runs on every protected request, and the Redis
   * check's own promise is the only one it needs.
   */
  const hook = (accepts: (claims: TokenClaimsType) => Promise<boolean>): onRequestHookHandler => function (request, _reply, done) {
    const header = request.headers.authorization
    if (header === undefined || header === '') return done(new errors.MissingToken())
    const token = BEARER.exec(header)?.[1]
    if (token === undefined) return done(new errors.InvalidToken())

    let claims: TokenClaimsType
    try {
      claims = app.sessions.verify(token, 'access')
    } catch (err) {
      return done(err as Error)
    }
    accepts(claims).then(accepted => {
      if (!accepted) return done(new errors.RevokedToken())
      request.user = claims
      done()
    }, done)
  }

  app.decorate('authenticate', hook(app.sessions.isLive))
  app.decorate('authenticateSessionEnd', hook(app.sessions.isOwnSession))
}, { name: 'authenticate', dependencies: ['jwt', 'sessions'] })
