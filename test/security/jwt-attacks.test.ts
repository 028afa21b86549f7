import { test, type Test } from 'tap'
import { createHmac, createPublicKey, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { build, register, login, getProtected, refresh, logout, type Tokens } from '../support/helper.js'

/**
 * The JWT attack catalogue (RFC 8725, jwt_tool's list): every forged, altered or misused token is
 * refused with a 401 JSON error, on both token routes, and reported inactive by /introspect,
 * under a symmetric and an asymmetric algorithm. Each attack starts from a real session, so only
 * the attack itself can be the reason.
 */

type Json = Record<string, unknown>
const b64 = (value: Json | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ format: 'pem', type }).toString()
const now = () => Math.floor(Date.now() / 1000)

/** Signs any header and payload (already encoded) the way an attacker holding `key` would. */
function signWith (alg: 'HS256' | 'RS256', key: string | KeyObject, header: string, payload: string) {
  const input = `${header}.${payload}`
  const signature = alg === 'HS256'
    ? createHmac('sha256', key).update(input).digest('base64url')
    : createSign('sha256').update(input).sign(key).toString('base64url')
  return `${input}.${signature}`
}

function parts (token: string) {
  const [header, payload, signature] = token.split('.')
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Json,
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Json,
    signature
  }
}

interface Suite {
  alg: 'HS256' | 'RS256'
  overrides(file: (name: string, text: string) => string): Record<string, unknown>
  /** Signs with what the service trusts: the secret, or the current private key. */
  legit(header: Json | string, claims: Json | string): string
  /** The public key an attacker can read from the JWKS (asymmetric only). */
  publicPem?: string
  /** The public key of the previous (rotated-out, still listed) key. */
  previousPem?: string
}

function hs256Suite (): Suite {
  const secret = randomBytes(32).toString('hex')
  return {
    alg: 'HS256',
    overrides: () => ({ JWT_SECRET_KEY: secret }),
    legit: (header, claims) => signWith('HS256', secret, b64(header), b64(claims))
  }
}

function rs256Suite (): Suite {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const previous = generateKeyPairSync('ed25519').privateKey
  return {
    alg: 'RS256',
    // A previous key is listed, so verification picks a key by `kid`: that path is attacked too
    overrides: (file) => ({
      JWT_ALGORITHM: 'RS256',
      JWT_SECRET_KEY: '',
      JWT_PRIVATE_KEY: pem(privateKey, 'pkcs8'),
      JWT_PREVIOUS_PUBLIC_KEYS_FILE: file('previous.pem', pem(createPublicKey(previous), 'spki'))
    }),
    legit: (header, claims) => signWith('RS256', privateKey, b64(header), b64(claims)),
    publicPem: pem(createPublicKey(privateKey), 'spki'),
    previousPem: pem(createPublicKey(previous), 'spki')
  }
}

/** A loopback listener that records every request: a key URL in a token must never be fetched. */
async function keyServer (t: { teardown(fn: () => unknown): void }) {
  const hits: string[] = []
  const server = createServer((req, res) => { hits.push(req.url ?? ''); res.end('{"keys":[]}') })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise(resolve => server.close(resolve)))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, hits }
}

/** An attack turns a genuine token (of the type the route wants) into the one sent. */
type Attack = (token: string, ctx: { suite: Suite, keyUrl: string, previousKid: string }) => string

/** The token's header with changed claims, signed with what the service trusts. */
const resigned = (change: (claims: Json) => Json): Attack => (token, { suite }) => {
  const { header, claims } = parts(token)
  return suite.legit(header, change(claims))
}

const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
const attackerJwk = { ...createPublicKey(attacker).export({ format: 'jwk' }), kid: 'attacker' }

