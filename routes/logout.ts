import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerRoute } from '../schemas/bearer-route.js'
import { LogoutReply } from '../schemas/tokens.js'
import { bodyLimits } from '../lib/body-limits.js'
import { NoBodyRef } from '../schemas/no-body.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/logout', {
    bodyLimit: bodyLimits.credentials,
    ...bearerRoute(app.authenticateSessionEnd, {
      tags: ['tokens'],
      summary: 'Revoke the session of the access token: its access and refresh tokens stop working at once',
      operationId: 'logout',
      body: NoBodyRef,
      response: { 200: LogoutReply }
    })
  }, async (request) => {
    await app.sessions.revoke(request.user.sid, request.user.sub, 'logout')
    app.countEvent('revoked_by_logout')
    return { message: 'Logged out successfully' as const }
  })
}

export default route
