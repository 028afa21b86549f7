import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthReply, UnhealthyReply } from '../schemas/health.js'

const route: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    // Polled by load balancers and probes: never rate limited
    config: { rateLimit: false },
    schema: {
      tags: ['health'],
      summary: 'Deep health check: MariaDB, Redis and the number of live tokens',
      operationId: 'getHealth',
      response: { 200: HealthReply, 503: UnhealthyReply }
    }
  }, async (request, reply) => {
    const [tables, redisTokens] = await Promise.allSettled([
      app.users.tableNames(),
      app.redis.ping().then(() => app.sessions.countLiveTokens())
    ])
    for (const result of [tables, redisTokens]) {
      if (result.status === 'rejected') request.log.warn({ err: result.reason }, 'health check failed')
    }
    const healthy = tables.status === 'fulfilled' && redisTokens.status === 'fulfilled'
    return reply.code(healthy ? 200 : 503).send({
      status: healthy ? 'healthy' : 'unhealthy',
      database: tables.status === 'fulfilled' ? 'connected' : 'disconnected',
      redis: redisTokens.status === 'fulfilled' ? 'connected' : 'disconnected',
      tables: tables.status === 'fulfilled' ? tables.value : [],
      redis_tokens: redisTokens.status === 'fulfilled' ? redisTokens.value : 0,
      note: 'Tokens managed in Redis, not database',
      timestamp: new Date().toISOString()
    })
  })
}

export default route
