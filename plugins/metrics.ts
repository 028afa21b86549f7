import fp from 'fastify-plugin'
import fastifyMetricsModule, { type IMetricsPluginOptions } from 'fastify-metrics'
import promClient from 'prom-client'
import { serviceMetrics, type ServiceEvent } from '../lib/service-metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts one of the service's own events (n of them) for /metrics; a no-op with METRICS_ENABLED=false. */
    countEvent(event: ServiceEvent, n?: number): void
  }
}

// A CommonJS module that exports its plugin as `exports.default`
const fastifyMetrics = fastifyMetricsModule.default

/** Request durations in seconds: a token check takes about a millisecond, a login a bcrypt hash. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/**
 * Prometheus metrics: fastify-metrics times every route (a histogram by method, route and status)
 * and collects the process metrics; lib/service-metrics.ts adds the service's own. They live in
 * a registry of this instance, not prom-client's global one, so that several apps in one process
 * (the tests) do not collide. routes/metrics.ts serves them.
 */
export default fp(async function metrics (app) {
  if (!app.config.METRICS_ENABLED) {
    app.decorate('countEvent', () => {})
    return
  }

  const registry = new promClient.Registry()
  const options: Partial<IMetricsPluginOptions> = {
    promClient: { ...promClient, register: registry },
    endpoint: null,
    defaultMetrics: { enabled: true, register: registry },
    routeMetrics: {
      // The summary's quantiles cost more per request than the histogram's buckets, and add nothing
      // histogram_quantile() cannot give. fastify-metrics creates it all the same: in our registry.
      enabled: { histogram: true, summary: false },
      overrides: { histogram: { buckets: BUCKETS, registers: [registry] }, summary: { registers: [registry] } }
    }
  }
  await app.register(fastifyMetrics, options)

  // Read lazily at scrape time: the sessions plugin counts its events here, so it loads after this one.
  const unknown = (err: unknown) => {
    app.log.warn({ err }, 'live counts not read for /metrics')
    return Number.NaN
  }
  app.decorate('countEvent', serviceMetrics(registry, {
    sessions: () => app.sessions.countLiveSessions().catch(unknown),
    tokens: () => app.sessions.countLiveTokens().catch(unknown)
  }))
}, { name: 'metrics', dependencies: ['config'] })
