import { Type } from '@sinclair/typebox'

/** What gateways send along with the client's token (nginx, Traefik, Caddy, Envoy). */
export const ForwardAuthHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <access_token>, as the client sent it' })),
  'x-forwarded-method': Type.Optional(Type.String({ description: 'The method of the request the gateway checks (Traefik, Caddy)', examples: ['POST'] })),
  'x-forwarded-uri': Type.Optional(Type.String({ description: 'Its path and query (Traefik, Caddy); wins over X-Original-URI', examples: ['/api/orders?page=2'] })),
  'x-original-uri': Type.Optional(Type.String({ description: 'Its path and query (nginx: `proxy_set_header X-Original-URI $request_uri`)', examples: ['/api/orders?page=2'] }))
})

export const ForwardAuthAllowed = Type.Null({
  description: 'Allowed, with an empty body. For a live access token the identity travels in headers: ' +
    '`X-Auth-User-Id` (the user id) and `X-Auth-Session-Id` (the session id); a path that the rules make ' +
    '`public` gets none.'
})
