import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import { STATUS_CODES } from 'node:http'

/**
 * Shapes every error as `{ statusCode, error, message, code }`. Client errors say what was
 * wrong; server errors are logged in full and answered without any detail.
 */
export default fp(async function errors (app) {
  // Ajv's own message for an unknown property does not say which one
  app.setSchemaErrorFormatter(function (validationErrors, dataVar) {
    const [first] = validationErrors
    const path = `${dataVar}${first.instancePath}`
    const unknown = first.keyword === 'additionalProperties' ? first.params.additionalProperty : undefined
    return new Error(typeof unknown === 'string' ? `${path}/${unknown} is not an accepted field` : `${path} ${first.message ?? 'is invalid'}`)
  })

  app.setErrorHandler(function (err: FastifyError, request, reply) {
    const statusCode = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    if (statusCode >= 500) {
      request.log.error({ err }, 'request failed')
    }
    if (err.code === 'TOKEN_STORE_UNAVAILABLE') app.countEvent('redis_unavailable')
    if (err.code === 'DATABASE_UNAVAILABLE') app.countEvent('mariadb_unavailable')
    if (statusCode === 401) {
      const challenge = err.code === 'INVALID_CLIENT'
        ? 'Basic realm="introspection"'
        : ['TOKEN_MISSING', 'INVALID_CREDENTIALS', 'METRICS_TOKEN_INVALID'].includes(err.code)
            ? 'Bearer realm="jwt-microservice"'
            : `Bearer realm="jwt-microservice", error="invalid_token", error_description="${err.message}"`
      reply.header('www-authenticate', challenge)
    }
    const expose = statusCode < 500 || err.code === 'TOKEN_STORE_UNAVAILABLE' || err.code === 'DATABASE_UNAVAILABLE'
    return reply.code(statusCode).send({
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message: expose ? err.message : 'Internal Server Error',
      ...(expose && err.code ? { code: err.code } : {})
    })
  })

  app.setNotFoundHandler(function (request, reply) {
    return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `Route ${request.method} ${request.url} not found`, code: 'NOT_FOUND' })
  })
}, { name: 'errors', dependencies: ['metrics'] })
