import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, loginAsNewUser, logout } from '../support/helper.js'

const client = { INTROSPECTION_CLIENT_ID: 'resource-server', INTROSPECTION_CLIENT_SECRET: 'a-long-enough-client-secret' }
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
const goodAuth = basic(client.INTROSPECTION_CLIENT_ID, client.INTROSPECTION_CLIENT_SECRET)

function introspect (app: FastifyInstance, token: string, authorization = goodAuth) {
  return app.inject({
    method: 'POST',
    url: '/introspect',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ token }).toString()
  })
}

test('a live access or refresh token is active, with its claims', async (t) => {
  const app = await build(t, client)
  const { user, tokens } = await loginAsNewUser(app)
  const access = await introspect(app, tokens.access_token)
  t.equal(access.statusCode, 200)
  t.equal(access.headers['cache-control'], 'no-store')
  t.match(access.json(), { active: true, sub: String(user.id), sid: String, token_type: 'access', exp: Number, iat: Number })

  const refreshInfo = await introspect(app, tokens.refresh_token)
  t.match(refreshInfo.json(), { active: true, token_type: 'refresh' })

  const asJson = await app.inject({ method: 'POST', url: '/introspect', headers: { authorization: goodAuth }, payload: { token: tokens.access_token } })
  t.match(asJson.json(), { active: true }, 'JSON bodies are accepted too')
})

test('revoked, expired, foreign and garbage tokens are inactive, and say nothing more', async (t) => {
  const app = await build(t, client)
  const { user, tokens } = await loginAsNewUser(app)
  const claims = app.jwt.decode<{ sid: string, jti: string }>(tokens.access_token) ?? { sid: '', jti: '' }
  const expired = app.jwt.sign({ sub: String(user.id), sid: claims.sid, jti: claims.jti, type: 'access', exp: Math.floor(Date.now() / 1000) - 5 })
  const foreign = await build(t, { ...client })
  const { tokens: foreignTokens } = await loginAsNewUser(foreign)

  for (const [name, token] of [['expired', expired], ['foreign', foreignTokens.access_token], ['garbage', 'not-a-token'], ['tampered', tokens.access_token.slice(0, -3) + 'abc']]) {
    const res = await introspect(app, token)
    t.equal(res.statusCode, 200, name)
    t.same(res.json(), { active: false }, name)
  }
  await logout(app, tokens.access_token)
  t.same((await introspect(app, tokens.access_token)).json(), { active: false }, 'revoked access token')
  t.same((await introspect(app, tokens.refresh_token)).json(), { active: false }, 'revoked refresh token')
})

test('introspection needs the client\'s HTTP Basic credentials', async (t) => {
  const app = await build(t, client)
  const { tokens } = await loginAsNewUser(app)
  for (const authorization of ['', basic(client.INTROSPECTION_CLIENT_ID, 'wrong-secret'), `Bearer ${tokens.access_token}`, 'Basic !!!']) {
    const res = await introspect(app, tokens.access_token, authorization)
    t.equal(res.statusCode, 401, authorization)
    t.match(res.json(), { code: 'INVALID_CLIENT' })
    t.match(res.headers['www-authenticate'], /^Basic /)
  }
  const missingToken = await app.inject({ method: 'POST', url: '/introspect', headers: { authorization: goodAuth, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
  t.equal(missingToken.statusCode, 400)
})

test('introspection is disabled while no client is configured', async (t) => {
  const app = await build(t)
  const { tokens } = await loginAsNewUser(app)
  const res = await introspect(app, tokens.access_token, basic('', ''))
  t.equal(res.statusCode, 404)
  t.match(res.json(), { code: 'INTROSPECTION_DISABLED' })
})
