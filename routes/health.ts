import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthReply, UnhealthyReply } from '../schemas/health.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    // Polled by load balancers and probes: never rate limited, and the stores see one shared check
    config: { rateLimit: false },
    schema: {
      tags: ['health'],
      summary: 'Deep health check: MariaDB, Redis and the number of live tokens (checked at most once per HEALTH_CHECK_REUSE_MS)',
      operationId: 'getHealth',
      response: { 200: HealthReply, 503: UnhealthyReply }
    }
  }, async (_request, reply) => {
    const { tables, liveTokens } = await app.checkStores()
    const healthy = tables !== undefined && liveTokens !== undefined
    return reply.code(healthy ? 200 : 503).send({
      status: healthy ? 'healthy' : 'unhealthy',
      database: tables !== undefined ? 'connected' : 'disconnected',
      redis: liveTokens !== undefined ? 'connected' : 'disconnected',
      tables: tables ?? [],
      redis_tokens: liveTokens ?? 0,
      note: 'Tokens managed in Redis, not database',
      timestamp: new Date().toISOString()
    })
  })
}

export default route
