import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, register, login, loginAsNewUser, getProtected, refresh } from '../support/helper.js'

const as = (token: string) => ({ authorization: `Bearer ${token}` })
const listSessions = (app: FastifyInstance, token: string) => app.inject({ method: 'GET', url: '/sessions', headers: as(token) })

test('GET /sessions lists the caller\'s live sessions and marks the current one', async (t) => {
  const app = await build(t)
  const user = await register(app)
  const phone = (await app.inject({ method: 'POST', url: '/login', headers: { 'user-agent': 'phone/1.0' }, payload: { username: user.username, password: user.password } })).json()
  const laptop = (await app.inject({ method: 'POST', url: '/login', headers: { 'user-agent': 'laptop/2.0' }, payload: { username: user.username, password: user.password } })).json()
  await loginAsNewUser(app)

  const res = await listSessions(app, laptop.access_token)
  t.equal(res.statusCode, 200)
  const { sessions } = res.json()
  t.equal(sessions.length, 2, 'only this user\'s sessions')
  t.match(sessions, [
    { user_agent: 'phone/1.0', current: false, ip: '127.0.0.1', created_at: String, last_refreshed_at: String, expires_at: String },
    { user_agent: 'laptop/2.0', current: true }
  ])
  t.equal(sessions[1].id, app.jwt.decode<{ sid: string }>(laptop.access_token)?.sid)
  t.equal(sessions[0].last_refreshed_at, sessions[0].created_at, 'never refreshed: last refreshed when created')

  await refresh(app, phone.refresh_token)
  const after = (await listSessions(app, laptop.access_token)).json().sessions
  t.ok(after[0].last_refreshed_at >= after[0].created_at)
})

test('a long User-Agent is stored cut at 256 bytes', async (t) => {
  const app = await build(t)
  const user = await register(app)
  const userAgent = `Mozilla/5.0 ${'x'.repeat(1000)}`
  const res = await app.inject({ method: 'POST', url: '/login', headers: { 'user-agent': userAgent }, payload: { username: user.username, password: user.password } })
  const { sessions } = (await listSessions(app, res.json().access_token)).json()
  t.equal(sessions[0].user_agent, userAgent.slice(0, 256))
})

test('DELETE /sessions/:id revokes one of the caller\'s sessions, and only theirs', async (t) => {
  const app = await build(t)
  const { user, tokens: mine } = await loginAsNewUser(app)
  const other = await login(app, user)
  const { tokens: stranger } = await loginAsNewUser(app)
  const otherSid = app.jwt.decode<{ sid: string }>(other.access_token)?.sid
  const strangerSid = app.jwt.decode<{ sid: string }>(stranger.access_token)?.sid

  const notMine = await app.inject({ method: 'DELETE', url: `/sessions/${strangerSid}`, headers: as(mine.access_token) })
  t.equal(notMine.statusCode, 404)
  t.match(notMine.json(), { code: 'SESSION_NOT_FOUND' })
  t.equal((await getProtected(app, stranger.access_token)).statusCode, 200, 'the stranger\'s session is untouched')

  const badId = await app.inject({ method: 'DELETE', url: '/sessions/../../etc', headers: as(mine.access_token) })
  t.ok(badId.statusCode === 400 || badId.statusCode === 404)

  const res = await app.inject({ method: 'DELETE', url: `/sessions/${otherSid}`, headers: as(mine.access_token) })
  t.equal(res.statusCode, 200)
  t.equal((await getProtected(app, other.access_token)).statusCode, 401, 'its access token is dead')
  t.equal((await refresh(app, other.refresh_token)).statusCode, 401, 'its refresh token is dead')
  t.equal((await getProtected(app, mine.access_token)).statusCode, 200)
  t.equal((await listSessions(app, mine.access_token)).json().sessions.length, 1)
})

