import { test } from 'tap'
import { Redis } from 'ioredis'
import { build, register, login, getProtected, refresh, logout, testConfig } from '../support/helper.js'
import { startCluster } from '../support/redis-topologies.js'
import { parseNodes } from '../../lib/redis-client.js'

const as = (token: string) => ({ authorization: `Bearer ${token}` })

test('the token lifecycle on a 3-master Redis Cluster', async (t) => {
  const { nodes } = await startCluster(t)
  const app = await build(t, { REDIS_CLUSTER_NODES: nodes, REFRESH_REUSE_INTERVAL_SECONDS: 0 })

  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 200)
  t.match(health.json(), { status: 'healthy', redis: 'connected', redis_tokens: 0 })

  const user = await register(app)
  const sessions = []
  for (let i = 0; i < 8; i++) sessions.push(await login(app, user))
  for (const tokens of sessions) t.equal((await getProtected(app, tokens.access_token)).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).json().redis_tokens, 16, 'live tokens counted across the cluster')

  const sizes = await Promise.all(parseNodes(nodes).map(async ({ host, port }) => {
    const node = new Redis({ host, port })
    try { return await node.dbsize() } finally { node.disconnect() }
  }))
  t.ok(sizes.filter(size => size > 0).length >= 2, `the keys are spread over the masters (${sizes.join(', ')})`)

  // Rotation: the old access token is revoked, the new pair works.
  const [first, second, third] = sessions
  const rotated = await refresh(app, first.refresh_token)
  t.equal(rotated.statusCode, 200)
  const next = rotated.json()
  t.equal((await getProtected(app, first.access_token)).statusCode, 401, 'rotation revokes the previous access token')
  t.equal((await getProtected(app, next.access_token)).statusCode, 200)

  // Reuse detection revokes the whole session.
  const reuse = await refresh(app, first.refresh_token)
  t.equal(reuse.statusCode, 401)
  t.equal(reuse.json().code, 'REFRESH_TOKEN_REUSED')
  t.equal((await getProtected(app, next.access_token)).statusCode, 401, 'the session\'s current access token is revoked')
  t.equal((await refresh(app, next.refresh_token)).statusCode, 401, 'and its current refresh token')

  // Logout ends one session; the others live on.
  t.equal((await logout(app, second.access_token)).statusCode, 200)
  t.equal((await getProtected(app, second.access_token)).statusCode, 401)
  t.equal((await getProtected(app, third.access_token)).statusCode, 200)

  const listed = await app.inject({ method: 'GET', url: '/sessions', headers: as(third.access_token) })
  t.equal(listed.json().sessions.length, 6, 'eight logins, one revoked for reuse, one logged out')

  // Logout everywhere reaches sessions on every master.
  const all = await app.inject({ method: 'POST', url: '/logout/all', headers: as(third.access_token) })
  t.equal(all.statusCode, 200)
  for (const tokens of sessions.slice(2)) {
    t.equal((await getProtected(app, tokens.access_token)).statusCode, 401)
    t.equal((await refresh(app, tokens.refresh_token)).statusCode, 401)
  }
  const after = await app.inject({ method: 'GET', url: '/health' })
  t.equal(after.statusCode, 200)
  t.equal(after.json().redis_tokens, 0, 'no live token left')

  const fresh = await login(app, user)
  t.equal((await getProtected(app, fresh.access_token)).statusCode, 200, 'the user can log in again')
})

test('cluster configuration is checked at start', async (t) => {
  const nodes = '127.0.0.1:7000,127.0.0.1:7001'
  t.throws(() => testConfig({ REDIS_CLUSTER_NODES: nodes, REDIS_KEY_PREFIX: 'app:{x}:' }), /must not contain \{ or \}/)
  t.throws(() => testConfig({ REDIS_CLUSTER_NODES: nodes, REDIS_DB: 2 }), /only database 0/)
  t.throws(() => testConfig({ REDIS_CLUSTER_NODES: nodes, REDIS_SENTINELS: '127.0.0.1:26379' }), /not both/)
  t.throws(() => testConfig({ REDIS_CLUSTER_NODES: '127.0.0.1' }), /REDIS_CLUSTER_NODES/)
  t.same(parseNodes(' 10.0.0.1:7000, redis-b:7001 '), [{ host: '10.0.0.1', port: 7000 }, { host: 'redis-b', port: 7001 }])
})
