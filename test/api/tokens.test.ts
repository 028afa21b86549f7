import { test } from 'tap'
import { randomBytes } from 'node:crypto'
import { redisKeys } from '../../lib/sessions/redis-keys.js'
import { build, loginAsNewUser, login, getProtected, refresh, logout } from '../support/helper.js'

test('a live access token opens the protected endpoint', async (t) => {
  const app = await build(t)
  const { user, tokens } = await loginAsNewUser(app)
  const res = await getProtected(app, tokens.access_token)
  t.equal(res.statusCode, 200)
  t.same(res.json(), { message: 'This is a protected endpoint', user_id: user.id, data: 'Secret data only for authenticated users' })
})

test('missing, malformed and garbage tokens get a 401 with a Bearer challenge', async (t) => {
  const app = await build(t)
  const missing = await app.inject({ method: 'GET', url: '/protected' })
  t.equal(missing.statusCode, 401)
  t.match(missing.json(), { statusCode: 401, code: 'TOKEN_MISSING' })
  t.match(missing.headers['www-authenticate'], /^Bearer realm=/)

  for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer not.a.jwt', `Bearer ${randomBytes(40).toString('base64url')}`, 'Bearer a.b.c d']) {
    const res = await app.inject({ method: 'GET', url: '/protected', headers: { authorization } })
    t.equal(res.statusCode, 401, authorization)
    t.match(res.json(), { statusCode: 401, code: 'TOKEN_INVALID' }, authorization)
    t.match(res.headers['www-authenticate'], /^Bearer .*error="invalid_token"/, authorization)
  }
})

test('refresh rotates: a new pair works and the consumed refresh token does not', async (t) => {
  const app = await build(t, { REFRESH_REUSE_INTERVAL_SECONDS: 0 })
  const { tokens } = await loginAsNewUser(app)

  const rotated = await refresh(app, tokens.refresh_token)
  t.equal(rotated.statusCode, 200)
  const next = rotated.json()
  t.match(next, { access_token: String, refresh_token: String, token_type: 'Bearer', expires_in: 900, message: 'Token refreshed successfully' })
  t.not(next.refresh_token, tokens.refresh_token)

  t.equal((await getProtected(app, next.access_token)).statusCode, 200, 'the new access token works')
  t.equal((await getProtected(app, tokens.access_token)).statusCode, 401, 'the previous access token is revoked')

  const again = await refresh(app, tokens.refresh_token)
  t.equal(again.statusCode, 401, 'a consumed refresh token no longer works')
  t.match(again.json(), { code: 'REFRESH_TOKEN_REUSED' })
  t.equal((await getProtected(app, next.access_token)).statusCode, 401, 'reuse revoked the whole session')
  t.equal((await refresh(app, next.refresh_token)).statusCode, 401)
})

test('logout revokes both tokens of the session', async (t) => {
  const app = await build(t)
  const { tokens } = await loginAsNewUser(app)
  const res = await logout(app, tokens.access_token)
  t.equal(res.statusCode, 200)
  t.same(res.json(), { message: 'Logged out successfully' })

  const afterwards = await getProtected(app, tokens.access_token)
  t.equal(afterwards.statusCode, 401)
  t.match(afterwards.json(), { code: 'TOKEN_REVOKED' })
  t.equal((await refresh(app, tokens.refresh_token)).statusCode, 401)
  t.equal((await logout(app, tokens.access_token)).statusCode, 401, 'logging out twice is a 401')
})

test('two sessions of one user stay independent', async (t) => {
  const app = await build(t)
  const { user, tokens: first } = await loginAsNewUser(app)
  const second = await login(app, user)

  t.equal((await logout(app, first.access_token)).statusCode, 200)
  t.equal((await getProtected(app, first.access_token)).statusCode, 401)
  t.equal((await getProtected(app, second.access_token)).statusCode, 200, 'the other session is untouched')
  t.equal((await refresh(app, second.refresh_token)).statusCode, 200)
})

test('expired tokens are rejected as expired', async (t) => {
  const app = await build(t)
  const { user, tokens } = await loginAsNewUser(app)
  const { sid, jti } = app.jwt.decode<{ sid: string, jti: string }>(tokens.access_token) ?? { sid: '', jti: '' }
  const past = Math.floor(Date.now() / 1000) - 10
  const expiredAccess = app.jwt.sign({ sub: String(user.id), sid, jti, type: 'access', exp: past })
  const res = await getProtected(app, expiredAccess)
  t.equal(res.statusCode, 401)
  t.match(res.json(), { code: 'TOKEN_EXPIRED', message: 'Token has expired' })

  const expiredRefresh = app.jwt.sign({ sub: String(user.id), sid, jti, type: 'refresh', exp: past })
  const rotated = await refresh(app, expiredRefresh)
  t.equal(rotated.statusCode, 401)
  t.match(rotated.json(), { code: 'TOKEN_EXPIRED' })
})

test('ACCESS_TOKEN_EXPIRES_MINUTES sets the access token lifetime', async (t) => {
  const app = await build(t, { ACCESS_TOKEN_EXPIRES_MINUTES: 1 })
  const { tokens } = await loginAsNewUser(app)
  const claims = app.jwt.decode<{ exp: number, iat: number, sid: string }>(tokens.access_token)
  t.equal(claims?.exp, (claims?.iat ?? 0) + 60)
  const ttl = await app.redis.pttl(redisKeys.session(claims?.sid ?? ''))
  t.ok(ttl > 7 * 86_400_000 - 10_000 && ttl <= 7 * 86_400_000, 'the session lives as long as its refresh token')
})

test('a session is one Redis key that lives as long as the longer-lived of its tokens', async (t) => {
  const app = await build(t, { ACCESS_TOKEN_EXPIRES_MINUTES: 2 * 1440, REFRESH_TOKEN_EXPIRES_DAYS: 1 })
  const { tokens } = await loginAsNewUser(app)
  const sid = app.jwt.decode<{ sid: string }>(tokens.access_token)?.sid ?? ''
  t.same(await app.redis.keys(`${app.config.REDIS_KEY_PREFIX}*{${sid}}*`), [`${app.config.REDIS_KEY_PREFIX}${redisKeys.session(sid)}`])
  const ttl = await app.redis.pttl(redisKeys.session(sid))
  t.ok(ttl > 2 * 86_400_000 - 10_000 && ttl <= 2 * 86_400_000, 'an access token outliving the refresh token keeps its session')
  t.equal((await getProtected(app, tokens.access_token)).statusCode, 200)
})
