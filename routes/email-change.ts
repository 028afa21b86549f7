import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerRoute } from '../schemas/bearer-route.js'
import { ChangeEmailBody, ChangeEmailReply } from '../schemas/accounts.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'
import { canonicalFields } from '../lib/canonical.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/email/change', {
    bodyLimit: bodyLimits.credentials,
    config: { requireAal2: true },
    preValidation: canonicalFields('new_email'),
    // It checks the password and mails an address: limited per account like a password change
    preHandler: app.strictRateLimit('email-change', app.config.ACCOUNT_MAIL_RATE_LIMIT_MAX, request => request.user.sub),
    ...bearerRoute(app.authenticate, {
      tags: ['accounts'],
      summary: 'Ask to change the address: it changes once the link mailed to the new one is followed',
      operationId: 'changeEmail',
      body: ChangeEmailBody,
      response: { 202: ChangeEmailReply, 400: ErrorRef, 403: ErrorRef, 409: ErrorRef }
    })
  }, async (request, reply) => {
    const { new_email: newEmail, password } = request.body
    await app.accounts.changeEmail(Number(request.user.sub), { newEmail, password }, request.headers['accept-language'])
    return reply.code(202).send({ message: 'Confirm the new address with the link mailed to it' })
  })
}

export default route
