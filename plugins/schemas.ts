import fp from 'fastify-plugin'
import { ErrorReply } from '../schemas/errors.js'

/** Shared schemas, registered once so routes and the OpenAPI document reference them by $id. */
export default fp(async function schemas (app) {
  app.addSchema(ErrorReply)
}, { name: 'schemas' })
