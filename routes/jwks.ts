import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { JwksReply } from '../schemas/jwks.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/.well-known/jwks.json', {
    schema: {
      tags: ['keys'],
      summary: 'Public keys that verify this service\'s tokens (RFC 7517); empty with HS256',
      operationId: 'getJwks',
      response: { 200: JwksReply }
    }
  }, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=300, stale-while-revalidate=60')
    return app.jwtKeys.jwks
  })
}

export default route
