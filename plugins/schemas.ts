import fp from 'fastify-plugin'
import { ErrorReply } from '../schemas/errors.js'
import { Jwk } from '../schemas/jwks.js'
import { Session } from '../schemas/sessions.js'
import { NoBody } from '../schemas/no-body.js'
import { LoginReply } from '../schemas/tokens.js'
import { PasswordConfirmation } from '../schemas/mfa.js'

/** Shared schemas, registered once so routes and the OpenAPI document reference them by $id. */
export default fp(async function schemas (app) {
  for (const schema of [ErrorReply, Jwk, NoBody, Session, LoginReply, PasswordConfirmation]) app.addSchema(schema)
}, { name: 'schemas' })
