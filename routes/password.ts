import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerRoute } from '../schemas/bearer-route.js'
import { ChangePasswordBody } from '../schemas/users.js'
import { PasswordChangedReply } from '../schemas/sessions.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'
import { errors } from '../lib/errors.js'
import { confirmedAccount } from '../lib/confirm-password.js'
import { assertAcceptablePassword } from '../lib/password-policy.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/password', {
    bodyLimit: bodyLimits.credentials,
    config: { requireAal2: true },
    // A stolen access token must not become a way to guess the account's password at full speed
    preHandler: app.strictRateLimit('password-user', app.config.LOGIN_RATE_LIMIT_USERNAME_MAX, request => request.user.sub),
    ...bearerRoute(app.authenticate, {
      tags: ['users'],
      summary: 'Change the password: every other session of the user is revoked, this one gets a new pair',
      operationId: 'changePassword',
      body: ChangePasswordBody,
      response: { 200: PasswordChangedReply, 400: ErrorRef, 403: ErrorRef }
    })
  }, async (request) => {
    const userId = Number(request.user.sub)
    const newPassword = request.body.new_password.normalize('NFC')
    const user = await confirmedAccount(app, userId, request.body.current_password, errors.WrongCurrentPassword)
    assertAcceptablePassword('new_password', newPassword, user)
    const credentialEpoch = await app.users.setPasswordHash(userId, await app.passwords.hash(newPassword))
    const { pair, revoked } = await app.sessions.passwordChanged({ userId: request.user.sub, credentialEpoch, currentSid: request.user.sid, emailVerified: user.email_verified_at !== null, amr: request.user.amr })
    app.countEvent('revoked_by_password_change', revoked)
    return { ...pair, message: 'Password changed; other sessions were logged out' as const }
  })
}

export default route
