import { test } from 'tap'
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { build, localServices, loginAsNewUser, login, logout, refresh } from '../support/helper.js'
import { pollUntil } from '../support/completes.js'
import { feedChannel, FEED_KEY, parseSessionEnd, sessionEndOfEntry, type SessionEnd } from '../../lib/revocation-feed.js'

type Test = { teardown(fn: () => unknown): void }

/** A live listener on the feed of this app, as a resource server would run one. */
async function listen (t: Test, app: FastifyInstance) {
  const subscriber = new Redis({ host: localServices.REDIS_HOST, port: Number(localServices.REDIS_PORT) })
  t.teardown(() => subscriber.disconnect())
  const heard: SessionEnd[] = []
  subscriber.on('message', (_channel, message) => {
    const end = parseSessionEnd(message)
    if (end !== undefined) heard.push(end)
  })
  await subscriber.subscribe(feedChannel(app.config.REDIS_KEY_PREFIX))
  return heard
}

const bearer = (access: string) => ({ authorization: `Bearer ${access}` })
const sidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid

test('every end of a session is published live and kept in the stream as {sid, sub, exp, reason}', async (t) => {
  const app = await build(t, { ACCESS_TOKEN_EXPIRES_MINUTES: 15 })
  const heard = await listen(t, app)
  const { user, tokens: first } = await loginAsNewUser(app)
  const sub = String(user.id)
  const expected: Array<{ sid: string, reason: string }> = []

  await logout(app, first.access_token)
  expected.push({ sid: sidOf(first.access_token), reason: 'logout' })

  const second = await login(app, user)
  const third = await login(app, user)
  await app.inject({ method: 'DELETE', url: `/sessions/${sidOf(second.access_token)}`, headers: bearer(third.access_token) })
  expected.push({ sid: sidOf(second.access_token), reason: 'session_deleted' })

  const fourth = await login(app, user)
  const newPassword = `${user.password}-changed`
  const changed = await app.inject({ method: 'POST', url: '/password', headers: bearer(third.access_token), payload: { current_password: user.password, new_password: newPassword } })
  t.equal(changed.statusCode, 200)
  expected.push({ sid: sidOf(fourth.access_token), reason: 'password_change' })

  const fifth = await login(app, { username: user.username, password: newPassword })
  t.equal((await app.inject({ method: 'POST', url: '/logout/all', headers: bearer(fifth.access_token) })).statusCode, 200)
  expected.push({ sid: sidOf(third.access_token), reason: 'logout_all' }, { sid: sidOf(fifth.access_token), reason: 'logout_all' })

  const sixth = await login(app, { username: user.username, password: newPassword })
  t.equal((await refresh(app, sixth.refresh_token)).statusCode, 200)
  // Past the reuse interval's grace: the second presentation is theft
  await app.redis.del(`succ:{${sidOf(sixth.refresh_token)}}`)
  t.equal((await refresh(app, sixth.refresh_token)).statusCode, 401)
  expected.push({ sid: sidOf(sixth.access_token), reason: 'refresh_reused' })

  t.ok(await pollUntil(async () => heard.length >= expected.length), 'every end was heard live')
  const byArrival = heard.map(({ sid, reason }) => ({ sid, reason }))
  t.same(byArrival.sort((a, b) => a.sid.localeCompare(b.sid)), [...expected].sort((a, b) => a.sid.localeCompare(b.sid)))
  const now = Date.now() / 1000
  for (const end of heard) {
    t.equal(end.sub, sub, 'the user')
    t.ok(end.exp > now + 14 * 60 && end.exp <= now + 15 * 60 + 1, 'exp: when its last access token expires at the latest')
  }

  const entries = await app.redis.xrange(FEED_KEY, '-', '+')
  t.same(entries.map(sessionEndOfEntry), heard, 'the stream holds the same, for catch-up')
})

test('the stream keeps only the window in which an ended session\'s access token could still be presented', async (t) => {
  const app = await build(t, { ACCESS_TOKEN_EXPIRES_MINUTES: 1 })
  // Entries of ten minutes ago, as the feed wrote them then
  const old = Date.now() - 10 * 60_000
  for (let i = 0; i < 300; i++) {
    await app.redis.xadd(FEED_KEY, `${old + i}-0`, 'sid', `old-${i}`, 'sub', '1', 'exp', Math.ceil(old / 1000) + 60, 'reason', 'logout')
  }
  await app.revocations.publish('logout', [{ sid: 'fresh', sub: '1' }])
  const entries = await app.redis.xrange(FEED_KEY, '-', '+')
  t.ok(entries.length < 301, `older entries were trimmed (${entries.length} of 301 left)`)
  t.equal(sessionEndOfEntry(entries[entries.length - 1])?.sid, 'fresh')
})
