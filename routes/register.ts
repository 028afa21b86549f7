import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { RegisterBody, RegisterReply } from '../schemas/users.js'
import { ErrorRef } from '../schemas/errors.js'
import { bodyLimits } from '../lib/body-limits.js'
import { assertAcceptablePassword } from '../lib/password-policy.js'
import { canonical } from '../lib/canonical.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/register', {
    bodyLimit: bodyLimits.credentials,
    preValidation: [app.strictRateLimit('register', app.config.REGISTER_RATE_LIMIT_MAX), normalize],
    schema: {
      tags: ['users'],
      summary: 'Create a user account; a verification link is mailed to its address',
      operationId: 'register',
      body: RegisterBody,
      response: { 201: RegisterReply, 400: ErrorRef, 409: ErrorRef, 503: ErrorRef }
    }
  }, async (request, reply) => {
    const { username, email, password } = request.body
    assertAcceptablePassword('password', password, { username, email })
    const userId = await app.accounts.register({ username, email, password }, request.headers['accept-language'])
    return reply.code(201).send({ message: 'User registered successfully', user_id: userId })
  })
}

/**
 * Username and email in their canonical form (lib/canonical.ts), the password in Unicode NFC,
 * before the schema judges them: lengths, the username's characters, uniqueness and the hash then
 * all see the one form of each value, the form in which it is stored and looked up.
 */
async function normalize ({ body }: FastifyRequest) {
  if (typeof body !== 'object' || body === null) return
  if ('username' in body && typeof body.username === 'string') body.username = canonical(body.username)
  if ('password' in body && typeof body.password === 'string') body.password = body.password.normalize('NFC')
  if ('email' in body && typeof body.email === 'string') body.email = canonical(body.email)
}

export default route
