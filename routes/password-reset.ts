import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ResetPasswordBody, ResetPasswordReply } from '../schemas/accounts.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/password/reset', {
    bodyLimit: bodyLimits.credentials,
    preValidation: app.strictRateLimit('reset-ip', app.config.PASSWORD_FORGOT_RATE_LIMIT_IP_MAX),
    schema: {
      tags: ['accounts'],
      summary: 'Set a new password with the token of a reset link: every session of the account ends',
      operationId: 'resetPassword',
      body: ResetPasswordBody,
      response: { 200: ResetPasswordReply, 400: ErrorRef, 503: ErrorRef }
    }
  }, async (request) => {
    const revoked = await app.accounts.resetPassword(request.body.token, request.body.new_password.normalize('NFC'))
    app.countEvent('revoked_by_password_reset', revoked)
    return { message: 'Password has been reset; every session was logged out' as const }
  })
}

export default route
