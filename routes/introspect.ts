import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import formbody from '@fastify/formbody'
import { createHash, timingSafeEqual } from 'node:crypto'
import { IntrospectBody, IntrospectReply, BasicAuthHeaders } from '../schemas/introspection.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'
import { errors } from '../lib/errors.js'
import type { TokenClaimsType } from '../schemas/tokens.js'

const digest = (text: string) => createHash('sha256').update(text).digest()

/** RFC 7662 token introspection for resource servers that cannot reach Redis themselves. */
const route: FastifyPluginAsyncTypebox = async (app) => {
  const { INTROSPECTION_CLIENT_ID: clientId, INTROSPECTION_CLIENT_SECRET: clientSecret } = app.config
  const expected = digest(`${clientId}:${clientSecret}`)
  // Form bodies are accepted by this route only (RFC 7662 sends them).
  await app.register(formbody, { bodyLimit: bodyLimits.tokens })

  function authorize (header: string | undefined) {
    if (clientId === '') throw new errors.IntrospectionDisabled()
    const [scheme, encoded] = (header ?? '').split(' ')
    const presented = scheme?.toLowerCase() === 'basic' && encoded !== undefined
      ? Buffer.from(encoded, 'base64').toString('utf8')
      : ''
    if (!timingSafeEqual(digest(presented), expected)) throw new errors.InvalidClient()
  }

  async function inspect (token: string): Promise<TokenClaimsType | undefined> {
    for (const type of ['access', 'refresh'] as const) {
      try {
        const claims = app.sessions.verify(token, type)
        return await app.sessions.isLive(claims) ? claims : undefined
      } catch (err) {
        if (err instanceof errors.TokenStoreUnavailable) throw err
      }
    }
    return undefined
  }

  app.post('/introspect', {
    bodyLimit: bodyLimits.tokens,
    schema: {
      tags: ['keys'],
      summary: 'RFC 7662 introspection: is this token live? (HTTP Basic client authentication)',
      operationId: 'introspect',
      headers: BasicAuthHeaders,
      body: IntrospectBody,
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      security: [{ basicAuth: [] }],
      response: { 200: IntrospectReply, 400: ErrorRef, 401: ErrorRef, 404: ErrorRef, 503: ErrorRef }
    }
  }, async (request, reply) => {
    authorize(request.headers.authorization)
    reply.header('cache-control', 'no-store')
    const claims = await inspect(request.body.token)
    if (claims === undefined) return { active: false }
    const { sub, sid, jti, type, exp, iat, iss, aud, amr = ['pwd'] } = claims
    return { active: true, sub, sid, jti, token_type: type, exp, iat, iss, aud, amr, aal: claims.aal ?? 'aal1' }
  })
}

export default route
