import fp from 'fastify-plugin'
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import { errors } from '../lib/errors.js'
import { ipAllowlist } from '../lib/ip-allowlist.js'
import { DOCUMENTATION_PREFIX } from '../lib/paths.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * A hook (for preValidation or later, after the global limit's onRequest) enforcing a stricter limit of `max` requests per window on one route, counted per
     * client IP or per the key `keyOf` gives (e.g. a username). Over it: 429; while Redis is
     * unreachable: 503 (fails closed). A no-op when RATE_LIMIT_ENABLED is false.
     */
    strictRateLimit(name: string, max: number, keyOf?: (request: FastifyRequest) => string): onRequestAsyncHookHandler
    /**
     * A limit of `max` requests per window per key that the handler names when it applies it,
     * for keys learnt on the way (the account a login is for, once it is looked up). Like a
     * per-account strictRateLimit: not lifted by the allowlist, 429 over it, 503 while Redis is
     * unreachable, a no-op when RATE_LIMIT_ENABLED is false.
     */
    keyedRateLimit(name: string, max: number): (request: FastifyRequest, reply: FastifyReply, key: string) => Promise<void>
  }
}

/**
 * @fastify/rate-limit with its Redis store on the service's ioredis client (so under
 * REDIS_KEY_PREFIX, `rl:` keys), so limits hold across every instance. The global per-IP limit
 * fails open when Redis is unreachable: /health must still answer, and token routes answer 503
 * on their own. The stricter limits of login, register and refresh fail closed: without them a
 * password could be guessed at full speed.
 *
 * Addresses in RATE_LIMIT_ALLOWLIST are exempt from every per-IP limit. Routes that load
 * balancers and scrapers poll (health, metrics) say `config: { rateLimit: false }`; so do the
 * documentation UI's routes, set here because @fastify/swagger-ui takes no route config.
 */
export default fp(async function rateLimit (app) {
  const { config } = app
  if (!config.RATE_LIMIT_ENABLED) {
    app.decorate('strictRateLimit', () => async () => {})
    app.decorate('keyedRateLimit', () => async () => {})
    return
  }

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(DOCUMENTATION_PREFIX)) route.config = { ...route.config, rateLimit: false }
  })

  const timeWindow = config.RATE_LIMIT_WINDOW_SECONDS * 1000
  const allowlisted = ipAllowlist(config.RATE_LIMIT_ALLOWLIST)
  await app.register(fastifyRateLimit, {
    global: true,
    max: config.RATE_LIMIT_MAX,
    timeWindow,
    redis: app.redis,
    nameSpace: 'rl:',
    skipOnError: true,
    enableDraftSpec: true,
    // Inherited by the stricter limits of createRateLimit
    allowList: (request) => allowlisted(request.ip),
    errorResponseBuilder: (_request, context) => new errors.RateLimited(`${Math.ceil(context.ttl / 1000)} seconds`)
  })

  type Limit = ReturnType<typeof app.createRateLimit>

  async function enforce (limit: Limit, request: FastifyRequest, reply: FastifyReply) {
    const result = await limit(request).catch((err: unknown) => {
      throw new errors.TokenStoreUnavailable({ cause: err })
    })
    if (result.isAllowed) return
    // Several limits apply to one request: the headers report the closest to running out
    const reported = reply.getHeader('ratelimit-remaining')
    if (reported === undefined || result.remaining <= Number(reported)) {
      reply.header('ratelimit-limit', result.max)
      reply.header('ratelimit-remaining', result.remaining)
      reply.header('ratelimit-reset', result.ttlInSeconds)
    }
    if (result.isExceeded) {
      reply.header('retry-after', result.ttlInSeconds)
      throw new errors.RateLimited(`${result.ttlInSeconds} seconds`)
    }
  }

  app.decorate('strictRateLimit', (name, max, keyOf) => {
    const limit = app.createRateLimit({
      max,
      timeWindow,
      skipOnError: false,
      // A per-account limit protects the account whoever asks: the allowlist does not lift it
      ...(keyOf === undefined ? {} : { allowList: () => false }),
      // Keyed like the global limit: an IPv6 client counts by its /64, which it cannot leave by
      // picking another of its addresses; an IPv4-mapped address counts as the IPv4 one.
      keyGenerator: (request) => `${name}:${keyOf === undefined ? normalizeIP(request.ip) : keyOf(request)}`
    })
    return (request, reply) => enforce(limit, request, reply)
  })

  app.decorate('keyedRateLimit', (name, max) => {
    // @fastify/rate-limit asks the request for its key: the one named for this request
    const keys = new WeakMap<FastifyRequest, string>()
    const limit = app.createRateLimit({
      max,
      timeWindow,
      skipOnError: false,
      allowList: () => false,
      keyGenerator: (request) => `${name}:${keys.get(request) ?? ''}`
    })
    return (request, reply, key) => {
      keys.set(request, key)
      return enforce(limit, request, reply)
    }
  })
}, { name: 'rate-limit', dependencies: ['config', 'redis', 'client-address'] })
