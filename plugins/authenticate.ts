import fp from 'fastify-plugin'
import type { onRequestAsyncHookHandler } from 'fastify'
import { errors } from '../lib/errors.js'
import type { TokenClaimsType } from '../schemas/tokens.js'

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: Omit<TokenClaimsType, 'iat' | 'iss' | 'aud'>
    user: TokenClaimsType
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook for routes that need a live access token; sets `request.user`. */
    authenticate: onRequestAsyncHookHandler
  }
}

const BEARER = /^Bearer +(\S+) *$/i

export default fp(async function authenticate (app) {
  app.decorate('authenticate', async function (request) {
    const header = request.headers.authorization
    if (header === undefined || header === '') throw new errors.MissingToken()
    const token = BEARER.exec(header)?.[1]
    if (token === undefined) throw new errors.InvalidToken()

    const claims = app.sessions.verify(token, 'access')
    if (!await app.sessions.isLive(claims)) throw new errors.RevokedToken()
    request.user = claims
  })
}, { name: 'authenticate', dependencies: ['jwt', 'sessions'] })
