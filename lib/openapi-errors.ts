import { Type, type TSchema } from '@sinclair/typebox'
import { ErrorReply } from '../schemas/errors.js'

/** What a route does that decides which errors it can answer with. */
export interface RouteTraits {
  /** It has a body, params, querystring or headers schema. */
  validates: boolean
  /** It parses a request body. */
  hasBody: boolean
  /** It checks credentials (bearer token or introspection client). */
  authenticates: boolean
  /** It reads or writes Redis or MariaDB. */
  usesStores: boolean
  /** A rate limit applies to it. */
  rateLimited: boolean
}

const REASONS: Record<number, string> = {
  400: 'The request does not match its schema (`FST_ERR_VALIDATION`) or breaks a rule of the route',
  401: 'Missing, invalid, expired or revoked credentials; the answer carries `WWW-Authenticate`',
  403: 'Authenticated, but not allowed to do this',
  404: 'Not found; `code` says what',
  409: 'Conflicts with an existing resource; `code` says which field',
  413: 'The body is larger than the route accepts: 4 KiB for credentials, 8 KiB where tokens travel, 16 KiB elsewhere',
  415: 'The body\'s `Content-Type` is not accepted (JSON; forms where the route says so)',
  429: 'Too many requests: retry after the number of seconds in `Retry-After`',
  500: 'Unexpected failure; the answer carries no detail',
  503: 'MariaDB or Redis is unavailable: retry shortly'
}

/** The error statuses a route with these traits can answer with, in ascending order. */
export function errorStatuses (traits: RouteTraits): number[] {
  const statuses = [500]
  if (traits.validates) statuses.push(400)
  if (traits.authenticates) statuses.push(401)
  if (traits.hasBody) statuses.push(413, 415)
  if (traits.rateLimited) statuses.push(429)
  if (traits.usesStores) statuses.push(503)
  return statuses.sort((a, b) => a - b)
}

/** The shared error schema, by reference, described for one status. */
export function errorResponse (status: number): TSchema {
  return Type.Ref(ErrorReply, { description: REASONS[status] ?? 'Error' })
}

const isBareErrorRef = (schema: unknown) =>
  typeof schema === 'object' && schema !== null && '$ref' in schema && schema.$ref === ErrorReply.$id && !('description' in schema)

/**
 * A route's response map with the shared error reply added for each of `statuses` it does not
 * list yet. Statuses the route lists keep their schema; a bare reference to the error reply
 * only gains its description.
 */
export function withErrorResponses (response: Record<string, unknown> | undefined, statuses: number[]): Record<string, unknown> {
  const result: Record<string, unknown> = { ...response }
  for (const [status, schema] of Object.entries(result)) {
    if (isBareErrorRef(schema)) result[status] = errorResponse(Number(status))
  }
  for (const status of statuses) {
    if (!(status in result)) result[status] = errorResponse(status)
  }
  return result
}
