import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerRoute } from '../schemas/bearer-route.js'
import { SessionParams, SessionsReply, SessionRevokedReply } from '../schemas/sessions.js'
import { ErrorRef } from '../schemas/errors.js'
import { NoBodyRef } from '../schemas/no-body.js'
import { errors } from '../lib/errors.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/sessions', {
    ...bearerRoute(app.authenticate, {
      tags: ['sessions'],
      summary: 'The caller\'s live sessions',
      operationId: 'listSessions',
      response: { 200: SessionsReply }
    })
  }, async (request) => ({ sessions: await app.sessions.list(request.user.sub, request.user.sid) }))

  app.delete('/sessions/:id', {
    ...bearerRoute(app.authenticate, {
      tags: ['sessions'],
      summary: 'Revoke one of the caller\'s sessions (its access and refresh tokens)',
      operationId: 'revokeSession',
      params: SessionParams,
      body: NoBodyRef,
      response: { 200: SessionRevokedReply, 400: ErrorRef, 404: ErrorRef }
    })
  }, async (request) => {
    if (!await app.sessions.revoke(request.params.id, request.user.sub, 'session_deleted')) throw new errors.SessionNotFound()
    app.countEvent('revoked_by_session_delete')
    return { message: 'Session revoked' as const }
  })
}

export default route
