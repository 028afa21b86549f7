import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BearerHeaders, LogoutAllReply } from '../schemas/tokens.js'
import { ErrorRef } from '../schemas/errors.js'
import { NoBodyRef } from '../schemas/no-body.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/logout/all', {
    onRequest: app.authenticateSessionEnd,
    schema: {
      tags: ['tokens'],
      summary: 'Revoke every session of the caller, on every device',
      operationId: 'logoutAll',
      headers: BearerHeaders,
      body: NoBodyRef,
      security: [{ bearerAuth: [] }],
      response: { 200: LogoutAllReply, 401: ErrorRef, 503: ErrorRef }
    }
  }, async (request) => {
    app.countEvent('revoked_by_logout_all', await app.sessions.revokeAll(request.user.sub, 'logout_all'))
    return { message: 'Logged out successfully' as const }
  })
}

export default route
