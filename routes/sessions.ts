import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SessionParams, SessionsReply, SessionRevokedReply } from '../schemas/sessions.js'
import { BearerHeaders } from '../schemas/tokens.js'
import { ErrorRef } from '../schemas/errors.js'
import { NoBodyRef } from '../schemas/no-body.js'
import { errors } from '../lib/errors.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/sessions', {
    onRequest: app.authenticate,
    schema: {
      tags: ['sessions'],
      summary: 'The caller\'s live sessions',
      operationId: 'listSessions',
      headers: BearerHeaders,
      security: [{ bearerAuth: [] }],
      response: { 200: SessionsReply, 401: ErrorRef, 503: ErrorRef }
    }
  }, async (request) => ({ sessions: await app.sessions.list(request.user.sub, request.user.sid) }))

  app.delete('/sessions/:id', {
    onRequest: app.authenticate,
    schema: {
      tags: ['sessions'],
      summary: 'Revoke one of the caller\'s sessions (its access and refresh tokens)',
      operationId: 'revokeSession',
      headers: BearerHeaders,
      params: SessionParams,
      body: NoBodyRef,
      security: [{ bearerAuth: [] }],
      response: { 200: SessionRevokedReply, 400: ErrorRef, 401: ErrorRef, 404: ErrorRef, 503: ErrorRef }
    }
  }, async (request) => {
    if (!await app.sessions.revoke(request.params.id, request.user.sub, 'session_deleted')) throw new errors.SessionNotFound()
    app.countEvent('revoked_by_session_delete')
    return { message: 'Session revoked' as const }
  })
}

export default route
