import { test, type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, register, login, logout, newUser, getProtected, refresh, localServices } from '../support/helper.js'
import { tcpProxy, type TcpProxy } from '../support/tcp-proxy.js'
import { completes, pollUntil } from '../support/completes.js'

/** The service reaches the shared local MariaDB only through a proxy the test can break. */
async function behindProxy (t: Test): Promise<{ app: FastifyInstance, proxy: TcpProxy }> {
  const proxy = await tcpProxy(Number(localServices.DB_PORT), localServices.DB_HOST)
  await proxy.start()
  // Registered before build's teardown, so it runs after it: the test database is dropped through it.
  t.teardown(() => proxy.stop())
  const app = await build(t, { DB_PORT: proxy.port, DB_TIMEOUT_MS: 500 })
  return { app, proxy }
}

async function whileDatabaseIsGone (t: Test, app: FastifyInstance) {
  const user = await register(app, newUser('dbfault'))
  const tokens = await login(app, user)
  const other = await login(app, user)
  return {
    user,
    async check () {
      const [registered, loggedIn] = await Promise.all([
        completes(app.inject({ method: 'POST', url: '/register', payload: newUser('dbfault') })),
        completes(app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } }))
      ])
      for (const [route, res] of [['register', registered], ['login', loggedIn]] as const) {
        t.equal(res.statusCode, 503, `${route} answers 503`)
        t.equal(res.json().code, 'DATABASE_UNAVAILABLE', `${route} says the user database is unavailable`)
      }

      t.equal((await completes(getProtected(app, tokens.access_token))).statusCode, 200, '/protected never needs MariaDB')
      const rotated = await completes(refresh(app, tokens.refresh_token))
      t.equal(rotated.statusCode, 200, '/refresh never needs MariaDB')
      t.equal((await getProtected(app, rotated.json().access_token)).statusCode, 200, 'and its new access token works')

      const bearer = { authorization: `Bearer ${other.access_token}` }
      const [me, password] = await Promise.all([
        completes(app.inject({ method: 'GET', url: '/me', headers: bearer })),
        completes(app.inject({ method: 'POST', url: '/password', headers: bearer, payload: { current_password: user.password, new_password: 'a-new-password-1' } }))
      ])
      for (const [route, res] of [['me', me], ['password', password]] as const) {
        t.equal(res.statusCode, 503, `/${route} reads the user: 503`)
        t.equal(res.json().code, 'DATABASE_UNAVAILABLE')
      }
      t.equal((await completes(logout(app, other.access_token))).statusCode, 200, '/logout never needs MariaDB')

      const health = await completes(app.inject({ method: 'GET', url: '/health' }))
      t.equal(health.statusCode, 503, '/health answers 503')
      t.match(health.json(), { status: 'unhealthy', database: 'disconnected', redis: 'connected' }, 'naming MariaDB, not Redis')
    }
  }
}

async function recovers (t: Test, app: FastifyInstance, user: { username: string, password: string }) {
  const seen = new Set<number>()
  const back = await pollUntil(async () => {
    const res = await completes(app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } }))
    seen.add(res.statusCode)
    return res.statusCode === 200
  })
  t.ok(back, 'logins work again without a restart')
  t.notOk(seen.has(500), 'never a 500 on the way back')
  t.equal((await app.inject({ method: 'POST', url: '/register', payload: newUser('dbfault') })).statusCode, 201, 'registration too')
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'health is back to 200')
}

test('MariaDB unreachable (connections cut and refused): register and login 503, token routes keep working; back: recovery by itself', async (t) => {
  const { app, proxy } = await behindProxy(t)
  const outage = await whileDatabaseIsGone(t, app)
  await proxy.stop()
  await outage.check()
  await proxy.start()
  await recovers(t, app, outage.user)
})

test('MariaDB silent (packets go nowhere): the DB timeout turns waiting into 503s; answering again: recovery by itself', async (t) => {
  const { app, proxy } = await behindProxy(t)
  const outage = await whileDatabaseIsGone(t, app)
  proxy.freeze()
  await outage.check()
  proxy.thaw()
  await recovers(t, app, outage.user)
})
