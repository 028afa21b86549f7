import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, register, login, getProtected } from '../support/helper.js'

/** What axios (and Zodios on it) sends on a POST or DELETE without data. */
const axiosHeaders = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' })
const sidOf = (app: FastifyInstance, token: string) => app.jwt.decode<{ sid: string }>(token)?.sid ?? ''

test('routes that take no body answer an empty form-labelled request (axios) over HTTP', async (t) => {
  const app = await build(t)
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const user = await register(app)
  const [first, second, third] = [await login(app, user), await login(app, user), await login(app, user)]

  const revoke = await fetch(`${base}/sessions/${sidOf(app, second.access_token)}`, { method: 'DELETE', headers: axiosHeaders(first.access_token) })
  t.equal(revoke.status, 200, 'DELETE /sessions/{id}')
  t.same(await revoke.json(), { message: 'Session revoked' })
  t.equal((await getProtected(app, second.access_token)).statusCode, 401, 'that session is gone')

  const logout = await fetch(`${base}/logout`, { method: 'POST', headers: axiosHeaders(first.access_token) })
  t.equal(logout.status, 200, 'POST /logout')
  t.same(await logout.json(), { message: 'Logged out successfully' })

  const all = await fetch(`${base}/logout/all`, { method: 'POST', headers: axiosHeaders(third.access_token) })
  t.equal(all.status, 200, 'POST /logout/all')
  t.equal((await getProtected(app, third.access_token)).statusCode, 401, 'every session is gone')
})

test('routes that take no body accept {} and refuse a field or a body of another type', async (t) => {
  const app = await build(t)
  const user = await register(app)
  const { access_token: token } = await login(app, user)
  const other = await login(app, user)
  const routes = [
    { method: 'POST' as const, url: '/logout' },
    { method: 'POST' as const, url: '/logout/all' },
    { method: 'POST' as const, url: '/email/verify/resend' },
    { method: 'DELETE' as const, url: `/sessions/${sidOf(app, other.access_token)}` }
  ]
  for (const { method, url } of routes) {
    const field = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload: { x: 1 } })
    t.equal(field.statusCode, 400, `${method} ${url} {"x":1}`)
    t.match(field.json(), { code: 'FST_ERR_VALIDATION', message: 'body has a field that is not accepted' })
    const form = await app.inject({ method, url, headers: axiosHeaders(token), payload: 'x=1' })
    t.equal(form.statusCode, 415, `${method} ${url} with a form body`)
    t.equal(form.json().code, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
  }
  t.equal((await getProtected(app, token)).statusCode, 200, 'no refused request ended the session')
  const empty = await app.inject({ method: 'POST', url: '/logout', headers: { authorization: `Bearer ${token}` }, payload: {} })
  t.equal(empty.statusCode, 200, 'POST /logout {}')
})