const catalogue: Record<string, Attack> = {
  'alg none, no signature': (token) => {
    const { header, claims } = parts(token)
    return `${b64({ ...header, alg: 'none' })}.${b64(claims)}.`
  },
  'alg None (other case)': (token) => {
    const { claims } = parts(token)
    return `${b64({ alg: 'None', typ: 'JWT' })}.${b64(claims)}.`
  },
  'HS256 signed with a wrong secret': (token) => {
    const { header, claims } = parts(token)
    return signWith('HS256', randomBytes(32).toString('hex'), b64({ ...header, alg: 'HS256' }), b64(claims))
  },
  'tampered payload (another user), signature kept': (token) => {
    const [header, , signature] = token.split('.')
    const { claims } = parts(token)
    return `${header}.${b64({ ...claims, sub: String(Number(claims.sub) + 1) })}.${signature}`
  },
  'tampered payload (later expiry), signature kept': (token) => {
    const [header, , signature] = token.split('.')
    const { claims } = parts(token)
    return `${header}.${b64({ ...claims, exp: now() + 86_400 * 365 })}.${signature}`
  },
  'signature stripped, trailing dot kept': (token) => token.slice(0, token.lastIndexOf('.') + 1),
  'signature stripped, two segments': (token) => token.slice(0, token.lastIndexOf('.')),
  'signature of another token': (token, { suite }) => {
    const other = suite.legit(parts(token).header, { ...parts(token).claims, jti: 'other' })
    return `${token.slice(0, token.lastIndexOf('.'))}.${other.split('.')[2]}`
  },
  'kid path traversal to /dev/null, HS256 with an empty key': (token) => {
    const { claims } = parts(token)
    return signWith('HS256', '', b64({ alg: 'HS256', typ: 'JWT', kid: '../../../../../../dev/null' }), b64(claims))
  },
  'kid SQL injection, HS256 with the injected key': (token) => {
    const { claims } = parts(token)
    return signWith('HS256', 'pwned', b64({ alg: 'HS256', typ: 'JWT', kid: "x' UNION SELECT 'pwned' -- " }), b64(claims))
  },
  'jku pointing at an attacker\'s JWKS': (token, { keyUrl }) => {
    const { claims } = parts(token)
    return signWith('RS256', attacker, b64({ alg: 'RS256', typ: 'JWT', kid: 'attacker', jku: `${keyUrl}/jwks.json` }), b64(claims))
  },
  'x5u pointing at an attacker\'s certificate': (token, { keyUrl }) => {
    const { claims } = parts(token)
    return signWith('RS256', attacker, b64({ alg: 'RS256', typ: 'JWT', x5u: `${keyUrl}/cert.pem` }), b64(claims))
  },
  'jwk header embedding the attacker\'s key': (token) => {
    const { claims } = parts(token)
    return signWith('RS256', attacker, b64({ alg: 'RS256', typ: 'JWT', jwk: attackerJwk }), b64(claims))
  },
  'expired (validly signed)': resigned(claims => ({ ...claims, iat: now() - 120, exp: now() - 60 })),
  'not yet valid: nbf in the future (validly signed)': resigned(claims => ({ ...claims, nbf: now() + 3600 })),
  'wrong issuer (validly signed)': resigned(claims => ({ ...claims, iss: 'someone-else' })),
  'wrong audience (validly signed)': resigned(claims => ({ ...claims, aud: 'another-api' })),
  'no expiry claim (validly signed)': resigned(({ exp: _exp, ...rest }) => rest),
  'token id never stored (validly signed)': resigned(claims => ({ ...claims, jti: 'never-stored' })),
  'session id never stored (validly signed)': resigned(claims => ({ ...claims, sid: 'no-such-session' })),
  'another user in sub, session kept (validly signed)': resigned(claims => ({ ...claims, sub: String(Number(claims.sub) + 1) })),
  'sub "1abc": the user id with letters (validly signed)': resigned(claims => ({ ...claims, sub: `${String(claims.sub)}abc` })),
  'malformed base64 in the header': (token) => `!!not*base64${token.slice(token.indexOf('.'))}`,
  'malformed base64 in the payload': (token) => {
    const [header, , signature] = token.split('.')
    return `${header}.%%%%.${signature}`
  },
  'malformed JSON header (validly signed)': (token, { suite }) => suite.legit(`{"alg":"${suite.alg}","typ":"JWT"`, parts(token).claims),
  'malformed JSON payload (validly signed)': (token, { suite }) => suite.legit(parts(token).header, '{"sub":"1",'),
  'payload not an object (validly signed)': (token, { suite }) => suite.legit(parts(token).header, '"just a string"'),
  'four segments': (token) => `${token}.${token.split('.')[2]}`
}

const asymmetricOnly: Record<string, Attack> = {
  'HS256 signed with the public key (PEM) as the secret': (token, { suite }) => {
    const { header, claims } = parts(token)
    return signWith('HS256', suite.publicPem ?? '', b64({ ...header, alg: 'HS256' }), b64(claims))
  },
  'HS256 signed with the public key (PEM without final newline) as the secret': (token, { suite }) => {
    const { header, claims } = parts(token)
    return signWith('HS256', (suite.publicPem ?? '').trimEnd(), b64({ ...header, alg: 'HS256' }), b64(claims))
  },
  'HS256 keyed with the previous public key, under that key\'s kid': (token, { suite, previousKid }) => {
    return signWith('HS256', suite.previousPem ?? '', b64({ alg: 'HS256', typ: 'JWT', kid: previousKid }), b64(parts(token).claims))
  },
  'RS256 signed by an attacker, under the previous key\'s kid': (token, { previousKid }) => {
    return signWith('RS256', attacker, b64({ alg: 'RS256', typ: 'JWT', kid: previousKid }), b64(parts(token).claims))
  }
}

const introspectionClient = { INTROSPECTION_CLIENT_ID: 'resource-server', INTROSPECTION_CLIENT_SECRET: randomBytes(16).toString('hex') }

