import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RefreshBody, RefreshReply } from '../schemas/tokens.js'
import { bodyLimits } from '../lib/body-limits.js'
import { ErrorRef } from '../schemas/errors.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/refresh', {
    bodyLimit: bodyLimits.tokens,
    preValidation: app.strictRateLimit('refresh', app.config.REFRESH_RATE_LIMIT_MAX),
    schema: {
      tags: ['tokens'],
      summary: 'Rotate a refresh token: consume it and get a new access and refresh token',
      operationId: 'refresh',
      body: RefreshBody,
      response: { 200: RefreshReply, 400: ErrorRef, 401: ErrorRef, 503: ErrorRef }
    }
  }, async (request) => {
    const pair = await app.sessions.rotate(request.body.refresh_token, {
      userAgent: request.headers['user-agent'] ?? '',
      ip: request.ip
    })
    return { ...pair, message: 'Token refreshed successfully' as const }
  })
}

export default route
