import type { onRequestHookHandler } from 'fastify'
import type { TSchema } from '@sinclair/typebox'
import { BearerHeaders } from './tokens.js'
import { ErrorRef } from './errors.js'

/** A route's own schema: everything but the parts the bearer fragment adds. */
interface RouteSchema {
  response: Record<number, TSchema>
  headers?: never
  security?: never
}

/**
 * The one way to say "this route needs a bearer token": the hook that checks it
 * (`app.authenticate`, or `app.authenticateSessionEnd` for the logout routes), the
 * `Authorization` header, the `bearerAuth` requirement of the OpenAPI document, and the 401 and
 * 503 answers (a token missing, invalid, expired or revoked; Redis unavailable). A route whose
 * request carries more headers (a gateway's) names their schema, `authorization` included.
 */
export function bearerRoute<S extends RouteSchema, H extends TSchema = typeof BearerHeaders> (onRequest: onRequestHookHandler, schema: S, headers?: H) {
  return {
    onRequest,
    schema: {
      ...schema,
      headers: headers ?? BearerHeaders,
      security: [{ bearerAuth: [] }],
      response: { ...schema.response, 401: ErrorRef, 503: ErrorRef }
    }
  }
}