/** What a resource server that cannot reach Redis is told about the token. */
async function introspect (app: FastifyInstance, token: string): Promise<unknown> {
  const basic = Buffer.from(`${introspectionClient.INTROSPECTION_CLIENT_ID}:${introspectionClient.INTROSPECTION_CLIENT_SECRET}`).toString('base64')
  const res = await app.inject({ method: 'POST', url: '/introspect', headers: { authorization: `Basic ${basic}` }, payload: { token } })
  return res.statusCode === 200 ? res.json() : res.statusCode
}

function refused (t: Test, res: LightMyRequestResponse, what: string) {
  t.equal(res.statusCode, 401, what)
  t.match(res.json(), { statusCode: 401, error: 'Unauthorized', code: /^(TOKEN_(INVALID|EXPIRED|REVOKED)|REFRESH_TOKEN_REUSED)$/ }, what)
  t.match(res.headers['www-authenticate'], /^Bearer /, what)
}

for (const makeSuite of [hs256Suite, rs256Suite]) {
  const suite = makeSuite()
  test(`${suite.alg}: every attack of the catalogue is refused with a 401 at /protected and /refresh, and is inactive at /introspect`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'jwt-attacks-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const file = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name) }
    const app = await build(t, { ...suite.overrides(file), ...introspectionClient, REFRESH_REUSE_INTERVAL_SECONDS: 0 })
    const keys = await keyServer(t)
    const user = await register(app)
    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: Array<{ kid: string }> }>()
    const previousKid = jwks.keys[1]?.kid ?? ''
    if (suite.previousPem !== undefined) t.equal(jwks.keys.length, 2, 'the previous key is published, so its kid picks a verifier')
    const attacks = { ...catalogue, ...(suite.publicPem === undefined ? {} : asymmetricOnly) }

    for (const [name, attack] of Object.entries(attacks)) {
      // A session of its own: a refused attack must not owe its 401 to an earlier one
      const tokens = await login(app, user)
      const ctx = { suite, keyUrl: keys.url, previousKid }
      refused(t, await getProtected(app, attack(tokens.access_token, ctx)), `${name} at /protected`)
      t.same(await introspect(app, attack(tokens.access_token, ctx)), { active: false }, `${name}: inactive at /introspect`)
      t.equal((await getProtected(app, tokens.access_token)).statusCode, 200, `${name}: the genuine token still works`)
      // A validly signed refresh token that is not the session's current one counts as reuse
      // and revokes the session (REFRESH_TOKEN_REUSED): only the key holder can sign one.
      refused(t, await refresh(app, attack(tokens.refresh_token, ctx)), `${name} at /refresh`)
    }
    t.same(keys.hits, [], 'no key URL from a token header was ever fetched')
  })

  test(`${suite.alg}: misused genuine tokens are refused`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'jwt-attacks-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const file = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name) }
    const app = await build(t, { ...suite.overrides(file), REFRESH_REUSE_INTERVAL_SECONDS: 0 })
    const user = await register(app)

    const swapped = await login(app, user)
    refused(t, await getProtected(app, swapped.refresh_token), 'a refresh token at /protected')
    refused(t, await refresh(app, swapped.access_token), 'an access token at /refresh')
    t.equal((await getProtected(app, swapped.access_token)).statusCode, 200, 'failed attempts do not revoke the session')

    const loggedOut: Tokens = await login(app, user)
    t.equal((await logout(app, loggedOut.access_token)).statusCode, 200)
    refused(t, await getProtected(app, loggedOut.access_token), 'an access token replayed after logout')
    refused(t, await refresh(app, loggedOut.refresh_token), 'a refresh token replayed after logout')

    const rotated = await login(app, user)
    t.equal((await refresh(app, rotated.refresh_token)).statusCode, 200)
    refused(t, await getProtected(app, rotated.access_token), 'an access token replayed after its rotation')
    refused(t, await refresh(app, rotated.refresh_token), 'a refresh token replayed after its rotation')
  })
}

test('a 16 KB token gets a 4xx, never a 500: 401 at /protected, 413 at /refresh, 431 over real HTTP', async (t) => {
  const app: FastifyInstance = await build(t)
  const tokens = await login(app, await register(app))
  const pad = (token: string) => {
    const [header, , signature] = token.split('.')
    return `${header}.${b64({ ...parts(token).claims, pad: 'x'.repeat(12 * 1024) })}.${signature}`
  }
  refused(t, await getProtected(app, pad(tokens.access_token)), 'at /protected')
  const atRefresh = await refresh(app, pad(tokens.refresh_token))
  t.equal(atRefresh.statusCode, 413, 'the body of /refresh is over its limit')
  t.match(atRefresh.json(), { statusCode: 413, error: 'Payload Too Large' })

  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const huge = `Bearer ${pad(tokens.access_token)}${'A'.repeat(4 * 1024)}`
  const res = await fetch(`http://127.0.0.1:${port}/protected`, { headers: { authorization: huge } })
  t.equal(res.status, 431, 'the header block is refused before the app sees it')
  t.match(res.headers.get('content-type'), /^application\/json/)
  t.match(await res.json(), { statusCode: 431, error: 'Request Header Fields Too Large' }, 'a JSON error still')
})
