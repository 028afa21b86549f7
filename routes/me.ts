import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerRoute } from '../schemas/bearer-route.js'
import { Profile } from '../schemas/users.js'
import { DeleteAccountBody } from '../schemas/accounts.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'
import { errors } from '../lib/errors.js'
import { Type } from '@sinclair/typebox'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/me', {
    ...bearerRoute(app.authenticate, {
      tags: ['users'],
      summary: 'The caller\'s profile',
      operationId: 'getMe',
      response: { 200: Profile }
    })
  }, async (request) => {
    const user = await app.users.findById(Number(request.user.sub))
    if (user === undefined) throw new errors.UserNotFound()
    const { totp, recoveryCodesLeft } = await app.mfa.state(user.id)
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      email_verified: user.email_verified_at !== null,
      pending_email: user.pending_email,
      created_at: user.created_at.toISOString(),
      mfa: { totp, recovery_codes_left: recoveryCodesLeft }
    }
  })

  app.delete('/me', {
    bodyLimit: bodyLimits.credentials,
    config: { requireAal2: true },
    // A stolen access token must not become a way to guess the account's password at full speed
    preHandler: app.strictRateLimit('password-user', app.config.LOGIN_RATE_LIMIT_USERNAME_MAX, request => request.user.sub),
    ...bearerRoute(app.authenticate, {
      tags: ['users'],
      summary: 'Delete the caller\'s account: every session ends, the username and email are free again',
      operationId: 'deleteMe',
      body: DeleteAccountBody,
      response: { 204: Type.Null({ description: 'The account is deleted' }), 400: ErrorRef, 403: ErrorRef }
    })
  }, async (request, reply) => {
    app.countEvent('revoked_by_account_delete', await app.accounts.deleteAccount(Number(request.user.sub), request.body.password))
    return reply.code(204).send(null)
  })
}

export default route
