import { test } from 'tap'
import { build, loginAsNewUser, getProtected, refresh } from '../support/helper.js'
import { startRedis } from '../support/throwaway-redis.js'

test('health reports both stores connected and counts live tokens', async (t) => {
  const app = await build(t)
  const before = await app.inject({ method: 'GET', url: '/health' })
  t.equal(before.statusCode, 200)
  t.match(before.json(), {
    status: 'healthy',
    database: 'connected',
    redis: 'connected',
    redis_tokens: 0,
    note: 'Tokens managed in Redis, not database',
    timestamp: /^\d{4}-\d\d-\d\dT/
  })
  const tables: string[] = before.json().tables
  t.ok(tables.includes('users'), 'the users table is listed')
  t.notOk(tables.some(name => name.startsWith('kysely_')), 'the migration library\'s bookkeeping is not')

  const { tokens } = await loginAsNewUser(app)
  await loginAsNewUser(app)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).json().redis_tokens, 4, 'two sessions: two access and two refresh tokens')

  await app.inject({ method: 'POST', url: '/logout', headers: { authorization: `Bearer ${tokens.access_token}` } })
  t.equal((await app.inject({ method: 'GET', url: '/health' })).json().redis_tokens, 2, 'logout removes both tokens from the count')
})

test('with Redis down: health is 503, token routes answer 503 and nothing is let through', async (t) => {
  const redis = await startRedis(t)
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 })
  const { tokens } = await loginAsNewUser(app)
  await redis.stop()

  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 503)
  t.match(health.json(), { status: 'unhealthy', database: 'connected', redis: 'disconnected' })

  const protectedRes = await getProtected(app, tokens.access_token)
  t.equal(protectedRes.statusCode, 503)
  t.match(protectedRes.json(), { statusCode: 503, code: 'TOKEN_STORE_UNAVAILABLE' })
  t.equal((await refresh(app, tokens.refresh_token)).statusCode, 503)

  await redis.restart()
  let recovered = 0
  for (let i = 0; i < 100 && recovered !== 401; i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    recovered = (await getProtected(app, tokens.access_token)).statusCode
  }
  t.equal(recovered, 401, 'after recovery the token is unknown to the emptied Redis: 401, never 200 or 500')
})
