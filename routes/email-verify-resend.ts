import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerRoute } from '../schemas/bearer-route.js'
import { ResendVerificationReply } from '../schemas/accounts.js'
import { ErrorRef } from '../schemas/errors.js'
import { NoBodyRef } from '../schemas/no-body.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/email/verify/resend', {
    // Each one mails the account's address: a few per window, whoever holds the token
    preHandler: app.strictRateLimit('verify-resend', app.config.ACCOUNT_MAIL_RATE_LIMIT_MAX, request => request.user.sub),
    ...bearerRoute(app.authenticate, {
      tags: ['accounts'],
      summary: 'Mail a new verification link to the caller\'s address; earlier links stop working',
      operationId: 'resendVerification',
      body: NoBodyRef,
      response: { 202: ResendVerificationReply, 409: ErrorRef }
    })
  }, async (request, reply) => {
    await app.accounts.resendVerification(Number(request.user.sub), request.headers['accept-language'])
    return reply.code(202).send({ message: 'A new verification link is on its way' })
  })
}

export default route
