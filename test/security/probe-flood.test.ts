import { test } from 'tap'
import { Agent, request } from 'undici'
import { build, loginAsNewUser } from '../support/helper.js'
import { completes } from '../support/completes.js'

/** `n` concurrent GETs of `path` over their own connections; their statuses. */
function flood (base: string, agent: Agent, path: string, n: number) {
  return Promise.all(Array.from({ length: n }, async () => {
    const res = await completes(request(`${base}${path}`, { dispatcher: agent }))
    await res.body.dump()
    return res.statusCode
  }))
}

test('200 concurrent readiness probes over HTTP leave the pool to the routes: probes stay 200, /me never fails', async (t) => {
  // A small pool, as a flood of 200 would find a default one of 10 with 100 waiting
  const app = await build(t, { DB_POOL_SIZE: 2, DB_QUEUE_LIMIT: 4, HEALTH_CHECK_REUSE_MS: 1000 })
  const { tokens } = await loginAsNewUser(app)
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const agent = new Agent({ connections: 250 })
  t.teardown(() => agent.close())

  const me = async () => {
    const res = await completes(request(`${base}/me`, { dispatcher: agent, headers: { authorization: `Bearer ${tokens.access_token}` } }))
    await res.body.dump()
    return res.statusCode
  }
  const probes = Promise.all([flood(base, agent, '/health/ready', 200), flood(base, agent, '/health', 50)])
  // Four at a time: the two connections and four places in the queue hold them with one probe
  const profiles: number[] = []
  for (let i = 0; i < 6; i++) profiles.push(...await Promise.all([me(), me(), me(), me()]))
  const [ready, health] = await probes

  t.same(new Set(ready), new Set([200]), 'every readiness probe answers 200')
  t.same(new Set(health), new Set([200]), 'every deep health check answers 200')
  t.same(new Set(profiles), new Set([200]), '/me answers 200 throughout')
})

test('a pool with every connection busy and a full queue answers 503 DATABASE_UNAVAILABLE, never 500', async (t) => {
  const app = await build(t, { DB_POOL_SIZE: 1, DB_QUEUE_LIMIT: 1 })
  const { tokens } = await loginAsNewUser(app)
  const answers = await Promise.all(Array.from({ length: 50 }, () => completes(app.inject({
    method: 'GET', url: '/me', headers: { authorization: `Bearer ${tokens.access_token}` }
  }))))

  const statuses = new Set(answers.map(res => res.statusCode))
  t.notOk(statuses.has(500), 'no 500')
  t.ok(statuses.has(200), 'the requests that got a connection are served')
  const refused = answers.filter(res => res.statusCode === 503)
  t.ok(refused.length > 0, 'the queue overflowed')
  for (const res of refused) t.match(res.json(), { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: 'User database is unavailable, try again shortly' })
})
