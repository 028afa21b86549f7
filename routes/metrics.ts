import type { FastifyPluginAsync } from 'fastify'
import fastifyBearerAuth from '@fastify/bearer-auth'

/**
 * GET /metrics in the Prometheus text format, for scrapers rather than clients: hidden from the
 * OpenAPI document and outside the rate limit. With METRICS_TOKEN set it asks for
 * `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time by @fastify/bearer-auth).
 */
const route: FastifyPluginAsync = async (app) => {
  const { config } = app
  if (!config.METRICS_ENABLED) return
  if (config.METRICS_TOKEN !== '') {
    // addHook false: the check runs as this route's onRequest, and its 401 goes through the error handler
    await app.register(fastifyBearerAuth, { keys: [config.METRICS_TOKEN], addHook: false, verifyErrorLogLevel: 'warn' })
  }

  const registry = app.metrics.client.register
  app.get('/metrics', {
    onRequest: app.verifyBearerAuth,
    logLevel: 'warn',
    schema: { hide: true },
    config: { rateLimit: false }
  }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()))
}

export default route
