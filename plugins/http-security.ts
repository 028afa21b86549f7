import fp from 'fastify-plugin'
import fastifyHelmet from '@fastify/helmet'
import fastifyCors from '@fastify/cors'
import { corsOrigins } from '../lib/config.js'

/**
 * Security headers (helmet) on every answer, errors and 404s included, and CORS that stays
 * closed unless CORS_ORIGINS lists the browser origins allowed to call the service.
 */
export default fp(async function httpSecurity (app) {
  // Helmet's default CSP (scripts from 'self' only, inline styles allowed) also suits the
  // Swagger UI at /documentation, which serves its scripts itself; @fastify/swagger-ui's
  // `staticCSP` can tighten it for those pages.
  await app.register(fastifyHelmet, { global: true })

  const origins = corsOrigins(app.config)
  await app.register(fastifyCors, {
    origin: origins.length === 0 ? false : origins,
    methods: ['GET', 'HEAD', 'POST', 'DELETE'],
    exposedHeaders: ['www-authenticate', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'x-request-id'],
    maxAge: 600
  })
}, { name: 'http-security', dependencies: ['config'] })