test('POST /logout/all kills the tokens of every session of the caller', async (t) => {
  const app = await build(t)
  const { user, tokens: first } = await loginAsNewUser(app)
  const second = await login(app, user)
  const { tokens: stranger } = await loginAsNewUser(app)

  const res = await app.inject({ method: 'POST', url: '/logout/all', headers: as(second.access_token) })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { message: 'Logged out successfully' })
  for (const tokens of [first, second]) {
    t.equal((await getProtected(app, tokens.access_token)).statusCode, 401)
    t.equal((await refresh(app, tokens.refresh_token)).statusCode, 401)
  }
  t.equal((await getProtected(app, stranger.access_token)).statusCode, 200, 'other users keep their sessions')
  const health = (await app.inject({ method: 'GET', url: '/health' })).json()
  t.equal(health.redis_tokens, 2, 'only the stranger\'s two tokens are live')
})

test('GET /me returns the profile without the hash', async (t) => {
  const app = await build(t)
  const { user, tokens } = await loginAsNewUser(app)
  const res = await app.inject({ method: 'GET', url: '/me', headers: as(tokens.access_token) })
  t.equal(res.statusCode, 200)
  t.same(Object.keys(res.json()).sort(), ['created_at', 'email', 'email_verified', 'id', 'mfa', 'pending_email', 'username'])
  t.match(res.json(), { id: user.id, username: user.username, email: user.email, created_at: /^\d{4}-/ })
  t.equal((await app.inject({ method: 'GET', url: '/me' })).statusCode, 401)
})

test('POST /password changes the password and revokes every other session', async (t) => {
  const app = await build(t)
  const { user, tokens: current } = await loginAsNewUser(app)
  const other = await login(app, user)
  const change = (body: object) => app.inject({ method: 'POST', url: '/password', headers: as(current.access_token), payload: body })

  const wrong = await change({ current_password: 'not-it', new_password: 'a-new-password-1' })
  t.equal(wrong.statusCode, 403)
  t.match(wrong.json(), { code: 'CURRENT_PASSWORD_INVALID' })
  t.equal((await getProtected(app, other.access_token)).statusCode, 200, 'a failed change revokes nothing')

  t.equal((await change({ current_password: user.password, new_password: 'short' })).statusCode, 400)

  const res = await change({ current_password: user.password, new_password: 'a-new-password-1' })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { message: 'Password changed; other sessions were logged out', token_type: 'Bearer', access_token: String, refresh_token: String, expires_in: Number })
  t.equal((await getProtected(app, other.access_token)).statusCode, 401, 'the other session is revoked')
  t.equal((await refresh(app, other.refresh_token)).statusCode, 401)
  const renewed = res.json()
  t.equal((await getProtected(app, renewed.access_token)).statusCode, 200, 'the current session goes on with the new pair')
  t.equal((await getProtected(app, current.access_token)).statusCode, 401, 'its previous access token is revoked')

  const oldLogin = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })
  t.equal(oldLogin.statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: 'a-new-password-1' } })).statusCode, 200)

  const rotated = await refresh(app, renewed.refresh_token)
  t.equal(rotated.statusCode, 200, 'the new refresh token rotates')
  const stale = await refresh(app, current.refresh_token)
  t.equal(stale.statusCode, 401, 'the refresh token from before the change is refused')
  t.match(stale.json(), { code: 'REFRESH_TOKEN_REUSED' })
  t.equal((await getProtected(app, rotated.json().access_token)).statusCode, 401, 'and, copied as it may be, it ends the session')
})

test('a revocation on one instance is seen by another on the next request', async (t) => {
  const a = await build(t)
  const b = await build(t, {
    DB_NAME: a.config.DB_NAME,
    REDIS_KEY_PREFIX: a.config.REDIS_KEY_PREFIX,
    JWT_SECRET_KEY: a.config.JWT_SECRET_KEY
  })
  const { tokens } = await loginAsNewUser(a)
  t.equal((await getProtected(b, tokens.access_token)).statusCode, 200)
  t.equal((await b.inject({ method: 'POST', url: '/logout/all', headers: as(tokens.access_token) })).statusCode, 200)
  t.equal((await getProtected(a, tokens.access_token)).statusCode, 401)
})
