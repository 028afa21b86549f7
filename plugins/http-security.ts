import fp from 'fastify-plugin'
import fastifyCors from '@fastify/cors'
import helmet, { type HelmetOptions } from 'helmet'
import { IncomingMessage, ServerResponse, type OutgoingHttpHeaders } from 'node:http'
import { Socket } from 'node:net'
import { corsOrigins } from '../lib/config.js'

/**
 * Helmet's headers for JSON API answers, the set of the OWASP REST Security Cheat Sheet: nothing
 * may frame, sniff or cache them, and browsers must use HTTPS. The headers meant for HTML
 * documents (Referrer-Policy, Cross-Origin-*-Policy, ...) are left out: every client parses
 * every header of every answer (with seven, a GET /protected answer took the benchmark's client
 * about 30% more CPU than the bare answer). The Swagger UI pages set their own CSP
 * (@fastify/swagger-ui's staticCSP).
 */
const API_HEADERS = helmetHeaders({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false
})

/**
 * Runs helmet once, at start, and keeps the headers it set: they are the same for every answer.
 * (@fastify/helmet rebuilds helmet's middleware on every request; with its default set of
 * headers that cost a third of GET /protected's throughput in `npm run bench`.)
 */
function helmetHeaders (options: HelmetOptions): OutgoingHttpHeaders {
  const response = new ServerResponse(new IncomingMessage(new Socket()))
  helmet(options)(response.req, response, () => {})
  // Token answers must never be stored by a cache (RFC 6749 section 5.1); routes that want
  // caching (the JWKS) set their own Cache-Control.
  return { ...response.getHeaders(), 'cache-control': 'no-store' }
}

/**
 * Security headers on every answer, errors and 404s included, and CORS that stays closed
 * unless CORS_ORIGINS lists the browser origins allowed to call the service (closed, no CORS
 * plugin runs at all: an answer without Access-Control-* headers is what closes it).
 */
export default fp(async function httpSecurity (app) {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(API_HEADERS)
    done()
  })

  const origins = corsOrigins(app.config)
  if (origins.length === 0) return
  await app.register(fastifyCors, {
    origin: origins,
    methods: ['GET', 'HEAD', 'POST', 'DELETE'],
    exposedHeaders: ['www-authenticate', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'x-request-id'],
    maxAge: 600
  })
}, { name: 'http-security', dependencies: ['config'] })
