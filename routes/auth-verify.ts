import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerRoute } from '../schemas/bearer-route.js'
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { accessOf, loadForwardAuthRules } from '../lib/forward-auth-rules.js'
import { errors } from '../lib/errors.js'
import { ErrorRef } from '../schemas/errors.js'
import { ForwardAuthAllowed, ForwardAuthHeaders } from '../schemas/forward-auth.js'

const ALIAS_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

const header = (request: FastifyRequest, name: string) => {
  const value = request.headers[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The request the gateway asks about: Envoy's ext_authz appends its path to ours instead of sending a header. */
function forwarded (request: FastifyRequest) {
  const wildcard = (request.params as { '*'?: string })['*']
  return {
    method: header(request, 'x-forwarded-method') ?? request.method,
    uri: header(request, 'x-forwarded-uri') ?? header(request, 'x-original-uri') ?? (wildcard === undefined ? '/' : `/${wildcard}`)
  }
}

function allow (request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-auth-user-id', request.user.sub).header('x-auth-session-id', request.user.sid).send()
}

/**
 * Forward authentication for gateways (nginx auth_request, Traefik ForwardAuth, Caddy
 * forward_auth, Envoy ext_authz over HTTP). A live access token costs what /protected costs: the
 * same authenticate hook, nothing more. Without FORWARD_AUTH_RULES_FILE no forwarded header is
 * even read. No rate limit: a gateway asks once per request of every client behind it.
 */
const route: FastifyPluginAsyncTypebox = async (app) => {
  const file = app.config.FORWARD_AUTH_RULES_FILE
  const access = file === '' ? undefined : accessOf(loadForwardAuthRules(file))

  const check: onRequestHookHandler = access === undefined
    ? app.authenticate
    : function (request, reply, done) {
      const { method, uri } = forwarded(request)
      const needed = access(method, uri)
      if (needed === 'deny') return done(new errors.ForwardAuthDenied())
      if (needed === 'public') return reply.send()
      app.authenticate.call(this, request, reply, done)
    }

  // Gateways send bodies along (or only a Content-Length) in any type: none is read.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', function (_request, _payload, done) { done(null) })

  app.get('/auth/verify', {
    config: { rateLimit: false },
    ...bearerRoute(check, {
      tags: ['gateways'],
      summary: 'Forward auth: 200 and identity headers for a live access token, 401 otherwise',
      description: 'For gateways in front of other services. Any method is answered the same way; the request ' +
        'checked is named by `X-Forwarded-Method` and `X-Forwarded-Uri` (or `X-Original-URI`), or for Envoy by ' +
        'the path after `/auth/verify/`. Rules from `FORWARD_AUTH_RULES_FILE` may make a path public or deny it (403). ' +
        'Send `Authorization: Bearer <access_token>` (the client\'s own header, passed on by the gateway).',
      operationId: 'verifyForGateway',
      response: { 200: ForwardAuthAllowed, 403: ErrorRef }
    }, ForwardAuthHeaders)
  }, allow)

  app.route({
    method: ALIAS_METHODS,
    url: '/auth/verify',
    onRequest: check,
    config: { rateLimit: false },
    schema: { hide: true },
    handler: allow
  })
  app.route({
    method: ['GET', ...ALIAS_METHODS],
    url: '/auth/verify/*',
    onRequest: check,
    config: { rateLimit: false },
    schema: { hide: true },
    handler: allow
  })
}

export default route
