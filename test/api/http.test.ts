import { test } from 'tap'
import { build, newUser } from '../support/helper.js'

test('the whole flow over real HTTP, as the seed\'s test script walks it', async (t) => {
  const app = await build(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const call = async (method: string, path: string, body?: object, token?: string) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined
    })
    return { status: res.status, headers: res.headers, body: await res.json() }
  }

  t.equal((await call('GET', '/health')).status, 200)
  const user = newUser()
  const registered = await call('POST', '/register', user)
  t.equal(registered.status, 201)

  const loggedIn = await call('POST', '/login', { username: user.username, password: user.password })
  t.equal(loggedIn.status, 200)
  t.equal(loggedIn.headers.get('content-type'), 'application/json; charset=utf-8')

  const secret = await call('GET', '/protected', undefined, loggedIn.body.access_token)
  t.same(secret.body, { message: 'This is a protected endpoint', user_id: registered.body.user_id, data: 'Secret data only for authenticated users' })

  const refreshed = await call('POST', '/refresh', { refresh_token: loggedIn.body.refresh_token })
  t.equal(refreshed.status, 200)
  t.equal(refreshed.body.message, 'Token refreshed successfully')

  const out = await call('POST', '/logout', undefined, refreshed.body.access_token)
  t.same(out, { status: 200, headers: out.headers, body: { message: 'Logged out successfully' } })

  const revoked = await call('GET', '/protected', undefined, refreshed.body.access_token)
  t.equal(revoked.status, 401)
  t.match(revoked.headers.get('www-authenticate'), /^Bearer /)
  t.equal((await call('POST', '/refresh', { refresh_token: refreshed.body.refresh_token })).status, 401)
})
