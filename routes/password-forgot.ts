import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ForgotPasswordBody, ForgotPasswordReply } from '../schemas/accounts.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'
import { canonicalFields } from '../lib/canonical.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app
  const addressLimit = app.keyedRateLimit('forgot-email', config.ACCOUNT_MAIL_RATE_LIMIT_MAX)
  app.post('/password/forgot', {
    bodyLimit: bodyLimits.credentials,
    preValidation: [app.strictRateLimit('forgot-ip', config.PASSWORD_FORGOT_RATE_LIMIT_IP_MAX), canonicalFields('email')],
    schema: {
      tags: ['accounts'],
      summary: 'Mail a single-use password reset link, if an account has this address (same answer either way)',
      operationId: 'forgotPassword',
      body: ForgotPasswordBody,
      response: { 202: ForgotPasswordReply, 400: ErrorRef, 503: ErrorRef }
    }
  }, async (request, reply) => {
    // Counted per address whether or not it is an account's: the limit tells nothing either
    await addressLimit(request, reply, request.body.email)
    await app.accounts.forgotPassword(request.body.email, request.headers['accept-language'])
    return reply.code(202).send({ message: 'If an account has this address, a reset link is on its way' })
  })
}

export default route
