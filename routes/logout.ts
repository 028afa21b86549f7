import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BearerHeaders, LogoutReply } from '../schemas/tokens.js'
import { bodyLimits } from '../lib/body-limits.js'
import { ErrorRef } from '../schemas/errors.js'
import { NoBodyRef } from '../schemas/no-body.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/logout', {
    bodyLimit: bodyLimits.credentials,
    onRequest: app.authenticateSessionEnd,
    schema: {
      tags: ['tokens'],
      summary: 'Revoke the session of the access token: its access and refresh tokens stop working at once',
      operationId: 'logout',
      headers: BearerHeaders,
      body: NoBodyRef,
      security: [{ bearerAuth: [] }],
      response: { 200: LogoutReply, 401: ErrorRef, 503: ErrorRef }
    }
  }, async (request) => {
    await app.sessions.revoke(request.user.sid, request.user.sub, 'logout')
    app.countEvent('revoked_by_logout')
    return { message: 'Logged out successfully' as const }
  })
}

export default route
