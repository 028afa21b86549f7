import { test } from 'tap'
import { Redis } from 'ioredis'
import { build, loginAsNewUser, getProtected, logout } from '../support/helper.js'
import { startSentinel } from '../support/redis-topologies.js'

async function keysOn (port: number, prefix: string) {
  const redis = new Redis({ host: '127.0.0.1', port })
  try { return await redis.keys(`${prefix}*`) } finally { redis.disconnect() }
}

test('through Sentinel: the service finds the master and runs login, protected and logout', async (t) => {
  const { sentinels, name, masterPort } = await startSentinel(t)
  // REDIS_HOST/REDIS_PORT stay on the machine's own Redis: in Sentinel mode they must be ignored.
  const app = await build(t, { REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: name })
  const prefix = app.config.REDIS_KEY_PREFIX

  const { tokens } = await loginAsNewUser(app)
  t.ok((await keysOn(masterPort, prefix)).some(key => key.startsWith(`${prefix}sess:`)), 'the session is on the master Sentinel named')
  t.same(await keysOn(Number(app.config.REDIS_PORT), prefix), [], 'and nothing on REDIS_HOST:REDIS_PORT')

  t.equal((await getProtected(app, tokens.access_token)).statusCode, 200)
  t.equal((await logout(app, tokens.access_token)).statusCode, 200)
  t.equal((await getProtected(app, tokens.access_token)).statusCode, 401, 'revoked on the next request')

  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 200)
  t.equal(health.json().redis, 'connected')
})
