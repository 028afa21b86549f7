import { test } from 'tap'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { build, loginAsNewUser, logout, refresh } from '../support/helper.js'
import { startRedis } from '../support/throwaway-redis.js'
import { completes } from '../support/completes.js'

const verify = (app: FastifyInstance, headers: Record<string, string>, method: 'GET' | 'POST' | 'HEAD' | 'PUT' = 'GET', url = '/auth/verify') =>
  app.inject({ method, url, headers })

async function rulesFile (t: { teardown(fn: () => unknown): void }, rules: unknown) {
  const dir = await mkdtemp(join(tmpdir(), 'forward-auth-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'rules.json')
  await writeFile(file, typeof rules === 'string' ? rules : JSON.stringify(rules))
  return file
}

test('a live access token gets 200, an empty body and the identity headers; after logout 401 with a challenge', async (t) => {
  const app = await build(t)
  const { user, tokens } = await loginAsNewUser(app)
  const bearer = { authorization: `Bearer ${tokens.access_token}` }

  const allowed = await verify(app, bearer)
  t.equal(allowed.statusCode, 200)
  t.equal(allowed.body, '', 'empty body')
  t.equal(allowed.headers['x-auth-user-id'], String(user.id))
  const sid = allowed.headers['x-auth-session-id']
  t.match(sid, /^[\w-]{16}$/, 'the session id')

  for (const method of ['POST', 'PUT', 'HEAD'] as const) {
    const res = await verify(app, { ...bearer, 'content-type': 'application/octet-stream' }, method)
    t.equal(res.statusCode, 200, `${method} is answered the same way`)
  }
  const envoy = await verify(app, bearer, 'POST', '/auth/verify/api/orders/7?x=1')
  t.equal(envoy.statusCode, 200, 'Envoy\'s path-prefixed check is answered too')
  t.equal(envoy.headers['x-auth-user-id'], String(user.id))

  t.equal((await logout(app, tokens.access_token)).statusCode, 200)
  const revoked = await verify(app, bearer)
  t.equal(revoked.statusCode, 401)
  t.match(revoked.headers['www-authenticate'], /^Bearer realm="jwt-microservice", error="invalid_token"/)
  t.equal(revoked.headers['x-auth-user-id'], undefined, 'no identity on a refusal')
  t.equal(revoked.json().code, 'TOKEN_REVOKED')
})

test('no token, a malformed one, a refresh token or a rotated-away access token: 401', async (t) => {
  const app = await build(t)
  const { tokens } = await loginAsNewUser(app)
  const missing = await verify(app, {})
  t.equal(missing.statusCode, 401)
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="jwt-microservice"')
  t.equal((await verify(app, { authorization: 'Bearer not.a.jwt' })).statusCode, 401)
  t.equal((await verify(app, { authorization: `Bearer ${tokens.refresh_token}` })).statusCode, 401, 'a refresh token is not an access token')
  t.equal((await refresh(app, tokens.refresh_token)).statusCode, 200)
  const rotated = await verify(app, { authorization: `Bearer ${tokens.access_token}` })
  t.equal(rotated.statusCode, 401, 'the access token of a rotated pair is dead')
})

test('no rate limit for a gateway that checks many requests from one address', async (t) => {
  const app = await build(t, { RATE_LIMIT_ENABLED: true, RATE_LIMIT_MAX: 5 })
  const { tokens } = await loginAsNewUser(app)
  const statuses = await Promise.all(Array.from({ length: 30 }, () => verify(app, { authorization: `Bearer ${tokens.access_token}` })))
  t.same([...new Set(statuses.map(res => res.statusCode))], [200], '30 checks from one address, all 200')
})

test('Redis down: 503, never 200 (fail closed)', async (t) => {
  const redis = await startRedis(t)
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 })
  const { tokens } = await loginAsNewUser(app)
  const bearer = { authorization: `Bearer ${tokens.access_token}` }
  t.equal((await verify(app, bearer)).statusCode, 200)
  await redis.stop()
  const down = await completes(verify(app, bearer))
  t.equal(down.statusCode, 503)
  t.equal(down.json().code, 'TOKEN_STORE_UNAVAILABLE')
  t.equal(down.headers['x-auth-user-id'], undefined)
  await redis.restart()
})

