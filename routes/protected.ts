import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerRoute } from '../schemas/bearer-route.js'
import { ProtectedReply } from '../schemas/users.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/protected', {
    ...bearerRoute(app.authenticate, {
      tags: ['protected'],
      summary: 'An endpoint that needs a live access token',
      operationId: 'getProtected',
      response: { 200: ProtectedReply }
    })
  }, async (request) => ({
    message: 'This is a protected endpoint' as const,
    user_id: Number(request.user.sub),
    data: 'Secret data only for authenticated users' as const
  }))
}

export default route
