import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerRoute } from '../schemas/bearer-route.js'
import { LogoutAllReply } from '../schemas/tokens.js'
import { NoBodyRef } from '../schemas/no-body.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/logout/all', {
    ...bearerRoute(app.authenticateSessionEnd, {
      tags: ['tokens'],
      summary: 'Revoke every session of the caller, on every device',
      operationId: 'logoutAll',
      body: NoBodyRef,
      response: { 200: LogoutAllReply }
    })
  }, async (request) => {
    app.countEvent('revoked_by_logout_all', await app.sessions.revokeAll(request.user.sub, 'logout_all'))
    return { message: 'Logged out successfully' as const }
  })
}

export default route
