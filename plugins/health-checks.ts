import fp from 'fastify-plugin'
import { sharedCheck } from '../lib/shared-check.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * One check of both stores, shared by /health and /health/ready: the MariaDB tables and the
     * live token count, `undefined` for a store that did not answer.
     */
    checkStores: ReturnType<typeof sharedCheck<StoreCheck>>
  }
}

export interface StoreCheck {
  tables: string[] | undefined
  liveTokens: number | undefined
}

/**
 * Probes are exempt from rate limits and polled by every load balancer: a flood of them must not
 * take pool connections from the routes. All probes share one check at a time, reused for
 * HEALTH_CHECK_REUSE_MS after it ends, so the stores see at most one query each per interval
 * however many probes arrive, and a failure is logged once per check, not once per probe.
 */
export default fp(async function healthChecks (app) {
  async function answer<T> (store: string, check: () => Promise<T>): Promise<T | undefined> {
    try {
      return await check()
    } catch (err) {
      app.log.warn({ err, store }, 'health check failed')
      return undefined
    }
  }

  app.decorate('checkStores', sharedCheck(async () => {
    const [tables, liveTokens] = await Promise.all([
      answer('mariadb', () => app.users.tableNames()),
      answer('redis', () => app.sessions.countLiveTokens())
    ])
    return { tables, liveTokens }
  }, app.config.HEALTH_CHECK_REUSE_MS))
}, { name: 'health-checks', dependencies: ['config', 'users', 'sessions'] })
