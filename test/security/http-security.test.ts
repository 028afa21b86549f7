import { test } from 'tap'
import { build } from '../support/helper.js'

test('security headers are on every answer: success, error and 404', async (t) => {
  const app = await build(t)
  const user = { username: 'headers_user', email: 'headers@example.com', password: 'headers-password-1' }
  await app.inject({ method: 'POST', url: '/register', payload: user })
  const answers = {
    health: await app.inject({ method: 'GET', url: '/health' }),
    tokens: await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } }),
    unauthorized: await app.inject({ method: 'GET', url: '/protected' }),
    badRequest: await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/json' }, payload: '{' }),
    notFound: await app.inject({ method: 'GET', url: '/no-such-route' })
  }
  for (const [name, res] of Object.entries(answers)) {
    t.equal(res.headers['x-content-type-options'], 'nosniff', name)
    t.equal(res.headers['x-frame-options'], 'DENY', name)
    t.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', name)
    t.equal(res.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'", name)
    t.equal(res.headers['cache-control'], 'no-store', name)
    // Headers for HTML documents only: not sent
    t.equal(res.headers['referrer-policy'], undefined, name)
    t.equal(res.headers['cross-origin-resource-policy'], undefined, name)
    t.equal(res.headers['x-powered-by'], undefined, name)
  }
  t.equal(answers.tokens.statusCode, 200)
  t.equal(answers.notFound.statusCode, 404)
})

test('CORS is closed when CORS_ORIGINS is empty', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://app.example.com' } })
  t.equal(res.headers['access-control-allow-origin'], undefined)
  const preflight = await app.inject({
    method: 'OPTIONS', url: '/login', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' }
  })
  t.equal(preflight.headers['access-control-allow-origin'], undefined)
  t.equal(preflight.headers['access-control-allow-methods'], undefined)
})

test('CORS answers the listed origins only', async (t) => {
  const app = await build(t, { CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' })
  const allowed = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://admin.example.com' } })
  t.equal(allowed.headers['access-control-allow-origin'], 'https://admin.example.com')
  t.match(allowed.headers['access-control-expose-headers'], /retry-after/)

  const preflight = await app.inject({
    method: 'OPTIONS', url: '/login', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }
  })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], 'https://app.example.com')
  t.match(preflight.headers['access-control-allow-methods'], /POST/)

  const other = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example.net' } })
  t.equal(other.headers['access-control-allow-origin'], undefined)
})
