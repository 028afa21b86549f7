import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import type { RowDataPacket } from 'mysql2'
import { Redis } from 'ioredis'
import { build, localServices, loginAsNewUser } from '../support/helper.js'
import { hostileBodies, type HostileBody } from '../support/hostile-bodies.js'

const client = { INTROSPECTION_CLIENT_ID: 'resource-server', INTROSPECTION_CLIENT_SECRET: 'a-long-enough-client-secret' }
const introspectionAuth = `Basic ${Buffer.from(`${client.INTROSPECTION_CLIENT_ID}:${client.INTROSPECTION_CLIENT_SECRET}`).toString('base64')}`

/** What the service stores: every row of the users table and every key under the test's prefix. */
async function storedState (app: FastifyInstance, redis: Redis) {
  const [users] = await app.mysql.query<RowDataPacket[]>('SELECT id, username, email, password_hash, updated_at FROM users ORDER BY id')
  const keys = (await redis.keys(`${app.config.REDIS_KEY_PREFIX}*`)).sort()
  return { users, keys }
}

function rawRedis (t: { teardown(fn: () => unknown): void }) {
  const redis = new Redis({ host: localServices.REDIS_HOST, port: Number(localServices.REDIS_PORT), password: localServices.REDIS_PASSWORD || undefined })
  t.teardown(() => redis.quit())
  return redis
}

function send (app: FastifyInstance, url: string, body: HostileBody, authorization?: string) {
  return app.inject({
    method: 'POST',
    url,
    headers: {
      ...(body.contentType === undefined ? {} : { 'content-type': body.contentType }),
      ...(authorization === undefined ? {} : { authorization })
    },
    payload: body.payload
  })
}

const routes: Array<{ url: string, shape: Record<string, string>, auth?: 'bearer' | 'basic', allow200?: (json: unknown) => boolean, invalidToken?: boolean }> = [
  // Every shape has at least two fields no single change can make valid.
  { url: '/register', shape: { username: 'x', email: 'not-an-email', password: 'short' } },
  { url: '/login', shape: { username: 'nobody-of-this-name', password: 'not-a-password' } },
  { url: '/refresh', shape: { refresh_token: 'x.y.z' } },
  { url: '/password', shape: { current_password: 'not-the-password', new_password: 'x' }, auth: 'bearer' },
  // RFC 7662: any string as token is a fair question, answered {active:false}
  { url: '/introspect', shape: { token: 'x.y.z' }, auth: 'basic', allow200: (json) => JSON.stringify(json) === '{"active":false}' },
  // /logout reads no body: the token is checked first, so these are all refused with 401
  { url: '/logout', shape: { anything: 'x' }, auth: 'bearer', invalidToken: true }
]

/** A 400 says where: `body/field ...`, `body ...` (not JSON, not an object) or the field itself (password rules). */
function namesWhatFailed (message: string, shape: Record<string, string>): boolean {
  return /^body[/ ]/.test(message) || Object.keys(shape).some(field => message.startsWith(`${field} `))
}

// One app and one user for every route: each build and each login spends bcrypt work, and so
// does every body that passes validation and reaches the password check (a real 401/403).
test('hostile bodies: 4xx JSON errors, never a 5xx, nothing stored', async (t) => {
  const app = await build(t, client)
  const redis = rawRedis(t)
  const { tokens } = await loginAsNewUser(app)

  for (const route of routes) {
    await t.test(`POST ${route.url}`, async (t) => {
      const bearer = route.invalidToken === true ? 'x.y.z' : tokens.access_token
      const authorization = route.auth === 'bearer' ? `Bearer ${bearer}` : route.auth === 'basic' ? introspectionAuth : undefined
      const bodies = hostileBodies(route.shape, { seed: route.url.length, count: 200 })
      const before = await storedState(app, redis)

      const statuses = new Map<number, number>()
      for (const body of bodies) {
        const res = await send(app, route.url, body, authorization)
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
        const json: unknown = res.json()
        if (res.statusCode === 200 && route.allow200?.(json) === true) continue
        if (res.statusCode < 400 || res.statusCode >= 500) {
          t.fail(`${body.name}: ${res.statusCode} ${res.body.slice(0, 200)}`)
          continue
        }
        if (typeof json !== 'object' || json === null || !('statusCode' in json) || json.statusCode !== res.statusCode || !('message' in json) || typeof json.message !== 'string') {
          t.fail(`${body.name}: not the error shape: ${res.body.slice(0, 200)}`)
        } else if (res.statusCode === 400 && !namesWhatFailed(json.message, route.shape)) {
          t.fail(`${body.name}: a 400 that names neither the body nor a field: ${json.message}`)
        }
      }
      t.ok(bodies.length >= 200, `${bodies.length} bodies sent; statuses ${JSON.stringify(Object.fromEntries(statuses))}`)
      if (route.invalidToken !== true) {
        t.ok((statuses.get(400) ?? 0) > 0 && (statuses.get(413) ?? 0) > 0 && (statuses.get(415) ?? 0) > 0, 'the 400, 413 and 415 paths were all taken')
      }
      t.same(await storedState(app, redis), before, 'no user row and no Redis key changed')
    })
  }

  await t.test('POST /logout with a live token: a body that cannot be read is refused and the session stays live', async (t) => {
    const authorization = `Bearer ${tokens.access_token}`
    for (const body of hostileBodies({ anything: 'x' }).filter(body => /^(malformed|__proto__|constructor|as )|of (5000|20000|70000) /.test(body.name))) {
      const res = await send(app, '/logout', body, authorization)
      t.ok(res.statusCode >= 400 && res.statusCode < 500, `${body.name}: ${res.statusCode}`)
    }
    const still = await app.inject({ method: 'GET', url: '/protected', headers: { authorization } })
    t.equal(still.statusCode, 200)
  })
})
