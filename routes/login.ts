import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LoginBody } from '../schemas/users.js'
import { LoginReply } from '../schemas/tokens.js'
import { MfaChallengeReply } from '../schemas/mfa.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'
import { errors } from '../lib/errors.js'
import { canonical } from '../lib/canonical.js'
import { CHALLENGE_TTL_SECONDS, clientDigest } from '../lib/mfa/login-challenges.js'
import { Type } from '@sinclair/typebox'

const route: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app
  const accountLimit = app.keyedRateLimit('login-user', config.LOGIN_RATE_LIMIT_USERNAME_MAX)
  const deviceLimit = app.keyedRateLimit('login-device', config.LOGIN_RATE_LIMIT_DEVICE_MAX)
  app.post('/login', {
    bodyLimit: bodyLimits.credentials,
    preValidation: app.strictRateLimit('login-ip', config.LOGIN_RATE_LIMIT_IP_MAX),
    schema: {
      tags: ['tokens'],
      summary: 'Exchange a username (or the account\'s email) and password for an access and a refresh token (or, with a second factor, for an mfa_token)',
      operationId: 'login',
      body: LoginBody,
      response: { 200: Type.Union([Type.Ref(LoginReply), MfaChallengeReply], { description: 'Logged in, or (an account with a second factor) the first step done', examples: LoginReply.examples }), 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 503: ErrorRef }
    }
  }, async (request, reply) => {
    const password = request.body.password.normalize('NFC')
    const username = canonical(request.body.username)
    const user = await app.users.findByLogin(username)
    const device = user === undefined ? undefined : app.deviceTokens.verify(request.body.device_token, user.id)
    // A client that logged in to this account before has a small budget of its own, so others'
    // guesses do not lock its owner out (OWASP's device cookies). Any other client is counted per
    // account, whatever spelling of its name was typed; a name of no account per its canonical
    // form (the same count for all its spellings).
    if (device !== undefined) await deviceLimit(request, reply, device)
    else await accountLimit(request, reply, user === undefined ? `name:${username}` : `user:${user.id}`)
    const valid = user === undefined
      ? await app.passwords.verifyNothing(password)
      : await app.passwords.verify(password, user.password_hash)
    if (user === undefined || !valid) {
      app.countEvent('login_failed')
      throw new errors.InvalidCredentials()
    }
    // Only after the password: the answer tells nobody else whether an address is proven
    const emailVerified = user.email_verified_at !== null
    if (config.REQUIRE_EMAIL_VERIFICATION && !emailVerified) throw new errors.EmailNotVerified()

    if (app.passwords.needsRehash(user.password_hash)) {
      // A hash of a lower cost is faster to crack and makes this account's logins measurably
      // quicker: the password is at hand now, so it gets today's cost, off the answer's path
      app.passwords.hash(password)
        .then(upgraded => app.users.upgradePasswordHash(user.id, user.password_hash, upgraded))
        .catch(err => request.log.warn({ err }, 'could not upgrade the password hash'))
    }

    const client = { userAgent: request.headers['user-agent'] ?? '', ip: request.ip }
    if (await app.mfa.isEnabled(user.id)) {
      // No tokens yet: POST /login/mfa completes the login with this client's second factor
      const mfaToken = await app.mfa.challenges.issue({ userId: user.id, credentialEpoch: user.credential_epoch, client: clientDigest(client), device })
      return { mfa_required: true as const, mfa_token: mfaToken, methods: ['totp' as const, 'recovery_code' as const], expires_in: CHALLENGE_TTL_SECONDS, message: 'Second factor required' as const }
    }
    const pair = await app.sessions.create({ userId: String(user.id), credentialEpoch: user.credential_epoch, emailVerified }, client)
    app.countEvent('login_succeeded')
    app.users.recordLogin(user.id).catch(err => request.log.warn({ err }, 'could not record the login time'))
    return { ...pair, message: 'Login successful' as const, device_token: app.deviceTokens.issue(user.id) }
  })
}

export default route
