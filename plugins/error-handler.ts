import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import { STATUS_CODES } from 'node:http'
import type { ServiceEvent } from '../lib/service-metrics.js'

/** The 503s of an unavailable store: answered with their message and code, and counted. */
const STORE_OUTAGES = new Map<string, ServiceEvent>([
  ['TOKEN_STORE_UNAVAILABLE', 'redis_unavailable'],
  ['DATABASE_UNAVAILABLE', 'mariadb_unavailable']
])

/** Server errors that are the service's setup, not a bug: answered with their message and code. */
const SETUP_ERRORS = new Set(['MFA_NOT_CONFIGURED', 'MFA_KEY_UNAVAILABLE'])

/** Fastify errors whose message quotes the request (its content type): a fixed message instead. */
const FIXED_MESSAGES = new Map([
  ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 'The content type of the body is not accepted']
])

/** 401s that carry no token error: the challenge names only the realm (RFC 6750 section 3). */
const PLAIN_CHALLENGES = new Set(['TOKEN_MISSING', 'INVALID_CREDENTIALS', 'METRICS_TOKEN_INVALID', 'MFA_TOKEN_INVALID', 'MFA_CODE_INVALID'])

/**
 * Shapes every error as `{ statusCode, error, message, code }`. Client errors say what was
 * wrong; server errors are logged in full and answered without any detail.
 */
export default fp(async function errors (app) {
  // The name of an unknown property is the client's input: it is not repeated back
  app.setSchemaErrorFormatter(function (validationErrors, dataVar) {
    const [first] = validationErrors
    const path = `${dataVar}${first.instancePath}`
    return new Error(first.keyword === 'additionalProperties' ? `${path} has a field that is not accepted` : `${path} ${first.message ?? 'is invalid'}`)
  })

  app.setErrorHandler(function (err: FastifyError, request, reply) {
    const statusCode = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    if (statusCode >= 500 && err.code !== 'MFA_NOT_CONFIGURED') {
      request.log.error({ err }, 'request failed')
    }
    const outage = STORE_OUTAGES.get(err.code)
    if (outage !== undefined) app.countEvent(outage)
    if (statusCode === 401) {
      const challenge = err.code === 'INVALID_CLIENT'
        ? 'Basic realm="introspection"'
        : PLAIN_CHALLENGES.has(err.code)
          ? 'Bearer realm="jwt-microservice"'
          : `Bearer realm="jwt-microservice", error="invalid_token", error_description="${err.message}"`
      reply.header('www-authenticate', challenge)
    }
    const expose = statusCode < 500 || outage !== undefined || SETUP_ERRORS.has(err.code)
    return reply.code(statusCode).send({
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message: expose ? FIXED_MESSAGES.get(err.code) ?? err.message : 'Internal Server Error',
      ...(expose && err.code ? { code: err.code } : {})
    })
  })

  app.setNotFoundHandler(function (_request, reply) {
    return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such route', code: 'NOT_FOUND' })
  })
}, { name: 'error-handler', dependencies: ['metrics'] })
