import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, loginAsNewUser, getProtected, refresh, type Tokens } from '../support/helper.js'
import { startRedis, type ThrowawayRedis } from '../support/throwaway-redis.js'
import { completes, pollUntil } from '../support/completes.js'

/** Kills Redis (SIGKILL, no chance to save), starts it again and waits until the service reaches it. */
async function crashAndRestart (app: FastifyInstance, redis: ThrowawayRedis) {
  await redis.restart()
  return pollUntil(async () => (await completes(app.inject({ method: 'GET', url: '/health/ready' }))).statusCode === 200)
}

async function loginTwice (app: FastifyInstance): Promise<Tokens[]> {
  const first = await loginAsNewUser(app)
  return [first.tokens, (await loginAsNewUser(app)).tokens]
}

test('Redis with append-only persistence, killed and restarted: live sessions survive', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'jwt-aof-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  // As in the compose file: appendonly yes with the default fsync every second. A killed process
  // loses nothing it has written; a machine crash can lose the last second of sessions.
  const redis = await startRedis(t, ['--appendonly', 'yes', '--dir', dir])
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 })
  const [used, rotated] = await loginTwice(app)

  t.ok(await crashAndRestart(app, redis), 'the service reaches the restarted Redis')

  t.equal((await getProtected(app, used.access_token)).statusCode, 200, 'an access token issued before the restart is accepted')
  const next = await refresh(app, rotated.refresh_token)
  t.equal(next.statusCode, 200, 'a refresh token issued before the restart rotates')
  t.equal((await getProtected(app, next.json().access_token)).statusCode, 200)
  t.equal((await getProtected(app, rotated.access_token)).statusCode, 401, 'and the rotation still revokes the previous access token')
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.json().redis_tokens, 4, 'the live-token count came back with the data')
})

test('Redis without persistence, killed and restarted: the sessions are gone and their tokens get 401, never 500', async (t) => {
  const redis = await startRedis(t, ['--save', '', '--appendonly', 'no'])
  const app = await build(t, { REDIS_PORT: redis.port, REDIS_COMMAND_TIMEOUT_MS: 300 })
  const [first, second] = await loginTwice(app)

  t.ok(await crashAndRestart(app, redis), 'the service reaches the restarted Redis')

  const bearer = { authorization: `Bearer ${second.access_token}` }
  const answers = {
    'GET /protected': await getProtected(app, first.access_token),
    'POST /refresh': await refresh(app, first.refresh_token),
    'GET /sessions': await app.inject({ method: 'GET', url: '/sessions', headers: bearer }),
    'POST /logout': await app.inject({ method: 'POST', url: '/logout', headers: bearer }),
    'POST /refresh (second session)': await refresh(app, second.refresh_token)
  }
  for (const [route, res] of Object.entries(answers)) {
    t.equal(res.statusCode, 401, `${route} answers 401`)
    t.equal(res.json().code, 'TOKEN_REVOKED', `${route} says the token is revoked`)
  }
  const fresh = await loginAsNewUser(app)
  t.equal((await getProtected(app, fresh.tokens.access_token)).statusCode, 200, 'logging in again works')
  t.equal((await app.inject({ method: 'GET', url: '/health' })).json().redis_tokens, 2, 'only the new session is counted')
})
