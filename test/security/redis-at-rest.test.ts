import { test } from 'tap'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { build, loginAsNewUser, getProtected, refresh, localServices } from '../support/helper.js'

/**
 * What Redis holds (and so what its snapshots, append-only file and backups hold) is never a
 * usable token: session and token ids, times, the client of the last rotation; no signed string.
 */

const JWT_SHAPE = /[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/

/** Every key under the test's prefix with every string its value holds, read as a backup would. */
async function dump (app: FastifyInstance, t: { teardown(fn: () => unknown): void }) {
  const redis = new Redis({ host: localServices.REDIS_HOST, port: Number(localServices.REDIS_PORT), password: localServices.REDIS_PASSWORD || undefined, db: app.config.REDIS_DB })
  t.teardown(() => redis.quit())
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, names] = await redis.scan(cursor, 'MATCH', `${app.config.REDIS_KEY_PREFIX}*`, 'COUNT', 1000)
    cursor = next
    for (const name of names) {
      const type = await redis.type(name)
      const values = type === 'string'
        ? [await redis.get(name) ?? '']
        : type === 'hash'
          ? Object.entries(await redis.hgetall(name)).flat()
          : type === 'zset'
            ? await redis.zrange(name, '0', '-1')
            : [`unexpected ${type}`]
      found.push(name, ...values)
    }
  } while (cursor !== '0')
  return found
}

test('after login, rotation and a replay, no key or value in Redis is or holds a token', async (t) => {
  const app = await build(t, { REFRESH_REUSE_INTERVAL_SECONDS: 60 })
  const { tokens } = await loginAsNewUser(app)
  const rotated = (await refresh(app, tokens.refresh_token)).json()
  const replayed = (await refresh(app, tokens.refresh_token)).json()
  t.equal(replayed.refresh_token, rotated.refresh_token, 'the replay within the interval gets the same pair')
  const kept = await loginAsNewUser(app)

  const strings = await dump(app, t)
  t.ok(strings.some(value => value.startsWith(`${app.config.REDIS_KEY_PREFIX}succ:`)), 'the successor of the rotation is there')
  const issued = [tokens, rotated, kept.tokens].flatMap(pair => [pair.access_token, pair.refresh_token])
  for (const value of strings) {
    t.notMatch(value, JWT_SHAPE, 'nothing shaped like a JWT')
    for (const token of issued) {
      t.notOk(value.includes(token.split('.')[2]), 'no signature of an issued token')
    }
    t.throws(() => app.jwtKeys.verify(value), 'no value verifies as a token')
  }
  t.equal((await getProtected(app, rotated.access_token)).statusCode, 200, 'the session still works')
})

const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString()

for (const [alg, key, same] of [
  ['EdDSA', generateKeyPairSync('ed25519').privateKey, true],
  ['RS256', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, true],
  ['ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, false]
] as const) {
  test(`${alg}: a replay within the reuse interval is signed again from the stored claims`, async (t) => {
    const app = await build(t, { JWT_ALGORITHM: alg, JWT_SECRET_KEY: '', JWT_PRIVATE_KEY: pem(key), REFRESH_REUSE_INTERVAL_SECONDS: 60 })
    const { tokens } = await loginAsNewUser(app)
    const rotated = (await refresh(app, tokens.refresh_token)).json()
    const replay = await refresh(app, tokens.refresh_token)
    t.equal(replay.statusCode, 200)
    const claims = (token: string) => app.jwt.decode(token)
    t.same(claims(replay.json().access_token), claims(rotated.access_token), 'the same access claims')
    t.same(claims(replay.json().refresh_token), claims(rotated.refresh_token), 'the same refresh claims')
    if (same) {
      t.equal(replay.json().access_token, rotated.access_token, 'a deterministic signature: the same access token')
      t.equal(replay.json().refresh_token, rotated.refresh_token, 'and the same refresh token')
    }
    t.equal((await getProtected(app, replay.json().access_token)).statusCode, 200, 'the replayed access token works')
    t.equal((await getProtected(app, rotated.access_token)).statusCode, 200, 'so does the first one')
    t.equal((await refresh(app, replay.json().refresh_token)).statusCode, 200, 'the replayed refresh token rotates')
  })
}
