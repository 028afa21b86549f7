import { test } from 'tap'
import { build, loginAsNewUser, login, refresh, logout } from '../support/helper.js'
import type { FastifyInstance } from 'fastify'

const liveTokens = async (app: FastifyInstance) => (await app.inject({ method: 'GET', url: '/health' })).json<{ redis_tokens: number }>().redis_tokens

test('the live-token count follows every way a token is born or dies', async (t) => {
  const app = await build(t, { REFRESH_REUSE_INTERVAL_SECONDS: 0 })
  const a = await loginAsNewUser(app)
  const b = await loginAsNewUser(app)
  const b2 = await login(app, b.user)
  t.equal(await liveTokens(app), 6, 'three sessions, two tokens each')
  t.equal(await app.sessions.countLiveSessions(), 3)

  const rotated = (await refresh(app, a.tokens.refresh_token)).json<{ refresh_token: string }>()
  t.equal(await liveTokens(app), 6, 'rotation replaces both tokens of the session')

  t.equal((await refresh(app, a.tokens.refresh_token)).statusCode, 401, 'reuse of the consumed token')
  t.equal(await liveTokens(app), 4, 'reuse detection revokes the session')
  t.equal((await refresh(app, rotated.refresh_token)).statusCode, 401)
  t.equal(await liveTokens(app), 4, 'a refused refresh changes nothing')

  await logout(app, b.tokens.access_token)
  await logout(app, b.tokens.access_token)
  t.equal(await liveTokens(app), 2, 'logout counts once, however often it is sent')

  await app.inject({ method: 'POST', url: '/logout/all', headers: { authorization: `Bearer ${b2.access_token}` } })
  t.equal(await liveTokens(app), 0)
  t.equal(await app.sessions.countLiveSessions(), 0)
})

test('a session costs no entry in any shared structure: its keys are its own', async (t) => {
  const app = await build(t)
  const { user } = await loginAsNewUser(app)
  for (let i = 0; i < 20; i++) await login(app, user)
  const prefix = app.config.REDIS_KEY_PREFIX
  const counters = (await app.redis.keys('*')).filter(k => k.startsWith(`${prefix}live:`))
  t.ok(counters.length > 0 && counters.length <= 4, `a handful of count buckets (${counters.length}), not one entry per token`)
  for (const key of counters) {
    t.ok(await app.redis.pttl(key.slice(prefix.length)) > 0, `${key} expires with its tokens`)
  }
})