test('rules: public paths need no token, denied paths are 403, the rest needs a live token', async (t) => {
  const file = await rulesFile(t, {
    rules: [
      { prefix: '/public', access: 'public' },
      { prefix: '/public/admin', access: 'deny' },
      { prefix: '/reports', methods: ['DELETE'], access: 'deny' }
    ]
  })
  const app = await build(t, { FORWARD_AUTH_RULES_FILE: file })
  const { user, tokens } = await loginAsNewUser(app)
  const bearer = { authorization: `Bearer ${tokens.access_token}` }
  const check = (uri: string, method = 'GET', headers: Record<string, string> = bearer) =>
    verify(app, { ...headers, 'x-forwarded-method': method, 'x-forwarded-uri': uri })

  const open = await check('/public/index.html', 'GET', {})
  t.equal(open.statusCode, 200, 'public without a token')
  t.equal(open.headers['x-auth-user-id'], undefined, 'and without identity headers')
  t.equal((await check('/publicity', 'GET', {})).statusCode, 401, 'a prefix covers whole segments only')

  for (const uri of ['/public/admin', '/public/admin/users?x=1', '/public/%61dmin', '/public/x/../admin', '/public//admin', '/public/%2e%2e/public/admin']) {
    const res = await check(uri)
    t.equal(res.statusCode, 403, `${uri} is denied`)
    t.equal(res.json().code, 'FORWARD_AUTH_DENIED')
    t.notMatch(res.body, /admin/, 'the answer does not echo the path')
  }
  t.equal((await check('/public/a%2fb')).statusCode, 403, 'an escaped slash is denied: the upstream may read it either way')

  t.equal((await check('/reports/1', 'DELETE')).statusCode, 403, 'a rule may name methods')
  const reading = await check('/reports/1', 'GET')
  t.equal(reading.statusCode, 200, 'other methods fall to the default')
  t.equal(reading.headers['x-auth-user-id'], String(user.id))
  t.equal((await check('/reports/1', 'GET', {})).statusCode, 401, 'the default needs a token')

  const nginxStyle = await verify(app, { ...bearer, 'x-original-uri': '/public/admin' })
  t.equal(nginxStyle.statusCode, 403, 'X-Original-URI is honoured')
  const envoyStyle = await verify(app, {}, 'GET', '/auth/verify/public/page')
  t.equal(envoyStyle.statusCode, 200, 'Envoy\'s path after /auth/verify/ is honoured')
})

test('a rules file that is missing, not JSON or not of the format stops the start with one line', async (t) => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['missing', undefined, /^Invalid configuration: FORWARD_AUTH_RULES_FILE .+ cannot be read$/],
    ['not JSON', '{"rules": [', /^Invalid configuration: FORWARD_AUTH_RULES_FILE .+ is not valid JSON$/],
    ['unknown access', { rules: [{ prefix: '/a', access: 'admins' }] }, /FORWARD_AUTH_RULES_FILE .+: \/rules\/0\/access /],
    ['relative prefix', { rules: [{ prefix: 'a', access: 'deny' }] }, /\/rules\/0\/prefix /],
    ['roles before tokens carry them', { rules: [{ prefix: '/a', access: 'authenticated', roles: ['admin'] }] }, /\/rules\/0/]
  ]
  for (const [name, content, message] of cases) {
    const file = content === undefined ? join(tmpdir(), 'no-such-forward-auth-rules.json') : await rulesFile(t, content)
    await t.rejects(build(t, { FORWARD_AUTH_RULES_FILE: file }), { message }, name)
  }
})
