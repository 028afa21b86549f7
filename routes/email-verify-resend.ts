import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ResendVerificationReply } from '../schemas/accounts.js'
import { BearerHeaders } from '../schemas/tokens.js'
import { ErrorRef } from '../schemas/errors.js'
import { NoBodyRef } from '../schemas/no-body.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/email/verify/resend', {
    onRequest: app.authenticate,
    // Each one mails the account's address: a few per window, whoever holds the token
    preHandler: app.strictRateLimit('verify-resend', app.config.ACCOUNT_MAIL_RATE_LIMIT_MAX, request => request.user.sub),
    schema: {
      tags: ['accounts'],
      summary: 'Mail a new verification link to the caller\'s address; earlier links stop working',
      operationId: 'resendVerification',
      headers: BearerHeaders,
      body: NoBodyRef,
      security: [{ bearerAuth: [] }],
      response: { 202: ResendVerificationReply, 401: ErrorRef, 409: ErrorRef, 503: ErrorRef }
    }
  }, async (request, reply) => {
    await app.accounts.resendVerification(Number(request.user.sub), request.headers['accept-language'])
    return reply.code(202).send({ message: 'A new verification link is on its way' })
  })
}

export default route
