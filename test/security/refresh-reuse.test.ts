import { test } from 'tap'
import { build, loginAsNewUser, getProtected, refresh } from '../support/helper.js'

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

test('reusing a consumed refresh token revokes the whole session with a distinct code', async (t) => {
  const app = await build(t, { REFRESH_REUSE_INTERVAL_SECONDS: 0 })
  const { tokens } = await loginAsNewUser(app)
  const rotated = (await refresh(app, tokens.refresh_token)).json()
  const warnings: string[] = []
  app.log.warn = (...args: unknown[]) => { warnings.push(JSON.stringify(args)) }

  const reuse = await refresh(app, tokens.refresh_token)
  t.equal(reuse.statusCode, 401)
  t.match(reuse.json(), { code: 'REFRESH_TOKEN_REUSED' })
  t.equal((await getProtected(app, rotated.access_token)).statusCode, 401, 'the current access token is revoked')
  t.equal((await refresh(app, rotated.refresh_token)).statusCode, 401, 'the current refresh token is revoked')
  t.equal(warnings.length, 1)
  t.match(warnings[0], /refresh token reused/)
  t.notMatch(warnings[0], tokens.refresh_token, 'the log never carries the token')
})

test('of 20 concurrent refreshes of one token exactly one rotates (reuse interval off)', async (t) => {
  const app = await build(t, { REFRESH_REUSE_INTERVAL_SECONDS: 0 })
  const { tokens } = await loginAsNewUser(app)
  const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(app, tokens.refresh_token)))
  const statuses = answers.map(res => res.statusCode)
  t.equal(statuses.filter(code => code === 200).length, 1, 'exactly one succeeds')
  t.equal(statuses.filter(code => code === 401).length, 19, 'the others are refused')
  const codes = answers.filter(res => res.statusCode === 401).map(res => res.json().code)
  t.ok(codes.includes('REFRESH_TOKEN_REUSED'), 'the first loser is detected as reuse')
  t.ok(codes.every(code => code === 'REFRESH_TOKEN_REUSED' || code === 'TOKEN_REVOKED'), 'later ones find the session revoked')
  const winner = answers.find(res => res.statusCode === 200)?.json()
  t.equal((await getProtected(app, winner.access_token)).statusCode, 401, 'the races count as reuse: the session is revoked')
})

test('within the reuse interval, 20 concurrent refreshes all get the one successor pair', async (t) => {
  const app = await build(t, { REFRESH_REUSE_INTERVAL_SECONDS: 10 })
  const { tokens } = await loginAsNewUser(app)
  const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(app, tokens.refresh_token)))
  t.same(answers.map(res => res.statusCode), Array(20).fill(200))
  const pairs = new Set(answers.map(res => `${res.json().access_token} ${res.json().refresh_token}`))
  t.equal(pairs.size, 1, 'one rotation happened; every caller got its pair')
  const pair = answers[0].json()
  t.equal((await getProtected(app, pair.access_token)).statusCode, 200)
  t.equal((await refresh(app, pair.refresh_token)).statusCode, 200, 'the successor refresh token still rotates')
})

test('the reuse interval: same pair just inside it, theft just after it', async (t) => {
  const app = await build(t, { REFRESH_REUSE_INTERVAL_SECONDS: 1 })
  const { tokens } = await loginAsNewUser(app)
  const first = (await refresh(app, tokens.refresh_token)).json()

  await sleep(600)
  const inside = await refresh(app, tokens.refresh_token)
  t.equal(inside.statusCode, 200, 'inside the interval')
  t.equal(inside.json().access_token, first.access_token, 'the same access token')
  t.equal(inside.json().refresh_token, first.refresh_token, 'the same refresh token')
  t.ok(inside.json().expires_in <= first.expires_in)
  t.equal((await getProtected(app, first.access_token)).statusCode, 200, 'the session is not revoked')

  await sleep(700)
  const after = await refresh(app, tokens.refresh_token)
  t.equal(after.statusCode, 401, 'after the interval')
  t.match(after.json(), { code: 'REFRESH_TOKEN_REUSED' })
  t.equal((await getProtected(app, first.access_token)).statusCode, 401, 'the session is revoked')
})

test('an older refresh token is theft even inside the interval', async (t) => {
  const app = await build(t, { REFRESH_REUSE_INTERVAL_SECONDS: 10 })
  const { tokens } = await loginAsNewUser(app)
  const second = (await refresh(app, tokens.refresh_token)).json()
  const third = (await refresh(app, second.refresh_token)).json()
  const res = await refresh(app, tokens.refresh_token)
  t.equal(res.statusCode, 401)
  t.match(res.json(), { code: 'REFRESH_TOKEN_REUSED' })
  t.equal((await getProtected(app, third.access_token)).statusCode, 401)
})

test('rotation never extends a session past SESSION_MAX_DAYS', async (t) => {
  const app = await build(t, { SESSION_MAX_DAYS: 7, REFRESH_TOKEN_EXPIRES_DAYS: 7 })
  const { tokens } = await loginAsNewUser(app)
  const claimsOf = (token: string) => app.jwt.decode<{ exp: number, sxp: number }>(token) ?? { exp: 0, sxp: 0 }
  const sessionEnd = claimsOf(tokens.refresh_token).sxp
  await sleep(1100)
  const rotated = (await refresh(app, tokens.refresh_token)).json()
  t.equal(claimsOf(rotated.refresh_token).sxp, sessionEnd, 'the session end does not move')
  t.ok(claimsOf(rotated.refresh_token).exp <= sessionEnd, 'the new refresh token ends with the session')
})

test('within the reuse interval a replay from another client is theft: the session ends', async (t) => {
  const app = await build(t, { REFRESH_REUSE_INTERVAL_SECONDS: 30 })
  const { tokens } = await loginAsNewUser(app)
  const from = (remoteAddress: string, userAgent: string) => app.inject({
    method: 'POST', url: '/refresh', remoteAddress, headers: { 'user-agent': userAgent }, payload: { refresh_token: tokens.refresh_token }
  })
  const rotated = await from('198.51.100.7', 'Victim/1.0')
  t.equal(rotated.statusCode, 200)

  const retry = await from('198.51.100.7', 'Victim/1.0')
  t.equal(retry.statusCode, 200, 'the client that rotated retries: the same pair')
  t.equal(retry.json().access_token, rotated.json().access_token)
  t.equal(retry.json().refresh_token, rotated.json().refresh_token)

  for (const [ip, agent, what] of [['203.0.113.9', 'Victim/1.0', 'another address'], ['198.51.100.7', 'Thief/2.0', 'another user agent']]) {
    const session = await loginAsNewUser(app)
    const honest = await app.inject({ method: 'POST', url: '/refresh', remoteAddress: '198.51.100.7', headers: { 'user-agent': 'Victim/1.0' }, payload: { refresh_token: session.tokens.refresh_token } })
    t.equal(honest.statusCode, 200)
    const copied = await app.inject({ method: 'POST', url: '/refresh', remoteAddress: ip, headers: { 'user-agent': agent }, payload: { refresh_token: session.tokens.refresh_token } })
    t.equal(copied.statusCode, 401, `a replay from ${what} is refused`)
    t.match(copied.json(), { code: 'REFRESH_TOKEN_REUSED' })
    t.notOk(JSON.stringify(copied.json()).includes('access_token'), 'and gets no tokens')
    t.equal((await getProtected(app, honest.json().access_token)).statusCode, 401, `${what}: the session's access token is revoked`)
    t.equal((await refresh(app, honest.json().refresh_token)).statusCode, 401, `${what}: and its refresh token`)
  }
})
