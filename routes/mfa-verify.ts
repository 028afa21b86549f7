import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ProofBody, StepUpReply } from '../schemas/mfa.js'
import { bearerRoute } from '../schemas/bearer-route.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'
import { errors } from '../lib/errors.js'
import { localeFrom } from '../lib/mail/templates.js'
import { proofOf } from '../lib/mfa/proof.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  const accountLimit = app.keyedRateLimit('login-user', app.config.LOGIN_RATE_LIMIT_USERNAME_MAX)

  app.post('/mfa/verify', {
    bodyLimit: bodyLimits.credentials,
    ...bearerRoute(app.authenticate, {
      tags: ['mfa'],
      summary: 'Step the current session up to aal2 with a TOTP or recovery code: a new pair, the previous one is revoked',
      operationId: 'verifyMfa',
      body: ProofBody,
      response: { 200: StepUpReply, 400: ErrorRef, 403: ErrorRef, 409: ErrorRef, 501: ErrorRef }
    })
  }, async (request, reply) => {
    const proof = proofOf(request.body)
    const { sub, sid } = request.user
    await accountLimit(request, reply, `user:${sub}`)
    const user = await app.users.findById(Number(sub))
    if (user === undefined) throw new errors.UserNotFound()
    if (!await app.mfa.isEnabled(user.id)) throw new errors.MfaNotEnabled()
    if (!await app.mfa.verify(user, proof, localeFrom(request.headers['accept-language']))) throw new errors.MfaCodeRejected()
    const pair = await app.sessions.stepUp({ sid, userId: sub, emailVerified: user.email_verified_at !== null })
    return { ...pair, message: 'Second factor verified' as const }
  })
}

export default route
