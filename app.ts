import AutoLoad from '@fastify/autoload'
import type { FastifyError, FastifyHttpOptions, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { STATUS_CODES, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import type { ConfigPluginOptions } from './plugins/config.js'
import { OneLinePerRequest, requestLogger } from './lib/request-log.js'
import { clientErrorHandler } from './lib/client-errors.js'
import { HTTP_TIMEOUT_CHECK_INTERVAL_MS, type Config } from './lib/config.js'

export type AppOptions = ConfigPluginOptions

/** What the server options are made of. */
export type ServerSettings = Pick<Config, 'LOG_LEVEL' | 'TRUST_PROXY' | 'HTTP_CONNECTION_TIMEOUT_MS' | 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS'>

/** The router's own errors (a URL that does not decode, a parameter too long) quote the URL: not repeated. */
function routerError (err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const statusCode = err.statusCode ?? 400
  reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode], message: 'The URL is not valid', code: err.code })
}

/** Options of the Fastify instance that hosts the app (server.ts and tests share them). */
export function serverOptions (settings: ServerSettings): FastifyHttpOptions<Server> {
  return {
    // Loading the app (migrations, key derivation, store connections) can take longer than
    // avvio's 10 s per plugin on a busy host; a store that is down fails fast on its own, so
    // this bound only ends a start that hangs.
    pluginTimeout: 60_000,
    logger: {
      level: settings.LOG_LEVEL,
      // No path starts with a wildcard: pino would then run every request's child-logger
      // bindings through the redactor, a measurable cost on the token-check path.
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'body', 'password',
          'current_password', 'new_password', 'access_token', 'refresh_token', 'token'],
        censor: '[redacted]'
      }
    },
    logController: new OneLinePerRequest(),
    childLoggerFactory: requestLogger,
    requestIdHeader: 'x-request-id',
    // Slow clients (headers or a body that never arrive, a socket left silent) cannot hold
    // connections: the parser's timeouts answer 408, a silent connection is closed.
    connectionTimeout: settings.HTTP_CONNECTION_TIMEOUT_MS,
    requestTimeout: settings.HTTP_REQUEST_TIMEOUT_MS,
    http: { headersTimeout: settings.HTTP_HEADERS_TIMEOUT_MS, connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_INTERVAL_MS },
    clientErrorHandler,
    frameworkErrors: routerError,
    bodyLimit: 16 * 1024,
    // The client IP keys the rate limits: only a listed proxy may say who the client is
    trustProxy: settings.TRUST_PROXY === '' ? false : settings.TRUST_PROXY,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } }
  }
}

/** The application as one plugin: shared capabilities from plugins/, then the routes. */
export default async function app (fastify: FastifyInstance, opts: AppOptions) {
  await fastify.register(AutoLoad, {
    dir: fileURLToPath(new URL('plugins', import.meta.url)),
    options: opts
  })
  await fastify.register(AutoLoad, {
    dir: fileURLToPath(new URL('routes', import.meta.url)),
    options: opts
  })
}
