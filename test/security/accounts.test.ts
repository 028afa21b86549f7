import { test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { performance } from 'node:perf_hooks'
import { build, getProtected, login, refresh, register, type Tokens } from '../support/helper.js'
import { startMailCatcher, tokenIn } from '../support/mail-catcher.js'

const post = (app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } })

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** What a client can see of an answer, minus what differs on every request anyway. */
const visible = (res: LightMyRequestResponse) => {
  const { date, 'x-request-id': _id, ...headers } = res.headers
  return { status: res.statusCode, body: res.body, headers }
}

test('POST /password/forgot answers a known and an unknown address alike, in similar time', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, smtp.settings)
  const user = await register(app)
  const known = await post(app, '/password/forgot', { email: user.email })
  const unknown = await post(app, '/password/forgot', { email: 'nadie@example.com' })
  t.same(visible(unknown), visible(known), 'same status, body and headers')
  await smtp.waitFor(user.email, m => m.subject === 'Restablece tu contraseña')
  t.equal(smtp.mails.filter(m => m.to === 'nadie@example.com').length, 0)

  // Alternating, so that load on the machine falls on both alike; medians shrug off outliers
  const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] }
  for (let i = 0; i < 25; i++) {
    for (const [kind, email] of [['known', user.email], ['unknown', `nadie${i}@example.com`]] as const) {
      const start = performance.now()
      t.equal((await post(app, '/password/forgot', { email })).statusCode, 202)
      times[kind].push(performance.now() - start)
    }
  }
  const [k, u] = [median(times.known), median(times.unknown)]
  t.comment(`median ms: known ${k.toFixed(2)}, unknown ${u.toFixed(2)}`)
  // Generous on purpose: a gross difference (a commit, a mail, a bcrypt) is tens of ms per request
  t.ok(Math.max(k, u) < 3 * Math.min(k, u) + 5, `no gross timing difference (known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms)`)
})

test('forgot is limited per address (any spelling, any IP) and per IP', async (t) => {
  const app = await build(t, { RATE_LIMIT_ENABLED: true, ACCOUNT_MAIL_RATE_LIMIT_MAX: 2, PASSWORD_FORGOT_RATE_LIMIT_IP_MAX: 4 })
  const from = (ip: string, email: string) => app.inject({ method: 'POST', url: '/password/forgot', payload: { email }, remoteAddress: ip })
  t.equal((await from('10.0.0.1', 'Ana@example.com')).statusCode, 202)
  t.equal((await from('10.0.0.2', ' ana@EXAMPLE.com')).statusCode, 202)
  const third = await from('10.0.0.3', 'ana@example.com')
  t.equal(third.statusCode, 429, 'the third for one address, whatever its spelling and IP')
  t.equal(third.json().code, 'RATE_LIMITED')

  const statuses = []
  for (let i = 0; i < 5; i++) statuses.push((await from('10.0.0.9', `someone${i}@example.com`)).statusCode)
  t.same(statuses, [202, 202, 202, 202, 429], 'one IP asking for many addresses')
})

test('two resets with one token at once: exactly one succeeds', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, smtp.settings)
  const user = await register(app)
  for (let round = 0; round < 3; round++) {
    t.equal((await post(app, '/password/forgot', { email: user.email })).statusCode, 202)
    const mail = await smtp.waitFor(user.email, m => m.subject === 'Restablece tu contraseña' && smtp.mails.filter(n => n.subject === m.subject).indexOf(m) === round)
    const token = tokenIn(mail)
    const answers = await Promise.all(['primera', 'segunda', 'tercera'].map(word =>
      post(app, '/password/reset', { token, new_password: `${word}-${round}-contraseña` })))
    const statuses = answers.map(res => res.statusCode).sort()
    t.same(statuses, [200, 400, 400], `round ${round}: one 200, the others 400`)
    const winner = ['primera', 'segunda', 'tercera'][answers.findIndex(res => res.statusCode === 200)]
    t.ok((await login(app, { username: user.username, password: `${winner}-${round}-contraseña` })).access_token, 'the winner\'s password is the one set')
  }
})

