import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { VerifyEmailBody, VerifyEmailReply } from '../schemas/accounts.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/email/verify', {
    bodyLimit: bodyLimits.credentials,
    preValidation: app.strictRateLimit('verify-ip', app.config.PASSWORD_FORGOT_RATE_LIMIT_IP_MAX),
    schema: {
      tags: ['accounts'],
      summary: 'Prove an address with the token of a verification link (a new address then replaces the old one)',
      operationId: 'verifyEmail',
      body: VerifyEmailBody,
      response: { 200: VerifyEmailReply, 400: ErrorRef, 409: ErrorRef, 503: ErrorRef }
    }
  }, async (request) => {
    const { email } = await app.accounts.verifyEmail(request.body.token)
    return { message: 'Email address verified' as const, email }
  })
}

export default route
