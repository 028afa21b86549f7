import { test } from 'tap'
import { createServer } from 'node:http'
import { generateKeyPairSync } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { build, testConfig, loginAsNewUser, logout } from '../support/helper.js'
import { pollUntil } from '../support/completes.js'
import { FEED_KEY } from '../../lib/revocation-feed.js'

type Test = { teardown(fn: () => unknown): void }

/** A relying party's back-channel logout endpoint that fails its first `failures` deliveries. */
async function receiver (t: Test, failures: number) {
  const tokens: string[] = []
  let calls = 0
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => { body += chunk.toString() })
    request.on('end', () => {
      calls++
      if (calls <= failures) {
        response.statusCode = 503
        response.end()
        return
      }
      tokens.push(new URLSearchParams(body).get('logout_token') ?? '')
      response.end()
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`, tokens, calls: () => calls }
}

const eddsaKey = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const sidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid

test('each receiver gets a signed logout token for a logout, retried until it answers 2xx', async (t) => {
  const flaky = await receiver(t, 1)
  const steady = await receiver(t, 0)
  const app = await build(t, {
    JWT_ALGORITHM: 'EdDSA',
    JWT_SECRET_KEY: '',
    JWT_PRIVATE_KEY: eddsaKey(),
    BACKCHANNEL_LOGOUT_RECEIVERS: `rp-flaky=${flaky.url}, rp-steady=${steady.url}`
  })
  const { user, tokens } = await loginAsNewUser(app)
  t.equal((await logout(app, tokens.access_token)).statusCode, 200)

  t.ok(await pollUntil(async () => flaky.tokens.length === 1 && steady.tokens.length === 1, 200, 100), 'both receivers got it')
  t.equal(flaky.calls(), 2, 'the receiver that failed once got it on the retry')

  const jwks = createLocalJWKSet((await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json())
  for (const [audience, token] of [['rp-flaky', flaky.tokens[0]], ['rp-steady', steady.tokens[0]]]) {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: app.config.JWT_ISSUER, audience, typ: 'logout+jwt', algorithms: ['EdDSA'] })
    t.equal(protectedHeader.typ, 'logout+jwt')
    t.equal(payload.sid, sidOf(tokens.access_token), `${audience}: the session`)
    t.equal(payload.sub, String(user.id))
    t.same(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} })
    t.type(payload.jti, 'string')
    t.notOk('nonce' in payload, 'no nonce (OpenID Connect Back-Channel Logout 1.0, 2.4)')
    t.equal((payload.exp ?? 0) - (payload.iat ?? 0), 120, 'short-lived')
  }
  t.equal(await app.inject({ method: 'GET', url: '/protected', headers: { authorization: `Bearer ${flaky.tokens[0]}` } }).then(res => res.statusCode), 401,
    'a logout token is no access token')
  const pendingOf = async (group: string) => (await app.redis.xpending(FEED_KEY, group) as [number])[0]
  t.ok(await pollUntil(async () => await pendingOf('backchannel:rp-flaky') === 0 && await pendingOf('backchannel:rp-steady') === 0), 'nothing left pending')
})

test('receivers need an asymmetric algorithm and well-formed entries', async (t) => {
  t.throws(() => testConfig({ BACKCHANNEL_LOGOUT_RECEIVERS: 'rp=https://rp.example.com/logout' }), /^Invalid configuration: BACKCHANNEL_LOGOUT_RECEIVERS needs JWT_ALGORITHM EdDSA, ES256 or RS256/)
  for (const entry of ['https://rp.example.com/logout', 'rp=ftp://rp.example.com', 'rp=not a url', 'bad id=https://rp.example.com']) {
    t.throws(() => testConfig({ JWT_ALGORITHM: 'EdDSA', JWT_SECRET_KEY: '', JWT_PRIVATE_KEY: eddsaKey(), BACKCHANNEL_LOGOUT_RECEIVERS: entry }),
      /^Invalid configuration: BACKCHANNEL_LOGOUT_RECEIVERS entry .+ is not client_id=http\(s\):\/\/url/, entry)
  }
})
