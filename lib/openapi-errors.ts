import { Type, type TSchema } from '@sinclair/typebox'
import { STATUS_CODES } from 'node:http'
import { ErrorReply, type ErrorReplyType } from '../schemas/errors.js'
import { errors } from './errors.js'

/** What a route does that decides which errors it can answer with. */
export interface RouteTraits {
  /** It has a body, params, querystring or headers schema. */
  validates: boolean
  /** Its method carries a body (POST, PUT, PATCH, DELETE), whether the route reads one or not. */
  hasBody: boolean
  /** It checks credentials (bearer token or introspection client). */
  authenticates: boolean
  /** A rate limit applies to it. */
  rateLimited: boolean
}

const REASONS: Record<number, string> = {
  400: 'The request does not match its schema (`FST_ERR_VALIDATION`), its body is not JSON, or it breaks a rule of the route',
  401: 'Missing, invalid, expired or revoked credentials; the answer carries `WWW-Authenticate`',
  403: 'Authenticated, but not allowed to do this',
  404: 'Not found; `code` says what',
  409: 'Conflicts with an existing resource; `code` says which field',
  413: 'The body is larger than the route accepts: 4 KiB for credentials, 8 KiB where tokens travel, 16 KiB elsewhere',
  415: 'The body\'s `Content-Type` is not accepted (JSON; forms where the route says so); a request without a body never gets it',
  429: 'Too many requests: retry after the number of seconds in `Retry-After`',
  500: 'Unexpected failure; the answer carries no detail',
  503: 'MariaDB or Redis is unavailable: retry shortly'
}

const reply = (statusCode: number, message: string, code?: string): ErrorReplyType =>
  ({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(code === undefined ? {} : { code }) })
const replyOf = (err: { statusCode?: number, message: string, code: string }) => reply(err.statusCode ?? 500, err.message, err.code)

/** One typical answer per status, as the error handler (plugins/errors.ts) shapes it. */
const EXAMPLES: Record<number, ErrorReplyType> = {
  400: reply(400, 'body/password must NOT have fewer than 8 characters', 'FST_ERR_VALIDATION'),
  401: replyOf(new errors.RevokedToken()),
  403: replyOf(new errors.WrongCurrentPassword()),
  404: replyOf(new errors.SessionNotFound()),
  409: replyOf(new errors.UsernameTaken()),
  413: reply(413, 'Request body is too large', 'FST_ERR_CTP_BODY_TOO_LARGE'),
  415: reply(415, 'The content type of the body is not accepted', 'FST_ERR_CTP_INVALID_MEDIA_TYPE'),
  429: replyOf(new errors.RateLimited('60 seconds')),
  500: reply(500, 'Internal Server Error'),
  503: replyOf(new errors.TokenStoreUnavailable())
}

const seconds = (description: string) => ({ type: 'integer', minimum: 0, description })

/** Rate-limit headers (IETF draft, as @fastify/rate-limit's enableDraftSpec sends them) of every limited answer. */
export const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': seconds('Requests allowed per window by the limit closest to running out'),
  'RateLimit-Remaining': seconds('Requests left in the window'),
  'RateLimit-Reset': seconds('Seconds until the window resets')
}

/** Response headers of an error status that clients rely on. */
function headersOf (status: number): Record<string, object> | undefined {
  if (status === 401) return { 'WWW-Authenticate': { type: 'string', description: 'RFC 6750 challenge: `Bearer realm="jwt-microservice"`, with `error="invalid_token"` and a description for a bad token; `Basic` on /introspect' } }
  if (status === 429) return { 'Retry-After': seconds('Seconds to wait before retrying'), ...RATE_LIMIT_HEADERS }
  return undefined
}

/**
 * The example of an error status. @fastify/swagger drops an example set beside a $ref, so the
 * document gets it afterwards (plugins/swagger.ts).
 */
export const errorExample = (status: number): ErrorReplyType | undefined => EXAMPLES[status]

/** The error statuses a route with these traits can answer with, in ascending order. */
export function errorStatuses (traits: RouteTraits): number[] {
  const statuses = new Set([500])
  // A body is parsed (400 for JSON that is not, 413, 415) on every method that has one
  if (traits.validates || traits.hasBody) statuses.add(400)
  if (traits.authenticates) statuses.add(401)
  if (traits.hasBody) [413, 415].forEach(status => statuses.add(status))
  if (traits.rateLimited) statuses.add(429)
  return [...statuses].sort((a, b) => a - b)
}

/** The shared error schema, by reference, described for one status, with its headers. */
export function errorResponse (status: number): TSchema {
  const headers = headersOf(status)
  return Type.Ref(ErrorReply, { description: REASONS[status] ?? 'Error', ...(headers === undefined ? {} : { headers }) })
}

const isBareErrorRef = (schema: unknown) =>
  typeof schema === 'object' && schema !== null && '$ref' in schema && schema.$ref === ErrorReply.$id && !('description' in schema)

/**
 * A route's response map with the shared error reply added for each of `statuses` it does not
 * list yet. Statuses the route lists keep their schema; a bare reference to the error reply
 * gains its description and headers.
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
