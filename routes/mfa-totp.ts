import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { CodeBody, DisabledReply, EnabledReply, EnrolmentReply, PasswordConfirmation } from '../schemas/mfa.js'
import { bearerRoute } from '../schemas/bearer-route.js'
import { ErrorRef } from '../schemas/errors.js'
import { Type } from '@sinclair/typebox'
import { bodyLimits } from '../lib/body-limits.js'
import { errors } from '../lib/errors.js'
import { confirmedAccount } from '../lib/confirm-password.js'
import { localeFrom } from '../lib/mail/templates.js'

/** Enrolling, confirming and removing the caller's TOTP factor. */
const route: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app
  // Password and code guesses share the account's budgets with POST /password and /login
  const passwordLimit = app.strictRateLimit('password-user', config.LOGIN_RATE_LIMIT_USERNAME_MAX, request => request.user.sub)
  const accountLimit = app.keyedRateLimit('login-user', config.LOGIN_RATE_LIMIT_USERNAME_MAX)

  /** The caller's account, once its password is confirmed again. */
  const confirmedCaller = (request: FastifyRequest, password: string) =>
    confirmedAccount(app, Number(request.user.sub), password, errors.WrongCurrentPassword)

  app.post('/mfa/totp', {
    bodyLimit: bodyLimits.credentials,
    preHandler: passwordLimit,
    ...bearerRoute(app.authenticate, {
      tags: ['mfa'],
      summary: 'Start a TOTP enrolment: a new secret, its otpauth:// URI and QR code (the password is confirmed again)',
      operationId: 'enrolTotp',
      body: Type.Ref(PasswordConfirmation),
      response: { 200: EnrolmentReply, 400: ErrorRef, 403: ErrorRef, 409: ErrorRef, 501: ErrorRef }
    })
  }, async (request, reply) => {
    if (!app.mfa.configured) throw new errors.MfaNotConfigured()
    const user = await confirmedCaller(request, request.body.current_password)
    reply.header('cache-control', 'no-store')
    return { ...await app.mfa.startEnrolment(user), message: 'Scan the QR code, then POST /mfa/totp/confirm with a code to turn TOTP on' as const }
  })

  app.post('/mfa/totp/confirm', {
    bodyLimit: bodyLimits.credentials,
    ...bearerRoute(app.authenticate, {
      tags: ['mfa'],
      summary: 'Turn TOTP on with a first code: ten recovery codes (shown once) and a new pair for this session, now aal2',
      operationId: 'confirmTotp',
      body: CodeBody,
      response: { 200: EnabledReply, 400: ErrorRef, 403: ErrorRef, 409: ErrorRef, 501: ErrorRef }
    })
  }, async (request, reply) => {
    const { sub, sid } = request.user
    await accountLimit(request, reply, `user:${sub}`)
    const user = await app.users.findById(Number(sub))
    if (user === undefined) throw new errors.UserNotFound()
    const recoveryCodes = await app.mfa.confirmEnrolment(user, request.body.code, localeFrom(request.headers['accept-language']))
    if (recoveryCodes === undefined) throw new errors.MfaCodeRejected()
    const pair = await app.sessions.stepUp({ sid, userId: sub, emailVerified: user.email_verified_at !== null })
    reply.header('cache-control', 'no-store')
    return { ...pair, recovery_codes: recoveryCodes, message: 'TOTP is on' as const }
  })

  app.delete('/mfa/totp', {
    bodyLimit: bodyLimits.credentials,
    preHandler: passwordLimit,
    config: { requireAal2: true },
    ...bearerRoute(app.authenticate, {
      tags: ['mfa'],
      summary: 'Turn TOTP off (needs an aal2 session and the password); every other session is revoked',
      operationId: 'disableTotp',
      body: Type.Ref(PasswordConfirmation),
      response: { 200: DisabledReply, 400: ErrorRef, 403: ErrorRef, 409: ErrorRef }
    })
  }, async (request) => {
    const user = await confirmedCaller(request, request.body.current_password)
    await app.mfa.disable(user, localeFrom(request.headers['accept-language']))
    const others = (await app.sessions.list(request.user.sub, request.user.sid)).filter(session => !session.current)
    await Promise.all(others.map(session => app.sessions.revoke(session.id, request.user.sub, 'mfa_disabled')))
    return { message: 'TOTP is off; other sessions were logged out' as const }
  })
}

export default route
