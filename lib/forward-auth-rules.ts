import { readFileSync } from 'node:fs'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

/**
 * What a rule asks of a request. `public`: no token needed; `authenticated`: a live access token;
 * `deny`: refused whoever asks. A rule will also take `roles` once tokens carry roles.
 */
const Access = Type.Union([Type.Literal('public'), Type.Literal('authenticated'), Type.Literal('deny')])
export type AccessType = Static<typeof Access>

const Rule = Type.Object({
  prefix: Type.String({ pattern: '^/', maxLength: 2048 }),
  methods: Type.Optional(Type.Array(Type.Union(METHODS.map(method => Type.Literal(method))), { minItems: 1, uniqueItems: true })),
  access: Access
}, { additionalProperties: false })

export const ForwardAuthRules = Type.Object({
  default: Type.Optional(Access),
  rules: Type.Array(Rule, { maxItems: 1000 })
}, { additionalProperties: false })
export type ForwardAuthRulesType = Static<typeof ForwardAuthRules>

/** Decides what a forwarded request needs: the longest matching prefix wins, a rule naming the method before one that does not. */
export type AccessOf = (method: string, uri: string) => AccessType

/** `/a` covers `/a` and `/a/...`, never `/ab`; a prefix ending in `/` covers everything under it. */
const covers = (prefix: string, path: string) =>
  path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)

/**
 * The path a gateway forwarded, read the way nginx reads it before routing: query and fragment
 * dropped, percent-escapes decoded, repeated slashes merged, then dot segments resolved, so that
 * `/%61dmin`, `/public/../admin` and `/public//../admin` all meet the rules of `/admin`.
 * Undefined when upstreams may read it in different ways (a bad escape; an escaped slash,
 * backslash, NUL, `?` or `#`; a literal backslash): such a request is denied.
 */
export function forwardedPath (uri: string): string | undefined {
  const raw = uri.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/, 1)[0]
  if (!raw.startsWith('/') || raw.includes('\\') || /%(2f|5c|00|3f|23)/i.test(raw)) return undefined
  let decoded: string
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    return undefined
  }
  const segments: string[] = []
  const parts = decoded.split(/\/+/).slice(1)
  for (const part of parts) {
    if (part === '..') segments.pop()
    else if (part !== '.') segments.push(part)
  }
  const last = parts.at(-1)
  return `/${segments.join('/')}${last === '.' || last === '..' ? '/' : ''}`.replace(/\/{2,}/g, '/')
}

/** The rules as a lookup; every request is `authenticated` without rules. */
export function accessOf (config: ForwardAuthRulesType): AccessOf {
  const fallback = config.default ?? 'authenticated'
  const ordered = [...config.rules].sort((a, b) =>
    b.prefix.length - a.prefix.length || Number(b.methods !== undefined) - Number(a.methods !== undefined))
  return (method, uri) => {
    const path = forwardedPath(uri)
    if (path === undefined) return 'deny'
    const upper = method.toUpperCase()
    const rule = ordered.find(rule => covers(rule.prefix, path) &&
      (rule.methods === undefined || rule.methods.some(allowed => allowed === upper)))
    return rule?.access ?? fallback
  }
}

/**
 * Reads and validates FORWARD_AUTH_RULES_FILE (JSON). Throws one line saying what to fix; the
 * message names the file and the place, never the file's content.
 */
export function loadForwardAuthRules (file: string): ForwardAuthRulesType {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    const reason = err instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read'
    throw new Error(`Invalid configuration: FORWARD_AUTH_RULES_FILE ${file} ${reason}`)
  }
  const problem = Value.Errors(ForwardAuthRules, parsed).First()
  if (problem !== undefined) {
    throw new Error(`Invalid configuration: FORWARD_AUTH_RULES_FILE ${file}: ${problem.path || '/'} ${problem.message}`)
  }
  return Value.Decode(ForwardAuthRules, parsed)
}
