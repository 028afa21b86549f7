import { test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { build, register, login, getProtected, refresh, type Tokens } from '../support/helper.js'

/**
 * Logins with the old password racing a password change: each read the old hash before the
 * change and creates its session after the change has listed the sessions it revokes. None of
 * those sessions may stay live.
 */

const ROUNDS = 3
const ATTACKERS = 4

test('no session from a login with the old password survives a password change it raced', async (t) => {
  const app = await build(t)
  const user = await register(app)
  let password = user.password
  const oldPasswordLogins: LightMyRequestResponse[] = []

  for (let round = 0; round < ROUNDS; round++) {
    const changer = await login(app, { username: user.username, password })
    const newPassword = `changed-${round}-${user.password}`
    const progress = { changed: false }
    const change = app.inject({
      method: 'POST',
      url: '/password',
      headers: { authorization: `Bearer ${changer.access_token}` },
      payload: { current_password: password, new_password: newPassword }
    }).finally(() => { progress.changed = true })
    // Logins with the old password keep starting until the change has answered: some read the
    // hash just before it is replaced and finish after the change has revoked the sessions
    const oldPassword = password
    const attackers = Array.from({ length: ATTACKERS }, async () => {
      do {
        oldPasswordLogins.push(await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: oldPassword } }))
      } while (!progress.changed)
    })
    const [changeRes] = await Promise.all([change, ...attackers])
    t.equal(changeRes.statusCode, 200, `round ${round}: the password is changed`)
    password = newPassword
  }

  const statuses = oldPasswordLogins.map(res => res.statusCode)
  t.ok(statuses.every(status => status === 200 || status === 401), 'each login with the old password got 200 or 401, never a 500')
  const sessions = oldPasswordLogins.filter(res => res.statusCode === 200).map(res => res.json<Tokens>())
  t.ok(sessions.length > 0, `some logins with the old password succeeded before their change (${sessions.length} of ${statuses.length})`)
  let live = 0
  for (const tokens of sessions) {
    const checks = [(await getProtected(app, tokens.access_token)).statusCode, (await refresh(app, tokens.refresh_token)).statusCode]
    if (checks.some(status => status !== 401)) live++
  }
  t.equal(live, 0, `none of the ${sessions.length} sessions from the old password works (/protected and /refresh 401)`)
  t.equal((await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })).statusCode, 401,
    'the first password is refused')
  t.ok((await login(app, { username: user.username, password })).access_token, 'the latest password logs in')
})
