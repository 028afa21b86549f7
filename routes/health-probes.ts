import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LiveReply, ReadyReply, NotReadyReply } from '../schemas/health.js'

/**
 * Probes for orchestrators and load balancers. Liveness does no I/O: a store outage must not
 * get the process restarted. Readiness asks whether both stores answer (the check /health shares,
 * each store bounded by its timeout), since an instance that reaches neither cannot serve a token
 * route, and turns 503 while draining.
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
  }, async (_request, reply) => {
    if (app.lifecycle.draining) return reply.code(503).send({ status: 'draining' })
    const { tables, liveTokens } = await app.checkStores()
    const ready = tables !== undefined && liveTokens !== undefined
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'unavailable',
      database: tables !== undefined ? 'connected' : 'disconnected',
      redis: liveTokens !== undefined ? 'connected' : 'disconnected'
    })
  })
}

export default route
