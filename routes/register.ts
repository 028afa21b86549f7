import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RegisterBody, RegisterReply } from '../schemas/users.js'
import { ErrorRef } from '../schemas/errors.js'
import { errors } from '../lib/errors.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/register', {
    preValidation: app.strictRateLimit('register', app.config.REGISTER_RATE_LIMIT_MAX),
    schema: {
      tags: ['users'],
      summary: 'Create a user account',
      operationId: 'register',
      body: RegisterBody,
      response: { 201: RegisterReply, 400: ErrorRef, 409: ErrorRef, 503: ErrorRef }
    }
  }, async (request, reply) => {
    const password = request.body.password.normalize('NFC')
    if (Buffer.byteLength(password) > 72) throw new errors.PasswordTooLong()
    const userId = await app.users.create({
      username: request.body.username.normalize('NFC'),
      email: request.body.email.trim().toLowerCase(),
      passwordHash: await app.passwords.hash(password)
    })
    return reply.code(201).send({ message: 'User registered successfully', user_id: userId })
  })
}

export default route
