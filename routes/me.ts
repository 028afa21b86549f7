import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Profile } from '../schemas/users.js'
import { BearerHeaders } from '../schemas/tokens.js'
import { ErrorRef } from '../schemas/errors.js'
import { errors } from '../lib/errors.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/me', {
    onRequest: app.authenticate,
    schema: {
      tags: ['users'],
      summary: 'The caller\'s profile',
      operationId: 'getMe',
      headers: BearerHeaders,
      security: [{ bearerAuth: [] }],
      response: { 200: Profile, 401: ErrorRef, 503: ErrorRef }
    }
  }, async (request) => {
    const user = await app.users.findById(Number(request.user.sub))
    if (user === undefined) throw new errors.UserNotFound()
    return { id: user.id, username: user.username, email: user.email, created_at: user.created_at.toISOString() }
  })
}

export default route
