import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LiveReply, ReadyReply, NotReadyReply } from '../schemas/health.js'

/**
 * Probes for orchestrators and load balancers. Liveness does no I/O: a store outage must not
 * get the process restarted. Readiness pings both stores (each bounded by its timeout), since an
 * instance that reaches neither cannot serve a token route, and turns 503 while draining.
 */
const route: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health/live', {
    // Polled by load balancers and probes: never rate limited
    config: { rateLimit: false },
    schema: {
      tags: ['health'],
      summary: 'Liveness: the process answers (no I/O)',
      operationId: 'getLiveness',
      response: { 200: LiveReply }
    }
  }, async () => ({ status: 'ok' as const }))

  app.get('/health/ready', {
    config: { rateLimit: false },
    schema: {
      tags: ['health'],
      summary: 'Readiness: 200 when this instance should get traffic; 503 while draining or when a store is unreachable',
      operationId: 'getReadiness',
      response: { 200: ReadyReply, 503: NotReadyReply }
    }
  }, async (request, reply) => {
    if (app.lifecycle.draining) return reply.code(503).send({ status: 'draining' })
    const [database, redis] = await Promise.allSettled([app.users.ping(), app.redis.ping()])
    for (const result of [database, redis]) {
      if (result.status === 'rejected') request.log.warn({ err: result.reason }, 'readiness check failed')
    }
    const ready = database.status === 'fulfilled' && redis.status === 'fulfilled'
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'unavailable',
      database: database.status === 'fulfilled' ? 'connected' : 'disconnected',
      redis: redis.status === 'fulfilled' ? 'connected' : 'disconnected'
    })
  })
}

export default route
