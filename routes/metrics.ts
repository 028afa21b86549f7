import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify'
import fastifyBearerAuth from '@fastify/bearer-auth'
import { errors } from '../lib/errors.js'

/**
 * GET /metrics in the Prometheus text format, for scrapers rather than clients: hidden from the
 * OpenAPI document and outside the rate limit. With METRICS_TOKEN set it asks for
 * `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time by @fastify/bearer-auth.
 */
const route: FastifyPluginAsync = async (app) => {
  const { config } = app
  if (!config.METRICS_ENABLED) return

  let onRequest: onRequestHookHandler | undefined
  if (config.METRICS_TOKEN !== '') {
    await app.register(fastifyBearerAuth, { keys: [config.METRICS_TOKEN], addHook: false, verifyErrorLogLevel: 'warn' })
    const verify = app.verifyBearerAuth
    if (verify === undefined) throw new Error('@fastify/bearer-auth did not provide verifyBearerAuth')
    // Its refusal becomes the service's own 401, shaped (with WWW-Authenticate) by the error handler
    onRequest = (request, reply, done) => verify(request, reply, err => done(err === undefined ? undefined : new errors.InvalidMetricsToken()))
  }

  const registry = app.metrics.client.register
  app.get('/metrics', {
    onRequest,
    logLevel: 'warn',
    schema: { hide: true },
    config: { rateLimit: false }
  }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()))
}

export default route
