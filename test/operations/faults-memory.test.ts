import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { setTimeout as sleep } from 'node:timers/promises'
import { build, register, login, logout, getProtected, refresh, newUser, type Tokens } from '../support/helper.js'
import { startRedis, type ThrowawayRedis } from '../support/throwaway-redis.js'

const sessionOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid

/** Another tenant of the same Redis (a cache, say) writing keys of its own. */
async function pressure (redis: ThrowawayRedis, t: { teardown(fn: () => unknown): void }) {
  const client = new Redis({ port: redis.port, host: '127.0.0.1', maxRetriesPerRequest: 0 })
  t.teardown(() => client.disconnect())
  let written = 0
  return {
    client,
    /** Writes `count` values of `size` bytes; says whether Redis took them all. */
    async write (count: number, size = 16 * 1024) {
      const pipeline = client.pipeline()
      for (let i = 0; i < count; i++) pipeline.set(`cache:${written++}`, 'x'.repeat(size))
      const results = await pipeline.exec() ?? []
      return results.every(([err]) => err === null)
    },
    async evicted () {
      return Number(/^evicted_keys:(\d+)/m.exec(await client.info('stats'))?.[1] ?? 0)
    }
  }
}

async function sessions (app: FastifyInstance, count: number): Promise<Tokens[]> {
  const user = await register(app, newUser('memory'))
  const all = []
  for (let i = 0; i < count; i++) all.push(await login(app, user))
  return all
}

test('allkeys-lru evicting sessions: no revoked token is ever accepted, an evicted session is logged out, never a 500', async (t) => {
  const redis = await startRedis(t, ['--maxmemory', '3mb', '--maxmemory-policy', 'allkeys-lru'])
  const app = await build(t, { REDIS_PORT: redis.port })
  const all = await sessions(app, 10)
  const revoked = all.slice(0, 4)
  const live = all.slice(4)
  for (const tokens of revoked) t.equal((await logout(app, tokens.access_token)).statusCode, 200)

  // LRU eviction takes the keys idle the longest (Redis's LRU clock ticks in seconds): with the
  // sessions idle for two seconds, another tenant's writes push them out.
  await sleep(2500)
  const cache = await pressure(redis, t)
  const hashes = live.map(tokens => `${app.config.REDIS_KEY_PREFIX}sess:{${sessionOf(tokens.refresh_token)}}`)
  let refusedWrites = 0
  const revokedStatuses = new Set<number>()
  for (let round = 0; round < 500 && await cache.client.exists(...hashes) > 0; round++) {
    for (const tokens of revoked) revokedStatuses.add((await getProtected(app, tokens.access_token)).statusCode)
    if (!await cache.write(4)) refusedWrites++
  }
  t.equal(refusedWrites, 0, 'the other tenant\'s writes succeed: Redis evicts to make room')
  t.ok(await cache.evicted() > 0, `Redis evicted keys (${await cache.evicted()})`)
  t.equal(await cache.client.exists(...hashes), 0, 'every live session was evicted')
  t.same([...revokedStatuses], [401], 'a token revoked before the eviction stays revoked')

  // A session is one key: eviction takes it whole, so it can never leave a token half-alive.
  for (const tokens of live) {
    t.equal((await getProtected(app, tokens.access_token)).statusCode, 401, 'an evicted session\'s access token is refused')
    t.equal((await refresh(app, tokens.refresh_token)).statusCode, 401, 'and it cannot be refreshed')
    t.equal((await logout(app, tokens.access_token)).statusCode, 401, 'logging out of it answers 401, never 500')
  }
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 200)
  t.ok(health.json().redis_tokens >= 0, `the live-token count stays a count (${health.json().redis_tokens})`)
  const again = await login(app, await register(app, newUser('after')))
  t.equal((await getProtected(app, again.access_token)).statusCode, 200, 'logging in again works')
})

test('noeviction at maxmemory: new logins answer 503, a refresh rotates whole or not at all, existing tokens work, logout still revokes, never 500', async (t) => {
  const redis = await startRedis(t, ['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction'])
  const app = await build(t, { REDIS_PORT: redis.port })
  const user = await register(app, newUser('memory'))
  const [kept, loggedOut, refreshed] = [await login(app, user), await login(app, user), await login(app, user)]

  const cache = await pressure(redis, t)
  let refused = false
  for (let round = 0; round < 200 && !refused; round++) refused = !await cache.write(20)
  // Redis soon frees the big writes' buffers and would drop back under the limit: pin the limit
  // below what it holds, so it stays full for the rest of the test.
  const used = Number(/^used_memory:(\d+)/m.exec(await cache.client.info('memory'))?.[1])
  await cache.client.config('SET', 'maxmemory', String(used - 512 * 1024))
  t.notOk(await cache.write(1, 256), 'Redis refuses even a small write: it is full')
  t.equal(await cache.evicted(), 0, 'and has evicted nothing')

  const newLogin = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })
  t.equal(newLogin.statusCode, 503, 'a new login cannot be stored: 503')
  t.equal(newLogin.json().code, 'TOKEN_STORE_UNAVAILABLE')
  t.equal((await getProtected(app, kept.access_token)).statusCode, 200, 'an existing session keeps working')

  // A rotation writes the session hash and the successor pair. Redis
  // refuses a script's first write when full, before it has changed anything: all or nothing.
  const rotation = await refresh(app, refreshed.refresh_token)
  t.ok([200, 503].includes(rotation.statusCode), `refresh on a full Redis: rotated or 503, never 500 (${rotation.statusCode})`)
  if (rotation.statusCode === 503) {
    t.equal(rotation.json().code, 'TOKEN_STORE_UNAVAILABLE')
    t.equal((await getProtected(app, refreshed.access_token)).statusCode, 200, 'the session was not rotated: its access token still works')
    await cache.client.config('SET', 'maxmemory', '0')
    const retry = await refresh(app, refreshed.refresh_token)
    t.equal(retry.statusCode, 200, 'and its refresh token still rotates once Redis has room')
    t.equal((await getProtected(app, retry.json().access_token)).statusCode, 200, 'into a working pair')
    t.equal((await getProtected(app, refreshed.access_token)).statusCode, 401, 'that revokes the previous access token')
    await cache.client.config('SET', 'maxmemory', String(used - 512 * 1024))
  } else {
    t.equal((await getProtected(app, rotation.json().access_token)).statusCode, 200, 'the rotation took effect whole: the new access token works')
    t.equal((await getProtected(app, refreshed.access_token)).statusCode, 401, 'and the previous one is revoked')
  }
  t.equal((await logout(app, loggedOut.access_token)).statusCode, 200, 'logout works on a full Redis (deletions are allowed)')
  t.equal((await getProtected(app, loggedOut.access_token)).statusCode, 401, 'and its token is refused')
  t.equal((await refresh(app, loggedOut.refresh_token)).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'health reads work on a full Redis')
})
