import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, register, login, loginAsNewUser, newUser, refresh, logout, localServices } from '../support/helper.js'
import { startRedis } from '../support/throwaway-redis.js'
import { tcpProxy } from '../support/tcp-proxy.js'
import { completes } from '../support/completes.js'

const TOKEN = 'metrics-scraper-token-0123456789'

/** One sample of the Prometheus text: the value of `name` whose labels include `labels`. */
function sample (text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null || match[1] !== name) continue
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]))
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3])
  }
  return undefined
}

async function scrape (app: FastifyInstance, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers })
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode} ${res.body}`)
  return res.body
}

function loginRequest (app: FastifyInstance, user: { username: string, password: string }) {
  return app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })
}

test('a registration, logins, a refresh, a reuse and a logout show up in the counters', async (t) => {
  const app = await build(t, { REFRESH_REUSE_INTERVAL_SECONDS: 0 })
  const before = await scrape(app)
  t.equal(sample(before, 'jwt_logins_total', { outcome: 'failed' }), 0, 'labelled series start at 0')
  t.equal(sample(before, 'jwt_live_sessions'), 0)

  const user = await register(app)
  t.equal((await loginRequest(app, { ...user, password: 'not-the-password' })).statusCode, 401)
  t.equal((await loginRequest(app, { username: 'nobody-at-all', password: 'whatever-it-is' })).statusCode, 401)
  const first = await login(app, user)
  const rotated = await refresh(app, first.refresh_token)
  t.equal(rotated.statusCode, 200)
  t.equal((await refresh(app, first.refresh_token)).json().code, 'REFRESH_TOKEN_REUSED')
  const second = await login(app, user)
  await login(app, user)
  t.equal((await logout(app, second.access_token)).statusCode, 200)

  const text = await scrape(app)
  t.equal(sample(text, 'jwt_registrations_total'), 1)
  t.equal(sample(text, 'jwt_logins_total', { outcome: 'succeeded' }), 3)
  t.equal(sample(text, 'jwt_logins_total', { outcome: 'failed' }), 2, 'unknown user and wrong password alike')
  t.equal(sample(text, 'jwt_refreshes_total'), 1)
  t.equal(sample(text, 'jwt_refresh_reuse_detected_total'), 1)
  t.equal(sample(text, 'jwt_sessions_revoked_total', { reason: 'logout' }), 1)
  t.equal(sample(text, 'jwt_live_sessions'), 1, 'three logins: one reused away, one logged out')
  t.equal(sample(text, 'jwt_live_tokens'), 2, 'its access and refresh token')

  const route = (method: string, path: string, status: string) =>
    sample(text, 'http_request_duration_seconds_count', { method, route: path, status_code: status })
  t.equal(route('POST', '/login', '200'), 3, 'request count by route and status')
  t.equal(route('POST', '/login', '401'), 2)
  t.equal(route('POST', '/refresh', '401'), 1)
  t.ok(sample(text, 'http_request_duration_seconds_bucket', { route: '/register', le: '+Inf' }), 'a latency histogram')
  t.ok(sample(text, 'process_cpu_user_seconds_total') !== undefined, 'process metrics')
  t.ok(sample(text, 'nodejs_eventloop_lag_seconds') !== undefined, 'event loop metrics')
})

test('logout everywhere, a deleted session and a password change count the sessions they revoke', async (t) => {
  const app = await build(t)
  const { user, tokens } = await loginAsNewUser(app)
  await login(app, user)
  const auth = (token: string) => ({ authorization: `Bearer ${token}` })

  const sessions = await app.inject({ method: 'GET', url: '/sessions', headers: auth(tokens.access_token) })
  const otherId = sessions.json().sessions.find((s: { current: boolean }) => !s.current).id
  t.equal((await app.inject({ method: 'DELETE', url: `/sessions/${otherId}`, headers: auth(tokens.access_token) })).statusCode, 200)

  await login(app, user)
  await login(app, user)
  const changed = await app.inject({
    method: 'POST',
    url: '/password',
    headers: auth(tokens.access_token),
    payload: { current_password: user.password, new_password: `${user.password}-next` }
  })
  t.equal(changed.statusCode, 200, changed.body)

  const fresh = await login(app, { ...user, password: `${user.password}-next` })
  t.equal((await app.inject({ method: 'POST', url: '/logout/all', headers: auth(fresh.access_token) })).statusCode, 200)

  const text = await scrape(app)
  t.equal(sample(text, 'jwt_sessions_revoked_total', { reason: 'session_delete' }), 1)
  t.equal(sample(text, 'jwt_sessions_revoked_total', { reason: 'password_change' }), 2, 'the two other sessions')
  t.equal(sample(text, 'jwt_sessions_revoked_total', { reason: 'logout_all' }), 2, 'the first session and the last login')
  t.equal(sample(text, 'jwt_live_sessions'), 0)
})

test('METRICS_TOKEN: /metrics asks for it as a bearer token', async (t) => {
  const app = await build(t, { METRICS_TOKEN: TOKEN })
  const missing = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(missing.statusCode, 401)
  t.match(missing.json(), { statusCode: 401, error: 'Unauthorized', code: 'METRICS_TOKEN_INVALID' })
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="jwt-microservice"')

  for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, 'Bearer ']) {
    const wrong = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization } })
    t.equal(wrong.statusCode, 401, `refused: ${authorization}`)
    t.equal(wrong.json().code, 'METRICS_TOKEN_INVALID')
    t.notOk(wrong.body.includes('jwt_logins_total'))
  }
  t.ok(sample(await scrape(app, { authorization: `Bearer ${TOKEN}` }), 'jwt_logins_total', { outcome: 'succeeded' }) === 0)
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'other routes do not ask for it')
})

test('METRICS_ENABLED=false: no /metrics route, and every flow still works', async (t) => {
  const app = await build(t, { METRICS_ENABLED: false })
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'NOT_FOUND')
  const { tokens } = await loginAsNewUser(app)
  t.equal((await refresh(app, tokens.refresh_token)).statusCode, 200)
})

test('/metrics is left out of the OpenAPI document and out of the rate limit', async (t) => {
  const app = await build(t, { RATE_LIMIT_ENABLED: true, RATE_LIMIT_MAX: 2 })
  t.notOk('/metrics' in (app.swagger().paths ?? {}))
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    t.equal(res.statusCode, 200, `scrape ${i + 1}`)
    t.equal(res.headers['ratelimit-limit'], undefined)
  }
  const limited = await Promise.all([1, 2, 3].map(() => app.inject({ method: 'GET', url: '/.well-known/jwks.json' })))
  t.ok(limited.some(res => res.statusCode === 429), 'while the global limit holds for the other routes')
})

test('Redis down: 503s counted as Redis errors; the scrape still answers, the live gauges NaN', async (t) => {
  const redis = await startRedis(t)
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 })
  const user = await register(app, newUser('metrics'))
  await redis.stop()

  const res = await completes(loginRequest(app, user))
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'TOKEN_STORE_UNAVAILABLE')
  const text = await completes(scrape(app))
  t.equal(sample(text, 'jwt_store_errors_total', { store: 'redis' }), 1)
  t.equal(sample(text, 'jwt_store_errors_total', { store: 'mariadb' }), 0)
  t.ok(Number.isNaN(sample(text, 'jwt_live_sessions')), 'unknown, not a made-up 0')
  await redis.restart()
})

test('MariaDB unreachable: 503s counted as MariaDB errors', async (t) => {
  const proxy = await tcpProxy(Number(localServices.DB_PORT), localServices.DB_HOST)
  await proxy.start()
  t.teardown(() => proxy.stop())
  const app = await build(t, { DB_PORT: proxy.port, DB_TIMEOUT_MS: 500 })
  const user = await register(app, newUser('metrics'))
  await proxy.stop()

  t.equal((await completes(loginRequest(app, user))).statusCode, 503)
  t.equal((await completes(app.inject({ method: 'POST', url: '/register', payload: newUser('metrics') }))).statusCode, 503)
  const text = await scrape(app)
  t.equal(sample(text, 'jwt_store_errors_total', { store: 'mariadb' }), 2)
  t.equal(sample(text, 'jwt_store_errors_total', { store: 'redis' }), 0)
  await proxy.start()
})
