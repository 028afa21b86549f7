import fp from 'fastify-plugin'
import { readFileSync } from 'node:fs'
import { revocationFeed } from '../lib/revocation-feed.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The revocation feed every session end is published on (docs/resource-servers.md). */
    revocations: ReturnType<typeof revocationFeed>
  }
}

/**
 * Publishes every end of a session on Redis: Pub/Sub for live listeners, a stream for catch-up.
 * Local verifiers and the back-channel logout sender read it; the sessions plugin writes it.
 */
export default fp(async function revocations (app) {
  const { config, redis } = app
  redis.defineCommand('publishSessionEnds', {
    numberOfKeys: 1,
    lua: readFileSync(new URL('../lib/publish-session-ends.lua', import.meta.url), 'utf8')
  })
  app.decorate('revocations', revocationFeed(redis, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    windowMs: config.ACCESS_TOKEN_EXPIRES_MINUTES * 60_000
  }))
}, { name: 'revocations', dependencies: ['config', 'redis'] })
