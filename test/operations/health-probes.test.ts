import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { Agent, get } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { build, loginAsNewUser, getProtected, localServices } from '../support/helper.js'
import { startRedis } from '../support/throwaway-redis.js'
import { tcpProxy } from '../support/tcp-proxy.js'

test('liveness is ok and readiness is ready while both stores answer', async (t) => {
  const app = await build(t)
  const live = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200)
  t.same(live.json(), { status: 'ok' })

  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready', database: 'connected', redis: 'connected' })
})

test('while draining: readiness is 503, liveness and every other route still serve', async (t) => {
  const app = await build(t, { SHUTDOWN_DRAIN_SECONDS: 1 })
  const { tokens } = await loginAsNewUser(app)
  t.equal(app.lifecycle.draining, false)

  const drained = app.lifecycle.drain()
  t.equal(app.lifecycle.draining, true)
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'draining' })
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'the deep check keeps its own contract')
  t.equal((await getProtected(app, tokens.access_token)).statusCode, 200, 'requests are still served during the drain')
  await drained
})

test('over HTTP, answers keep their connection alive until the drain starts, then close it', async (t) => {
  const app = await build(t, { SHUTDOWN_DRAIN_SECONDS: 1 })
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const connectionOf = (path: string) => new Promise<string | undefined>((resolve, reject) => {
    get(`${base}${path}`, { agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.headers.connection))
    }).on('error', reject)
  })

  t.equal(await connectionOf('/health/live'), 'keep-alive')
  const drained = app.lifecycle.drain()
  t.equal(await connectionOf('/health/live'), 'close')
  t.equal(await connectionOf('/health/ready'), 'close', 'the 503 of readiness closes its connection too')
  await drained
})

test('readiness follows Redis: 503 naming it while down, ready again when back; liveness stays 200', async (t) => {
  const redis = await startRedis(t)
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 })
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200)
  await redis.stop()

  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'unavailable', database: 'connected', redis: 'disconnected' })
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200)

  await redis.restart()
  t.equal(await readinessWithin(app, 200), 200)
})

test('readiness follows MariaDB: 503 naming it while unreachable, ready again when back', async (t) => {
  const proxy = await tcpProxy(Number(localServices.DB_PORT), localServices.DB_HOST)
  await proxy.start()
  t.teardown(() => proxy.stop()) // runs after build's teardown, which drops the test database through it
  const app = await build(t, { DB_PORT: proxy.port, DB_TIMEOUT_MS: 1000 })
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200)
  await proxy.stop()

  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'unavailable', database: 'disconnected', redis: 'connected' })

  await proxy.start()
  t.equal(await readinessWithin(app, 200), 200)
})

/** Polls readiness (at most 50 times, 100 ms apart) until it answers `want`; returns the last status. */
async function readinessWithin (app: FastifyInstance, want: number) {
  let status = 0
  for (let i = 0; i < 50 && status !== want; i++) {
    if (i > 0) await sleep(100)
    status = (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode
  }
  return status
}
