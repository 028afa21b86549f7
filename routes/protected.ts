import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ProtectedReply } from '../schemas/users.js'
import { BearerHeaders } from '../schemas/tokens.js'
import { ErrorRef } from '../schemas/errors.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/protected', {
    onRequest: app.authenticate,
    schema: {
      tags: ['protected'],
      summary: 'An endpoint that needs a live access token',
      operationId: 'getProtected',
      headers: BearerHeaders,
      security: [{ bearerAuth: [] }],
      response: { 200: ProtectedReply, 401: ErrorRef, 503: ErrorRef }
    }
  }, async (request) => ({
    message: 'This is a protected endpoint' as const,
    user_id: Number(request.user.sub),
    data: 'Secret data only for authenticated users' as const
  }))
}

export default route
