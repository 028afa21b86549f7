import { test } from 'tap'
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { build, localServices, newUser, register } from '../support/helper.js'
import { startRedis } from '../support/throwaway-redis.js'

const limited = (overrides: Record<string, unknown> = {}) => ({
  RATE_LIMIT_ENABLED: true,
  RATE_LIMIT_MAX: 1000,
  LOGIN_RATE_LIMIT_IP_MAX: 1000,
  LOGIN_RATE_LIMIT_USERNAME_MAX: 1000,
  REGISTER_RATE_LIMIT_MAX: 1000,
  REFRESH_RATE_LIMIT_MAX: 1000,
  ...overrides
})

function loginFrom (app: FastifyInstance, ip: string, username: string, password = 'not-the-password') {
  return app.inject({ method: 'POST', url: '/login', remoteAddress: ip, payload: { username, password } })
}

test('over the per-IP login limit: 429 with Retry-After and RateLimit headers; other IPs unaffected', async (t) => {
  const app = await build(t, limited({ LOGIN_RATE_LIMIT_IP_MAX: 3 }))
  for (let i = 0; i < 3; i++) {
    const res = await loginFrom(app, '10.0.0.1', `someone_${i}`)
    t.equal(res.statusCode, 401, `attempt ${i + 1} is judged`)
    t.equal(res.headers['ratelimit-limit'], '3')
    t.equal(res.headers['ratelimit-remaining'], String(2 - i))
  }
  const over = await loginFrom(app, '10.0.0.1', 'someone_else')
  t.equal(over.statusCode, 429)
  t.same(Object.keys(over.json()).sort(), ['code', 'error', 'message', 'statusCode'])
  t.match(over.json(), { statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED', message: /retry in \d+ seconds/ })
  const retryAfter = Number(over.headers['retry-after'])
  t.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`)
  t.equal(over.headers['ratelimit-remaining'], '0')
  t.ok(Number(over.headers['ratelimit-reset']) > 0)

  t.equal((await loginFrom(app, '10.0.0.2', 'someone_else')).statusCode, 401, 'another address still gets an answer')
})

test('an IPv6 client cannot escape the per-IP limits by rotating addresses within its /64', async (t) => {
  const app = await build(t, limited({ LOGIN_RATE_LIMIT_IP_MAX: 2, REGISTER_RATE_LIMIT_MAX: 1 }))
  t.equal((await loginFrom(app, '2001:db8:1:2::1', 'nobody_1')).statusCode, 401)
  t.equal((await loginFrom(app, '2001:db8:1:2::ffff:2', 'nobody_2')).statusCode, 401)
  t.equal((await loginFrom(app, '2001:db8:1:2:abcd::3', 'nobody_3')).statusCode, 429, 'the same /64 is one client')
  t.equal((await loginFrom(app, '2001:db8:1:3::1', 'nobody_4')).statusCode, 401, 'another /64 is another')

  t.equal((await loginFrom(app, '10.0.9.9', 'nobody_5')).statusCode, 401)
  t.equal((await loginFrom(app, '::ffff:10.0.9.9', 'nobody_6')).statusCode, 401)
  t.equal((await loginFrom(app, '10.0.9.9', 'nobody_7')).statusCode, 429, 'an IPv4-mapped address is the IPv4 address')

  const registerFrom = (ip: string) => app.inject({ method: 'POST', url: '/register', remoteAddress: ip, payload: newUser() })
  t.equal((await registerFrom('2001:db8:5:5::1')).statusCode, 201)
  t.equal((await registerFrom('2001:db8:5:5::2')).statusCode, 429)
})

test('the per-username login limit holds across addresses and letter case; other users unaffected', async (t) => {
  const app = await build(t, limited({ LOGIN_RATE_LIMIT_USERNAME_MAX: 2 }))
  const user = await register(app)
  t.equal((await loginFrom(app, '10.0.1.1', user.username)).statusCode, 401)
  t.equal((await loginFrom(app, '10.0.1.2', user.username.toUpperCase())).statusCode, 401)
  const over = await loginFrom(app, '10.0.1.3', user.username, user.password)
  t.equal(over.statusCode, 429, 'even the right password is refused once the account is being guessed at')
  t.match(over.json(), { code: 'RATE_LIMITED' })
  t.ok(over.headers['retry-after'])

  const other = await register(app)
  t.equal((await loginFrom(app, '10.0.1.3', other.username, other.password)).statusCode, 200, 'another account logs in from the same address')
})

test('guesses at the current password through POST /password are limited per account, like logins', async (t) => {
  const app = await build(t, limited({ LOGIN_RATE_LIMIT_USERNAME_MAX: 2 }))
  const user = await register(app)
  const login = (await loginFrom(app, '10.0.10.1', user.username, user.password)).json()
  const change = (current: string, ip: string) => app.inject({
    method: 'POST', url: '/password', remoteAddress: ip, headers: { authorization: `Bearer ${login.access_token}` }, payload: { current_password: current, new_password: 'another-password-1' }
  })
  t.equal((await change('guess-1', '10.0.10.2')).statusCode, 403)
  t.equal((await change('guess-2', '10.0.10.3')).statusCode, 403)
  const over = await change(user.password, '10.0.10.4')
  t.equal(over.statusCode, 429, 'from any address, even with the right password')
  t.match(over.json(), { code: 'RATE_LIMITED' })
})

test('register and refresh have their own per-IP limits; the global limit covers every route', async (t) => {
  const app = await build(t, limited({ REGISTER_RATE_LIMIT_MAX: 2, REFRESH_RATE_LIMIT_MAX: 2, RATE_LIMIT_MAX: 4 }))
  const registerFrom = (ip: string) => app.inject({ method: 'POST', url: '/register', remoteAddress: ip, payload: newUser() })
  t.equal((await registerFrom('10.0.2.1')).statusCode, 201)
  t.equal((await registerFrom('10.0.2.1')).statusCode, 201)
  t.equal((await registerFrom('10.0.2.1')).statusCode, 429)
  t.equal((await registerFrom('10.0.2.2')).statusCode, 201)

  const refreshFrom = (ip: string) => app.inject({ method: 'POST', url: '/refresh', remoteAddress: ip, payload: { refresh_token: 'x.y.z' } })
  t.equal((await refreshFrom('10.0.3.1')).statusCode, 401)
  t.equal((await refreshFrom('10.0.3.1')).statusCode, 401)
  t.equal((await refreshFrom('10.0.3.1')).statusCode, 429)

  const jwks = (ip: string) => app.inject({ method: 'GET', url: '/.well-known/jwks.json', remoteAddress: ip })
  for (let i = 0; i < 4; i++) t.equal((await jwks('10.0.4.1')).statusCode, 200)
  const over = await jwks('10.0.4.1')
  t.equal(over.statusCode, 429)
  t.match(over.json(), { statusCode: 429, code: 'RATE_LIMITED', message: /retry in \d+ seconds/ })
  t.ok(over.headers['retry-after'])
  t.equal(over.headers['ratelimit-limit'], '4')
  t.equal((await jwks('10.0.4.2')).statusCode, 200)
})

test('health probes and the documentation are never limited: load balancers and scrapers poll them', async (t) => {
  const app = await build(t, limited({ RATE_LIMIT_MAX: 2 }))
  const urls = ['/health', '/health/live', '/health/ready', '/documentation/json', '/documentation/static/swagger-ui.css']
  // Prometheus scrapes /metrics wherever the service exposes it
  if (app.hasRoute({ method: 'GET', url: '/metrics' })) urls.push('/metrics')
  for (const url of urls) {
    const statuses = new Set<number>()
    let headers = 0
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'GET', url, remoteAddress: '10.0.7.1' })
      statuses.add(res.statusCode)
      if (res.headers['ratelimit-limit'] !== undefined) headers++
    }
    t.same([...statuses], [200], `${url}: five answers over a limit of two, all 200`)
    t.equal(headers, 0, `${url}: no RateLimit headers`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/.well-known/jwks.json', remoteAddress: '10.0.7.1' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/.well-known/jwks.json', remoteAddress: '10.0.7.1' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/.well-known/jwks.json', remoteAddress: '10.0.7.1' })).statusCode, 429, 'other routes still are')
})

test('RATE_LIMIT_ALLOWLIST exempts its addresses from the per-IP limits, not from the per-username one', async (t) => {
  const app = await build(t, limited({ RATE_LIMIT_MAX: 2, LOGIN_RATE_LIMIT_IP_MAX: 2, LOGIN_RATE_LIMIT_USERNAME_MAX: 3, RATE_LIMIT_ALLOWLIST: '10.9.0.0/16, 192.0.2.7' }))
  for (const ip of ['10.9.1.1', '::ffff:10.9.1.2', '192.0.2.7']) {
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await app.inject({ method: 'GET', url: '/.well-known/jwks.json', remoteAddress: ip })).statusCode)
    statuses.push((await loginFrom(app, ip, `nobody_${ip}_1`)).statusCode, (await loginFrom(app, ip, `nobody_${ip}_2`)).statusCode, (await loginFrom(app, ip, `nobody_${ip}_3`)).statusCode)
    t.same(statuses, [200, 200, 200, 200, 401, 401, 401], `${ip} is never limited per IP`)
  }
  t.equal((await loginFrom(app, '10.8.0.1', 'nobody_a')).statusCode, 401)
  t.equal((await loginFrom(app, '10.8.0.1', 'nobody_b')).statusCode, 401)
  t.equal((await loginFrom(app, '10.8.0.1', 'nobody_c')).statusCode, 429, 'an address outside the list is limited')

  const user = await register(app)
  for (let i = 0; i < 3; i++) t.equal((await loginFrom(app, '10.9.1.1', user.username)).statusCode, 401)
  t.equal((await loginFrom(app, '10.9.1.1', user.username, user.password)).statusCode, 429, 'guesses at one account are limited even from the allowlist')
})

test('behind a proxy listed in TRUST_PROXY, each client is limited by its X-Forwarded-For address; otherwise the header is ignored', async (t) => {
  const app = await build(t, limited({ LOGIN_RATE_LIMIT_IP_MAX: 1, TRUST_PROXY: '10.0.8.0/24' }))
  const viaProxy = (forwardedFor: string, from = '10.0.8.1') => app.inject({
    method: 'POST', url: '/login', remoteAddress: from, headers: { 'x-forwarded-for': forwardedFor }, payload: { username: 'nobody_here', password: 'not-the-password' }
  })
  t.equal((await viaProxy('198.51.100.1')).statusCode, 401)
  t.equal((await viaProxy('198.51.100.1')).statusCode, 429, 'the client behind the proxy is limited')
  t.equal((await viaProxy('198.51.100.2')).statusCode, 401, 'another client behind the same proxy is not')

  t.equal((await viaProxy('198.51.100.3', '10.0.9.1')).statusCode, 401)
  t.equal((await viaProxy('198.51.100.4', '10.0.9.1')).statusCode, 429, 'a client that is not a listed proxy cannot escape its limit with the header')

  const direct = await build(t, limited({ LOGIN_RATE_LIMIT_IP_MAX: 1 }))
  const spoofed = (forwardedFor: string) => direct.inject({
    method: 'POST', url: '/login', remoteAddress: '10.0.8.1', headers: { 'x-forwarded-for': forwardedFor }, payload: { username: 'nobody_here', password: 'not-the-password' }
  })
  t.equal((await spoofed('198.51.100.5')).statusCode, 401)
  t.equal((await spoofed('198.51.100.6')).statusCode, 429, 'without TRUST_PROXY, X-Forwarded-For changes nothing')
})

test('limits hold across instances sharing Redis, under the service\'s key prefix', async (t) => {
  const first = await build(t, limited({ LOGIN_RATE_LIMIT_IP_MAX: 2 }))
  const second = await build(t, limited({ LOGIN_RATE_LIMIT_IP_MAX: 2, REDIS_KEY_PREFIX: first.config.REDIS_KEY_PREFIX, DB_NAME: first.config.DB_NAME }))
  t.equal((await loginFrom(first, '10.0.5.1', 'nobody_1')).statusCode, 401)
  t.equal((await loginFrom(second, '10.0.5.1', 'nobody_2')).statusCode, 401)
  t.equal((await loginFrom(first, '10.0.5.1', 'nobody_3')).statusCode, 429, 'the second instance\'s attempt counted on the first')
  t.equal((await loginFrom(second, '10.0.5.1', 'nobody_4')).statusCode, 429)

  const redis = new Redis({ host: localServices.REDIS_HOST, port: Number(localServices.REDIS_PORT), password: localServices.REDIS_PASSWORD || undefined })
  t.teardown(() => redis.quit())
  const keys = await redis.keys(`${first.config.REDIS_KEY_PREFIX}rl:*`)
  t.ok(keys.length > 0, 'counters live under REDIS_KEY_PREFIX')
  t.ok(keys.every(key => key.startsWith(first.config.REDIS_KEY_PREFIX)))
})

test('with Redis down: login, register and refresh fail closed with 503; other routes keep their own answers', async (t) => {
  const redis = await startRedis(t)
  const app = await build(t, limited({ REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 }))
  await redis.stop()

  const login = await loginFrom(app, '10.0.6.1', 'nobody_here')
  t.equal(login.statusCode, 503, 'no unthrottled password guessing while the counters are gone')
  t.match(login.json(), { statusCode: 503, code: 'TOKEN_STORE_UNAVAILABLE' })
  t.equal((await app.inject({ method: 'POST', url: '/register', payload: newUser() })).statusCode, 503)
  t.equal((await app.inject({ method: 'POST', url: '/refresh', payload: { refresh_token: 'x.y.z' } })).statusCode, 503)

  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 503)
  t.match(health.json(), { redis: 'disconnected', database: 'connected' }, 'the global limit lets /health report the outage')
  await redis.restart()
  for (let i = 0; i < 100 && app.redis.status !== 'ready'; i++) await new Promise(resolve => setTimeout(resolve, 100))
})
