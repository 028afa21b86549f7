import { test } from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { build, localServices, loginAsNewUser } from '../support/helper.js'
import { createLocalVerifier, Refused } from '../../examples/local-verifier.js'

type Test = { teardown(fn: () => unknown): void }

async function service (t: Test) {
  const { privateKey } = generateKeyPairSync('ed25519')
  const app = await build(t, { JWT_ALGORITHM: 'EdDSA', JWT_SECRET_KEY: '', JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  let requests = 0
  app.server.on('request', () => { requests++ })
  return { app, url, requests: () => requests }
}

async function verifierOf (t: Test, app: Awaited<ReturnType<typeof service>>) {
  const verifier = await createLocalVerifier({
    jwksUrl: `${app.url}/.well-known/jwks.json`,
    issuer: app.app.config.JWT_ISSUER,
    audience: app.app.config.JWT_AUDIENCE,
    redis: { host: localServices.REDIS_HOST, port: Number(localServices.REDIS_PORT), password: localServices.REDIS_PASSWORD || undefined },
    keyPrefix: app.app.config.REDIS_KEY_PREFIX
  })
  t.teardown(() => verifier.close())
  return verifier
}

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err instanceof Refused ? err.reason : 'other')

test('a local verifier accepts a live token without calling the service, and refuses it within 100 ms of its logout', async (t) => {
  const svc = await service(t)
  const verifier = await verifierOf(t, svc)
  const { user, tokens } = await loginAsNewUser(svc.app)

  const claims = await verifier.verify(tokens.access_token)
  t.equal(claims.sub, String(user.id))
  const before = svc.requests()
  for (let i = 0; i < 100; i++) await verifier.verify(tokens.access_token)
  t.equal(svc.requests(), before, '100 checks, no request to the service (the key set is cached)')
  t.equal(await refusal(verifier.verify(tokens.refresh_token)), 'invalid', 'a refresh token is not an access token')
  t.equal(await refusal(verifier.verify(`${tokens.access_token}x`)), 'invalid')

  const logout = await fetch(`${svc.url}/logout`, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } })
  t.equal(logout.status, 200)
  const loggedOut = performance.now()
  let refusedAfter = Infinity
  while (performance.now() - loggedOut < 5000) {
    if (await refusal(verifier.verify(tokens.access_token)) === 'revoked') {
      refusedAfter = performance.now() - loggedOut
      break
    }
    await new Promise(resolve => setTimeout(resolve, 1))
  }
  t.ok(refusedAfter < 100, `refused ${refusedAfter.toFixed(1)} ms after the logout answered`)
})

test('a verifier started after a logout refuses that token from the stream (catch-up)', async (t) => {
  const svc = await service(t)
  const { tokens } = await loginAsNewUser(svc.app)
  const logout = await fetch(`${svc.url}/logout`, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } })
  t.equal(logout.status, 200)
  const verifier = await verifierOf(t, svc)
  t.equal(await refusal(verifier.verify(tokens.access_token)), 'revoked')
  const other = await loginAsNewUser(svc.app)
  t.equal((await verifier.verify(other.tokens.access_token)).sub, String(other.user.id), 'other sessions still pass')
})
