import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, register, login, getProtected, refresh, type Tokens } from '../support/helper.js'

/**
 * A client that logs out while its own refresh is in flight (two tabs, a timer) must not be left
 * with a live session: whichever request Redis sees first, after both have answered no token of
 * the session works. Real HTTP, both requests sent at once, many trials.
 */

const TRIALS = 28

/** Lets the event loop (the server's handling included) run `n` times. */
async function turns (n: number) {
  for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
}

async function listen (app: FastifyInstance) {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
}

for (const path of ['/logout', '/logout/all']) {
  test(`${path} racing a refresh of the same session never leaves the session live`, async (t) => {
    const app = await build(t)
    const base = await listen(app)
    const user = await register(app)
    const outcomes = new Map<string, number>()

    for (let trial = 0; trial < TRIALS; trial++) {
      const tokens = await login(app, user)
      const sendRefresh = () => fetch(`${base}/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: tokens.refresh_token }) })
      const sendLogout = () => fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } })
      // Each goes first in half of the trials, the other a few event-loop turns later (0 to 6),
      // so the two requests interleave at every step of their handling across the trials
      const later = async <T>(send: () => Promise<T>) => { await turns(Math.floor(trial / 2) % 7); return await send() }
      const [refreshed, loggedOut] = trial % 2 === 0
        ? await Promise.all([sendRefresh(), later(sendLogout)])
        : (await Promise.all([sendLogout(), later(sendRefresh)])).reverse()
      const key = `refresh ${refreshed.status}, logout ${loggedOut.status}`
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
      const pairs: Tokens[] = [tokens]
      if (refreshed.status === 200) pairs.push(await refreshed.json() as Tokens)
      else await refreshed.body?.cancel()
      await loggedOut.body?.cancel()

      for (const [i, pair] of pairs.entries()) {
        const which = i === 0 ? 'the pair of the login' : 'the pair of the refresh'
        t.equal((await getProtected(app, pair.access_token)).statusCode, 401, `trial ${trial} (${key}): ${which}, access token`)
        t.equal((await refresh(app, pair.refresh_token)).statusCode, 401, `trial ${trial} (${key}): ${which}, refresh token`)
      }
    }
    t.comment(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`)
  })
}

test('/logout with the access token a refresh has just replaced ends the session', async (t) => {
  const app = await build(t)
  const tokens = await login(app, await register(app))
  const next = (await refresh(app, tokens.refresh_token)).json<Tokens>()
  t.equal((await getProtected(app, tokens.access_token)).statusCode, 401, 'the replaced token no longer reads anything')
  const res = await app.inject({ method: 'POST', url: '/logout', headers: { authorization: `Bearer ${tokens.access_token}` } })
  t.equal(res.statusCode, 200, 'but it still logs its session out')
  t.equal((await getProtected(app, next.access_token)).statusCode, 401)
  t.equal((await refresh(app, next.refresh_token)).statusCode, 401)
  const again = await app.inject({ method: 'POST', url: '/logout', headers: { authorization: `Bearer ${next.access_token}` } })
  t.equal(again.statusCode, 401, 'a token of an ended session is refused')
  t.match(again.json(), { code: 'TOKEN_REVOKED' })
})
