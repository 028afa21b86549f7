import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RecoveryCodesReply } from '../schemas/mfa.js'
import { bearerRoute } from '../schemas/bearer-route.js'
import { ErrorRef } from '../schemas/errors.js'
import { NoBodyRef } from '../schemas/no-body.js'
import { errors } from '../lib/errors.js'
import { localeFrom } from '../lib/mail/templates.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/mfa/recovery-codes', {
    config: { requireAal2: true },
    ...bearerRoute(app.authenticate, {
      tags: ['mfa'],
      summary: 'Ten new recovery codes (shown once; needs an aal2 session): the previous set stops working',
      operationId: 'regenerateRecoveryCodes',
      body: NoBodyRef,
      response: { 200: RecoveryCodesReply, 400: ErrorRef, 403: ErrorRef, 409: ErrorRef }
    })
  }, async (request, reply) => {
    const user = await app.users.findById(Number(request.user.sub))
    if (user === undefined) throw new errors.UserNotFound()
    const recoveryCodes = await app.mfa.regenerateRecoveryCodes(user, localeFrom(request.headers['accept-language']))
    reply.header('cache-control', 'no-store')
    return { recovery_codes: recoveryCodes, message: 'New recovery codes; the previous ones no longer work' as const }
  })
}

export default route
