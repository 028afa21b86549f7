import { test } from 'tap'
import { generateKeyPairSync, createPublicKey, type KeyObject } from 'node:crypto'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, loginAsNewUser, getProtected, refresh } from '../support/helper.js'

const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ format: 'pem', type }).toString()

function keyFiles (t: { teardown(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'jwt-keys-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return (name: string, text: string) => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }
}

test('HS256 publishes no key material at all', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { keys: [] })
  t.match(res.headers['cache-control'], /max-age=\d+/)
})

for (const [alg, type, options, expected] of [
  ['EdDSA', 'ed25519', {}, { kty: 'OKP', crv: 'Ed25519' }],
  ['ES256', 'ec', { namedCurve: 'P-256' }, { kty: 'EC', crv: 'P-256' }],
  ['RS256', 'rsa', { modulusLength: 2048 }, { kty: 'RSA', e: 'AQAB' }]
] as const) {
  test(`${alg}: tokens carry a kid that the JWKS publishes, and verify`, async (t) => {
    // @ts-expect-error the overloads of generateKeyPairSync do not accept a union of key types
    const { privateKey } = generateKeyPairSync(type, options)
    const app = await build(t, { JWT_ALGORITHM: alg, JWT_SECRET_KEY: '', JWT_PRIVATE_KEY: pem(privateKey, 'pkcs8') })
    const { tokens } = await loginAsNewUser(app)
    const header = JSON.parse(Buffer.from(tokens.access_token.split('.')[0], 'base64url').toString())
    t.match(header, { alg, kid: String })

    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json()
    t.equal(jwks.keys.length, 1)
    const [jwk] = jwks.keys
    t.match(jwk, { ...expected, kid: header.kid, alg, use: 'sig' })
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) t.notOk(member in jwk, `no private member ${member}`)
    t.same(createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'jwk' }), createPublicKey(privateKey).export({ format: 'jwk' }), 'the JWK is the public key')

    t.equal((await getProtected(app, tokens.access_token)).statusCode, 200)
    t.equal((await refresh(app, tokens.refresh_token)).statusCode, 200)
  })
}

test('the private key can come from a file; a key of the wrong type is refused', async (t) => {
  const file = keyFiles(t)
  const { privateKey } = generateKeyPairSync('ed25519')
  const app = await build(t, { JWT_ALGORITHM: 'EdDSA', JWT_SECRET_KEY: '', JWT_PRIVATE_KEY_FILE: file('current.pem', pem(privateKey, 'pkcs8')) })
  const { tokens } = await loginAsNewUser(app)
  t.equal((await getProtected(app, tokens.access_token)).statusCode, 200)

  await t.rejects(build(t, { JWT_ALGORITHM: 'ES256', JWT_SECRET_KEY: '', JWT_PRIVATE_KEY: pem(privateKey, 'pkcs8') }), /Invalid JWT keys: the private key is for EdDSA/)
  await t.rejects(build(t, { JWT_ALGORITHM: 'ES256', JWT_SECRET_KEY: '' }), /needs JWT_PRIVATE_KEY/)
  const { privateKey: weak } = generateKeyPairSync('rsa', { modulusLength: 1024 })
  await t.rejects(build(t, { JWT_ALGORITHM: 'RS256', JWT_SECRET_KEY: '', JWT_PRIVATE_KEY: pem(weak, 'pkcs8') }), /at least 2048 bits/)
})

test('key rotation: tokens of the old key verify while it is listed, and fail once it is removed', async (t) => {
  const file = keyFiles(t)
  const oldKey = generateKeyPairSync('ed25519').privateKey
  const newKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const before = await build(t, { JWT_ALGORITHM: 'EdDSA', JWT_SECRET_KEY: '', JWT_PRIVATE_KEY: pem(oldKey, 'pkcs8') })
  const { tokens } = await loginAsNewUser(before)
  const shared = { DB_NAME: before.config.DB_NAME, REDIS_KEY_PREFIX: before.config.REDIS_KEY_PREFIX, JWT_SECRET_KEY: '' }

  const during = await build(t, {
    ...shared,
    JWT_ALGORITHM: 'ES256',
    JWT_PRIVATE_KEY: pem(newKey, 'pkcs8'),
    JWT_PREVIOUS_PUBLIC_KEYS_FILE: file('previous.pem', pem(createPublicKey(oldKey), 'spki'))
  })
  const jwks = (await during.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json()
  t.same(jwks.keys.map((key: { alg: string }) => key.alg), ['ES256', 'EdDSA'], 'the new key first, the old one still published')
  t.equal((await getProtected(during, tokens.access_token)).statusCode, 200, 'an old-key access token still verifies')
  const rotated = await refresh(during, tokens.refresh_token)
  t.equal(rotated.statusCode, 200, 'an old-key refresh token still rotates')
  const newHeader = JSON.parse(Buffer.from(rotated.json().access_token.split('.')[0], 'base64url').toString())
  t.equal(newHeader.alg, 'ES256', 'new tokens are signed with the new key')

  const { tokens: oldTokens } = await loginAsNewUser(before)
  const after = await build(t, { ...shared, JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: pem(newKey, 'pkcs8') })
  t.equal((await getProtected(after, oldTokens.access_token)).statusCode, 401, 'once removed, the old key verifies nothing')
  t.equal((await getProtected(after, rotated.json().access_token)).statusCode, 200)
})
