import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { LoginBody } from '../schemas/users.js'
import { LoginReply } from '../schemas/tokens.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'
import { errors } from '../lib/errors.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app
  app.post('/login', {
    bodyLimit: bodyLimits.credentials,
    preValidation: app.strictRateLimit('login-ip', config.LOGIN_RATE_LIMIT_IP_MAX),
    // After validation, so the username is there: guesses at one account from many IPs
    preHandler: app.strictRateLimit('login-user', config.LOGIN_RATE_LIMIT_USERNAME_MAX, usernameOf),
    schema: {
      tags: ['tokens'],
      summary: 'Exchange a username and password for an access and a refresh token',
      operationId: 'login',
      body: LoginBody,
      response: { 200: LoginReply, 400: ErrorRef, 401: ErrorRef, 503: ErrorRef }
    }
  }, async (request) => {
    const password = request.body.password.normalize('NFC')
    const user = await app.users.findByUsername(request.body.username.normalize('NFC'))
    const valid = user === undefined
      ? await app.passwords.verifyNothing(password)
      : await app.passwords.verify(password, user.password_hash)
    if (user === undefined || !valid) {
      app.countEvent('login_failed')
      throw new errors.InvalidCredentials()
    }

    const pair = await app.sessions.create(user.id, {
      userAgent: request.headers['user-agent'] ?? '',
      ip: request.ip
    })
    app.countEvent('login_succeeded')
    app.users.recordLogin(user.id).catch(err => request.log.warn({ err }, 'could not record the login time'))
    return { ...pair, message: 'Login successful' as const }
  })
}

/** The account a login is for, as the users table compares it (NFC, any case); validated by now. */
function usernameOf ({ body }: FastifyRequest): string {
  const username = typeof body === 'object' && body !== null && 'username' in body ? body.username : undefined
  return typeof username === 'string' ? username.normalize('NFC').toLowerCase() : ''
}

export default route
