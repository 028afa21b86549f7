/**
 * A resource server's own token check: the signature against the service's JWKS (jose), and
 * the session against the revocation feed (ioredis), with no call to the service per request.
 * A logout anywhere reaches it in about a Redis round trip. See docs/resource-servers.md.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose'
import { Redis, type RedisOptions } from 'ioredis'
import { feedChannel, FEED_KEY, parseSessionEnd, sessionEndOfEntry, type SessionEnd } from '../lib/revocation-feed.js'

export interface LocalVerifierOptions {
  /** The service's key set, e.g. https://auth.example.com/.well-known/jwks.json */
  jwksUrl: string
  /** JWT_ISSUER and JWT_AUDIENCE of the service. */
  issuer: string
  audience: string
  /** The service's Redis (a replica will do) and its REDIS_KEY_PREFIX. */
  redis: RedisOptions
  keyPrefix: string
}

export interface AccessClaims extends JWTPayload { sub: string, sid: string, type: 'access' }

/** Thrown for every token that must not pass; `reason` says why without echoing the token. */
export class Refused extends Error {
  constructor (readonly reason: 'invalid' | 'revoked' | 'feed_unavailable') {
    super(`token refused: ${reason}`)
  }
}

const ALGORITHMS = ['EdDSA', 'ES256', 'RS256']
/** A stream id compares as two numbers: milliseconds, then a sequence. */
const after = (a: string, b: string) => {
  const [am, as] = a.split('-').map(Number)
  const [bm, bs] = b.split('-').map(Number)
  return am > bm || (am === bm && as > bs)
}

export async function createLocalVerifier (options: LocalVerifierOptions) {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl))
  const channel = feedChannel(options.keyPrefix)
  const stream = `${options.keyPrefix}${FEED_KEY}`
  // Ended sessions, each kept until its last access token expires (seconds)
  const ended = new Map<string, number>()
  let lastId = '0-0'
  // Fail closed: while the feed is not followed, a revocation could be missed.
  let following = false

  const remember = (end: SessionEnd | undefined) => {
    if (end === undefined) return
    if (end.exp * 1000 > Date.now()) ended.set(end.sid, end.exp)
    if (after(end.id, lastId)) lastId = end.id
  }

  const subscriber = new Redis({ ...options.redis, lazyConnect: true, autoResubscribe: false })
  const reader = new Redis({ ...options.redis, lazyConnect: true })
  subscriber.on('message', (_channel, message) => remember(parseSessionEnd(message)))
  subscriber.on('error', () => { following = false })
  subscriber.on('close', () => { following = false })

  /** What ended while nobody listened: on start, everything still in the window; after a reconnect, what follows the last id seen. */
  async function catchUp () {
    const entries = await reader.xrange(stream, lastId === '0-0' ? '-' : `(${lastId}`, '+')
    for (const entry of entries) remember(sessionEndOfEntry(entry))
    following = true
  }
  // Subscribed first, then the stream read: an end published in between is seen twice, never missed.
  const follow = () => subscriber.subscribe(channel).then(catchUp)

  const prune = setInterval(() => {
    const now = Date.now() / 1000
    for (const [sid, exp] of ended) if (exp < now) ended.delete(sid)
  }, 60_000)
  prune.unref()

  await reader.connect()
  await subscriber.connect()
  await follow()
  const resume = () => { follow().catch(() => { following = false; setTimeout(resume, 1000).unref() }) }
  subscriber.on('ready', resume)

  return {
    /** The claims of a live access token; throws Refused otherwise. */
    async verify (token: string): Promise<AccessClaims> {
      if (!following) throw new Refused('feed_unavailable')
      let payload: JWTPayload
      try {
        ({ payload } = await jwtVerify(token, jwks, { issuer: options.issuer, audience: options.audience, algorithms: ALGORITHMS }))
      } catch {
        throw new Refused('invalid')
      }
      const { sub, sid, type } = payload
      if (type !== 'access' || typeof sid !== 'string' || typeof sub !== 'string') throw new Refused('invalid')
      if (ended.has(sid)) throw new Refused('revoked')
      return { ...payload, sub, sid, type }
    },
    close () {
      clearInterval(prune)
      subscriber.disconnect()
      reader.disconnect()
    }
  }
}
