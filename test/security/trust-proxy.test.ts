import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, register } from '../support/helper.js'

const PROXY = '10.0.8.1'
const limited = { RATE_LIMIT_ENABLED: true, LOGIN_RATE_LIMIT_IP_MAX: 2, LOGIN_RATE_LIMIT_USERNAME_MAX: 1000, TRUST_PROXY: '10.0.8.0/24' }

function viaProxy (app: FastifyInstance, forwardedFor: string, payload = { username: 'nobody_here', password: 'not-the-password' }) {
  return app.inject({ method: 'POST', url: '/login', remoteAddress: PROXY, headers: { 'x-forwarded-for': forwardedFor }, payload })
}

test('behind a trusted proxy, ports in X-Forwarded-For do not make new rate-limit buckets', async (t) => {
  const app = await build(t, limited)
  const statuses = []
  for (let port = 40000; port < 40004; port++) statuses.push((await viaProxy(app, `198.51.100.7:${port}`)).statusCode)
  t.same(statuses, [401, 401, 429, 429], 'one client whatever its port')

  const v6 = []
  for (const port of [1, 2, 3]) v6.push((await viaProxy(app, `[2001:db8:7::1]:${port}`)).statusCode)
  t.same(v6, [401, 401, 429], 'a bracketed IPv6 address with a port is the address')
})

test('an invalid X-Forwarded-For value means the connection\'s address, never a session\'s stored IP', async (t) => {
  const app = await build(t, { ...limited, LOGIN_RATE_LIMIT_IP_MAX: 1000 })
  const user = await register(app)
  const res = await viaProxy(app, 'garbage<script>', { username: user.username, password: user.password })
  t.equal(res.statusCode, 200)
  const { sessions } = (await app.inject({ method: 'GET', url: '/sessions', headers: { authorization: `Bearer ${res.json().access_token}` } })).json()
  t.equal(sessions[0].ip, PROXY, 'the session records the proxy that sent the value')

  const withPort = await viaProxy(app, '198.51.100.9:5555', { username: user.username, password: user.password })
  const listed = (await app.inject({ method: 'GET', url: '/sessions', headers: { authorization: `Bearer ${withPort.json().access_token}` } })).json().sessions
  t.same(listed.map((session: { ip: string }) => session.ip), [PROXY, '198.51.100.9'], 'a port never reaches the session either')
})

test('invalid values share the proxy\'s bucket instead of escaping the per-IP limit', async (t) => {
  const app = await build(t, limited)
  const statuses = []
  for (const value of ['garbage1', 'garbage2', 'garbage3']) statuses.push((await viaProxy(app, value)).statusCode)
  t.same(statuses, [401, 401, 429])
})
