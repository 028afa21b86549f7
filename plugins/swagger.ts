import fp from 'fastify-plugin'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifySchema, RouteOptions } from 'fastify'
import pkg from '../package.json' with { type: 'json' }
import { errorExample, errorStatuses, RATE_LIMIT_HEADERS, withErrorResponses } from '../lib/openapi-errors.js'
import { DOCUMENTATION_PREFIX } from '../lib/paths.js'

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** The header each security scheme asks for, spelled out on the operations that use it. */
const SCHEME_HEADERS: Record<string, string> = {
  bearerAuth: 'Send `Authorization: Bearer <access_token>` (the `access_token` of `/login` or `/refresh`).',
  basicAuth: 'Send `Authorization: Basic <base64 of INTROSPECTION_CLIENT_ID:INTROSPECTION_CLIENT_SECRET>`.'
}

const ERROR_REF = '#/components/schemas/ErrorReply'
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null
const acceptsNull = (schema: unknown) =>
  isObject(schema) && Array.isArray(schema.anyOf) && schema.anyOf.some(branch => isObject(branch) && branch.type === 'null')

/**
 * Fastify validates a missing body as null, so a body schema that accepts null (schemas/no-body.ts)
 * makes the body optional: the document says so, or generated clients would demand one. Its
 * example is `{}` (an example on a reference does not reach the document). Other referenced
 * bodies and answers show their component's first example.
 */
function withOptionalBodies<D extends { paths?: unknown, components?: unknown }> (document: D): D {
  const components = isObject(document.components) && isObject(document.components.schemas) ? document.components.schemas : {}
  const resolve = (schema: unknown) =>
    isObject(schema) && typeof schema.$ref === 'string' ? components[schema.$ref.replace('#/components/schemas/', '')] : schema
  for (const item of Object.values(isObject(document.paths) ? document.paths : {})) {
    for (const operation of Object.values(isObject(item) ? item : {})) {
      const body: unknown = isObject(operation) ? operation.requestBody : undefined
      const json = isObject(body) && isObject(body.content) ? body.content['application/json'] : undefined
      if (isObject(body) && isObject(json) && acceptsNull(resolve(json.schema))) {
        body.required = false
        json.example = {}
      }
      // A shared body or answer (a $ref) shows its component's first example, which the
      // reference itself cannot carry
      const responses = isObject(operation) && isObject(operation.responses) ? Object.values(operation.responses) : []
      for (const media of [body, ...responses].map(part => isObject(part) && isObject(part.content) ? part.content['application/json'] : undefined)) {
        const component = isObject(media) && isObject(media.schema) && typeof media.schema.$ref === 'string' ? resolve(media.schema) : undefined
        if (isObject(media) && media.example === undefined && isObject(component) && Array.isArray(component.examples)) media.example = component.examples[0]
      }
    }
  }
  return document
}

/** Each error answer of the shared schema shows the example of its status. */
function withErrorExamples<D extends { paths?: unknown }> (document: D): D {
  for (const item of Object.values(isObject(document.paths) ? document.paths : {})) {
    for (const operation of Object.values(isObject(item) ? item : {})) {
      const responses = isObject(operation) && isObject(operation.responses) ? operation.responses : {}
      for (const [status, response] of Object.entries(responses)) {
        const json = isObject(response) && isObject(response.content) ? response.content['application/json'] : undefined
        const example = errorExample(Number(status))
        if (isObject(json) && isObject(json.schema) && json.schema.$ref === ERROR_REF && example !== undefined) json.example = example
      }
    }
  }
  return document
}

/** Success answers of a rate-limited route carry the RateLimit-* headers. */
function withRateLimitHeaders (response: Record<string, unknown> | undefined) {
  return response === undefined
    ? undefined
    : Object.fromEntries(Object.entries(response).map(([status, schema]) =>
      [status, Number(status) < 400 && isObject(schema) ? { ...schema, headers: RATE_LIMIT_HEADERS } : schema]))
}

const asList = <T>(value: T | T[] | undefined): T[] => value === undefined ? [] : Array.isArray(value) ? value : [value]

/**
 * The OpenAPI 3.1 document, built from the routes' TypeBox schemas. Shared schemas (added with
 * addSchema and an $id) become components/schemas under that $id. The UI and the JSON/YAML
 * routes are served at /documentation unless DOCS_ENABLED is false; the document itself is
 * always built (`npm run openapi` writes it out).
 */