test('a login with the old password racing a reset leaves no live session', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, smtp.settings)
  const user = await register(app)
  t.equal((await post(app, '/password/forgot', { email: user.email })).statusCode, 202)
  const token = tokenIn(await smtp.waitFor(user.email, m => m.subject === 'Restablece tu contraseña'))

  const progress = { done: false }
  const reset = post(app, '/password/reset', { token, new_password: 'contraseña-tras-el-reset' }).finally(() => { progress.done = true })
  const logins: LightMyRequestResponse[] = []
  const attackers = Array.from({ length: 4 }, async () => {
    do logins.push(await post(app, '/login', { username: user.username, password: user.password }))
    while (!progress.done)
  })
  const [resetRes] = await Promise.all([reset, ...attackers])
  t.equal(resetRes.statusCode, 200)
  t.ok(logins.every(res => res.statusCode === 200 || res.statusCode === 401), 'each login got 200 or 401, never a 500')
  let live = 0
  for (const tokens of logins.filter(res => res.statusCode === 200).map(res => res.json<Tokens>())) {
    if ((await getProtected(app, tokens.access_token)).statusCode !== 401 || (await refresh(app, tokens.refresh_token)).statusCode !== 401) live++
  }
  t.equal(live, 0, `none of the ${logins.filter(res => res.statusCode === 200).length} sessions of the old password works`)
})

test('every bad input to the account routes is a 4xx with a code, never a 500', async (t) => {
  const app = await build(t)
  const user = await register(app)
  const tokens = await login(app, user)
  const auth = { authorization: `Bearer ${tokens.access_token}` }
  const cases: Array<[string, string, unknown, Record<string, string>?]> = [
    ['POST', '/password/forgot', {}],
    ['POST', '/password/forgot', { email: 'not-an-address' }],
    ['POST', '/password/forgot', { email: 42 }],
    ['POST', '/password/forgot', { email: `${'a'.repeat(250)}@example.com` }],
    ['POST', '/password/forgot', { email: 'a@example.com', extra: 1 }],
    ['POST', '/password/forgot', ['a@example.com']],
    ['POST', '/password/forgot', null],
    ['POST', '/password/reset', {}],
    ['POST', '/password/reset', { token: '', new_password: 'una-contraseña-nueva' }],
    ['POST', '/password/reset', { token: 'x'.repeat(300), new_password: 'una-contraseña-nueva' }],
    ['POST', '/password/reset', { token: 'A'.repeat(43), new_password: 'short' }],
    ['POST', '/password/reset', { token: 'A'.repeat(43), new_password: 'ñ'.repeat(40) }],
    ['POST', '/password/reset', { token: { $ne: null }, new_password: 'una-contraseña-nueva' }],
    ['POST', '/email/verify', {}],
    ['POST', '/email/verify', { token: 'A'.repeat(43) }],
    ['POST', '/email/verify', { token: '\u0000' }],
    ['POST', '/email/verify', { token: 12 }],
    ['POST', '/email/verify/resend', {}],
    ['POST', '/email/change', {}, auth],
    ['POST', '/email/change', { new_email: 'x', password: user.password }, auth],
    ['POST', '/email/change', { new_email: 'nuevo@example.com' }, auth],
    ['POST', '/email/change', { new_email: 'nuevo@example.com', password: user.password }],
    ['DELETE', '/me', {}, auth],
    ['DELETE', '/me', { password: 7 }, auth],
    ['DELETE', '/me', { password: user.password }]
  ]
  for (const [method, url, payload, headers = {}] of cases) {
    const res = await app.inject({ method: method === 'POST' ? 'POST' : 'DELETE', url, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } })
    const label = `${method} ${url} ${JSON.stringify(payload).slice(0, 60)}`
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${label}: ${res.statusCode}`)
    t.type(res.json().code, 'string', `${label}: has a code`)
  }
  t.ok((await login(app, user)).access_token, 'the account is untouched')
})
