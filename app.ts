import AutoLoad from '@fastify/autoload'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { fileURLToPath } from 'node:url'
import type { ConfigPluginOptions } from './plugins/config.js'
import { OneLinePerRequest, requestLogger } from './lib/request-log.js'

export type AppOptions = ConfigPluginOptions

/**
 * Options of the Fastify instance that hosts the app (server.ts and tests share them).
 * `trustProxy`: TRUST_PROXY, the addresses of reverse proxies whose X-Forwarded-For is believed.
 */
export function serverOptions (logLevel: string, trustProxy = ''): FastifyServerOptions {
  return {
    logger: {
      level: logLevel,
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
    bodyLimit: 16 * 1024,
    // The client IP keys the rate limits: only a listed proxy may say who the client is
    trustProxy: trustProxy === '' ? false : trustProxy,
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
