import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LoginMfaBody } from '../schemas/mfa.js'
import { LoginReply } from '../schemas/tokens.js'
import { ErrorRef } from '../schemas/errors.js'
import { Type } from '@sinclair/typebox'
import { bodyLimits } from '../lib/body-limits.js'
import { errors } from '../lib/errors.js'
import { localeFrom } from '../lib/mail/templates.js'
import { clientDigest } from '../lib/mfa/login-challenges.js'
import { proofOf } from '../lib/mfa/proof.js'

/** The second step of a login with a second factor. */
const route: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app
  // The budgets of /login: a wrong code costs what a wrong password costs
  const accountLimit = app.keyedRateLimit('login-user', config.LOGIN_RATE_LIMIT_USERNAME_MAX)
  const deviceLimit = app.keyedRateLimit('login-device', config.LOGIN_RATE_LIMIT_DEVICE_MAX)
  app.post('/login/mfa', {
    bodyLimit: bodyLimits.credentials,
    preValidation: app.strictRateLimit('login-ip', config.LOGIN_RATE_LIMIT_IP_MAX),
    schema: {
      tags: ['tokens', 'mfa'],
      summary: 'Complete a login with the mfa_token of /login and a TOTP or recovery code',
      operationId: 'loginMfa',
      body: LoginMfaBody,
      response: { 200: Type.Ref(LoginReply), 400: ErrorRef, 401: ErrorRef, 501: ErrorRef, 503: ErrorRef }
    }
  }, async (request, reply) => {
    const { mfa_token: token } = request.body
    const proof = proofOf(request.body)
    const client = { userAgent: request.headers['user-agent'] ?? '', ip: request.ip }
    const challenge = await app.mfa.challenges.read(token)
    if (challenge === undefined) throw new errors.MfaTokenInvalid()
    if (challenge.client !== clientDigest(client)) {
      // Copied to another client: it is of no use to either any more
      await app.mfa.challenges.consume(token)
      throw new errors.MfaTokenInvalid()
    }
    if (challenge.device !== undefined) await deviceLimit(request, reply, challenge.device)
    else await accountLimit(request, reply, `user:${challenge.userId}`)

    const user = await app.users.findById(challenge.userId)
    if (user === undefined) throw new errors.MfaTokenInvalid()
    if (!await app.mfa.verify(user, proof, localeFrom(request.headers['accept-language']))) {
      await app.mfa.challenges.fail(token)
      app.countEvent('login_failed')
      throw new errors.MfaCodeInvalid()
    }
    // Single use: of two requests that both proved a factor, one gets the session
    if (!await app.mfa.challenges.consume(token)) throw new errors.MfaTokenInvalid()

    const pair = await app.sessions.create({ userId: String(user.id), credentialEpoch: challenge.credentialEpoch, emailVerified: user.email_verified_at !== null }, client, ['pwd', 'otp'])
    app.countEvent('login_succeeded')
    app.users.recordLogin(user.id).catch(err => request.log.warn({ err }, 'could not record the login time'))
    return { ...pair, message: 'Login successful' as const, device_token: app.deviceTokens.issue(user.id) }
  })
}

export default route
