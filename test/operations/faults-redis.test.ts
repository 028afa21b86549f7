import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, register, login, loginAsNewUser, getProtected, refresh, logout, newUser } from '../support/helper.js'
import { startRedis } from '../support/throwaway-redis.js'
import { completes, pollUntil } from '../support/completes.js'

async function tokenRouteStatuses (app: FastifyInstance, user: { username: string, password: string }, tokens: { access_token: string, refresh_token: string }) {
  const [protectedRes, refreshRes, loginRes, logoutRes] = await Promise.all([
    completes(getProtected(app, tokens.access_token)),
    completes(refresh(app, tokens.refresh_token)),
    completes(app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })),
    completes(logout(app, tokens.access_token))
  ])
  return { protected: protectedRes, refresh: refreshRes, login: loginRes, logout: logoutRes }
}

test('Redis killed: token routes answer 503, health is 503, nothing is accepted; Redis back: the service recovers by itself', async (t) => {
  const redis = await startRedis(t)
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 })
  const user = await register(app, newUser('fault'))
  const tokens = await login(app, user)
  t.equal((await getProtected(app, tokens.access_token)).statusCode, 200)

  await redis.stop()

  const answers = await tokenRouteStatuses(app, user, tokens)
  for (const [route, res] of Object.entries(answers)) {
    t.equal(res.statusCode, 503, `${route} answers 503`)
    t.equal(res.json().code, 'TOKEN_STORE_UNAVAILABLE', `${route} says the token store is unavailable`)
  }
  const health = await completes(app.inject({ method: 'GET', url: '/health' }))
  t.equal(health.statusCode, 503)
  t.match(health.json(), { status: 'unhealthy', database: 'connected', redis: 'disconnected', redis_tokens: 0 })

  // A burst while Redis stays down: every request gets an answer, and none is a 200.
  const burst = await Promise.all(Array.from({ length: 50 }, () => completes(getProtected(app, tokens.access_token))))
  t.same([...new Set(burst.map(res => res.statusCode))], [503], 'fail closed: 50 of 50 answered 503')

  await redis.restart()
  const seen = new Set<number>()
  const recovered = await pollUntil(async () => {
    const status = (await completes(getProtected(app, tokens.access_token))).statusCode
    seen.add(status)
    return status === 401
  })
  t.ok(recovered, 'the service reconnects without a restart')
  t.notOk(seen.has(200), 'the token was never accepted while its presence could not be checked')
  t.notOk(seen.has(500), 'never a 500')

  const fresh = await loginAsNewUser(app)
  t.equal((await getProtected(app, fresh.tokens.access_token)).statusCode, 200, 'new logins work again')
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'health is back to 200')
})

test('Redis killed while requests are in flight: each of them gets an answer', async (t) => {
  const redis = await startRedis(t)
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 })
  const { tokens } = await loginAsNewUser(app)

  const inFlight = Array.from({ length: 100 }, () => completes(getProtected(app, tokens.access_token)))
  await redis.stop()
  const statuses = (await Promise.all(inFlight)).map(res => res.statusCode)
  t.equal(statuses.length, 100)
  t.same(statuses.filter(s => s !== 200 && s !== 503), [], 'each one answered 200 (checked before the kill) or 503')
  await redis.restart()
})

test('Redis frozen (SIGSTOP): the command timeout turns waiting into 503s; thawed, a retried refresh gets its pair', async (t) => {
  const redis = await startRedis(t)
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 })
  const { tokens } = await loginAsNewUser(app)
  const pid = redis.process.pid ?? 0
  t.teardown(() => { try { process.kill(pid, 'SIGCONT') } catch {} })

  process.kill(pid, 'SIGSTOP')
  const frozen = await Promise.all([
    completes(getProtected(app, tokens.access_token)),
    completes(refresh(app, tokens.refresh_token)),
    completes(app.inject({ method: 'GET', url: '/health' }))
  ])
  t.same(frozen.map(res => res.statusCode), [503, 503, 503], 'a Redis that does not answer is an unavailable one')

  // The timed-out rotation still reaches Redis once it runs again: the client never saw its
  // answer, so it retries, and the reuse interval hands it the same pair instead of a theft alarm.
  process.kill(pid, 'SIGCONT')
  let retried = 0
  let pair = { access_token: '' }
  await pollUntil(async () => {
    const res = await completes(refresh(app, tokens.refresh_token))
    retried = res.statusCode
    if (res.statusCode === 200) pair = res.json()
    return res.statusCode !== 503
  })
  t.equal(retried, 200, 'the retried refresh succeeds')
  t.equal((await getProtected(app, pair.access_token)).statusCode, 200, 'and its access token works')
})

test('the process outlives a Redis outage: no crash from connection errors', async (t) => {
  const redis = await startRedis(t)
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 })
  await redis.stop()
  // Reconnection attempts fail for a while (each one an ioredis 'error' event).
  await new Promise(resolve => setTimeout(resolve, 1500))
  const res = await completes(app.inject({ method: 'GET', url: '/health' }))
  t.equal(res.statusCode, 503)
  t.equal(res.json().redis, 'disconnected')
  await completes(app.close())
  t.pass('closing with Redis down does not hang')
  await redis.restart()
})

test('Redis killed: every other route that checks a token answers 503 too; liveness and the JWKS still answer 200', async (t) => {
  const client = { INTROSPECTION_CLIENT_ID: 'resource-server', INTROSPECTION_CLIENT_SECRET: 'a-long-enough-client-secret' }
  const redis = await startRedis(t)
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300, ...client })
  const { user, tokens } = await loginAsNewUser(app)
  const bearer = { authorization: `Bearer ${tokens.access_token}` }
  const basic = { authorization: `Basic ${Buffer.from(`${client.INTROSPECTION_CLIENT_ID}:${client.INTROSPECTION_CLIENT_SECRET}`).toString('base64')}` }
  await redis.stop()

  const requests = [
    { method: 'GET', url: '/sessions', headers: bearer },
    { method: 'DELETE', url: '/sessions/AAAAAAAAAAAAAAAA', headers: bearer },
    { method: 'POST', url: '/logout/all', headers: bearer },
    { method: 'GET', url: '/me', headers: bearer },
    { method: 'POST', url: '/password', headers: bearer, payload: { current_password: user.password, new_password: 'a-new-password-1' } },
    { method: 'POST', url: '/introspect', headers: basic, payload: { token: tokens.access_token } }
  ] as const
  for (const request of requests) {
    const res = await completes(app.inject(request))
    t.equal(res.statusCode, 503, `${request.method} ${request.url} answers 503`)
    t.equal(res.json().code, 'TOKEN_STORE_UNAVAILABLE')
  }
  for (const url of ['/health/live', '/.well-known/jwks.json']) {
    t.equal((await completes(app.inject({ method: 'GET', url }))).statusCode, 200, `${url} needs no store`)
  }
  const ready = await completes(app.inject({ method: 'GET', url: '/health/ready' }))
  t.equal(ready.statusCode, 503)
  t.match(ready.json(), { status: 'unavailable', redis: 'disconnected', database: 'connected' })
  await redis.restart()
})