export default fp(async function swagger (app) {
  const { config } = app

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: pkg.name,
        version: pkg.version,
        description: `${pkg.description}. Errors share one shape (\`ErrorReply\`) with a stable \`code\`; every 401 carries \`WWW-Authenticate\`.`
      },
      // Relative: Swagger UI's "Try it out" and generated clients reach the instance that
      // serves the document, at whatever host name and port it was opened.
      servers: [{ url: '/', description: 'The instance serving this document' }],
      tags: [
        { name: 'users', description: 'Accounts: register, profile, password, deletion' },
        { name: 'accounts', description: 'Recovery and proof of address: password reset, email verification and change' },
        { name: 'tokens', description: 'Log in, rotate the refresh token, log out' },
        { name: 'protected', description: 'Resources that need a live access token' },
        { name: 'sessions', description: 'The caller\'s sessions (one per login)' },
        { name: 'mfa', description: 'Second factor: TOTP enrolment, recovery codes, step-up to aal2 (docs/mfa.md)' },
        { name: 'keys', description: 'Verifying tokens elsewhere: JWKS and introspection' },
        { name: 'gateways', description: 'Forward authentication for nginx, Traefik, Caddy and Envoy' },
        { name: 'health', description: 'Liveness of the service and its stores' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'The `access_token` of `/login` or `/refresh`: `Authorization: Bearer <access_token>`'
          },
          basicAuth: {
            type: 'http',
            scheme: 'basic',
            description: 'Introspection client: `INTROSPECTION_CLIENT_ID` and `INTROSPECTION_CLIENT_SECRET`'
          }
        }
      }
    },
    transformObject: (document) => 'openapiObject' in document ? withErrorExamples(withOptionalBodies(document.openapiObject)) : document.swaggerObject,
    refResolver: {
      // Components are named after the shared schema's $id (`ErrorReply`), not `def-N`.
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    }
  })

  // Coupling with the rate limiter: @fastify/rate-limit decorates `rateLimit` when it is
  // registered (RATE_LIMIT_ENABLED) and, registered before the routes, limits every route whose
  // config does not say `rateLimit: false`. Those routes document 429.
  const rateLimitEnabled = !('RATE_LIMIT_ENABLED' in config) || config.RATE_LIMIT_ENABLED !== false

  app.addHook('onRoute', function (route: RouteOptions) {
    const schema: FastifySchema | undefined = route.schema
    if (schema === undefined || schema.hide === true) return
    const security = schema.security ?? []
    const limitOff = route.config !== undefined && 'rateLimit' in route.config && route.config.rateLimit === false
    const rateLimited = rateLimitEnabled && this.hasDecorator('rateLimit') && !limitOff
    const statuses = errorStatuses({
      validates: [schema.body, schema.params, schema.querystring, schema.headers].some(part => part !== undefined),
      // Fastify parses the body of these methods on every route: it may be too large or of another type
      hasBody: asList(route.method).some(method => BODY_METHODS.has(method)),
      authenticates: security.length > 0,
      rateLimited
    })
    const headers = security.flatMap(requirement => Object.keys(requirement)).map(name => SCHEME_HEADERS[name])
    const response = typeof schema.response === 'object' && schema.response !== null ? { ...schema.response } : undefined
    route.schema = {
      ...schema,
      ...(schema.description === undefined && headers.length > 0 ? { description: headers.join(' ') } : {}),
      response: withErrorResponses(rateLimited ? withRateLimitHeaders(response) : response, statuses)
    }
  })

  if (config.DOCS_ENABLED) {
    await app.register(fastifySwaggerUi, {
      routePrefix: DOCUMENTATION_PREFIX,
      // The UI sets its own CSP on its routes (after any global one, e.g. helmet's), without
      // upgrade-insecure-requests so that it also loads over plain HTTP on a private network.
      // connect-src 'self' (default-src already says so; spelled out as what "Try it out" needs):
      // the relative server is the origin the page was opened at.
      staticCSP: true,
      transformStaticCSP: (header) => `${header.replace(/ ?upgrade-insecure-requests;?/, '')} connect-src 'self';`
    })
  }
}, { name: 'swagger', dependencies: ['config', 'schemas'] })
