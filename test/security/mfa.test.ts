import { test } from 'tap'
import type { RowDataPacket } from 'mysql2'
import { build, loginAsNewUser, testConfig } from '../support/helper.js'
import { parseKey, secretBox } from '../../lib/mfa/secret-box.js'
import { rekey } from '../../lib/mfa/rekey.js'
import { bearer, codeOfStep, enrolledUser, firstStep, mfaSettings, newMfaKey, secondStep } from '../support/mfa.js'

test('a TOTP code is accepted once: the same code again, or an older one, is refused', async (t) => {
  const app = await build(t, mfaSettings())
  const { user, secret, step } = await enrolledUser(app)
  const replayConfirm = await secondStep(app, { mfa_token: (await firstStep(app, user)).mfa_token, code: codeOfStep(secret, step) })
  t.equal(replayConfirm.statusCode, 401, 'the code that turned TOTP on does not log in')
  t.equal(replayConfirm.json().code, 'MFA_CODE_INVALID')

  const { mfa_token: token } = await firstStep(app, user)
  t.equal((await secondStep(app, { mfa_token: token, code: codeOfStep(secret, step + 1) })).statusCode, 200)
  for (const [what, code] of [['the same code', codeOfStep(secret, step + 1)], ['an older code', codeOfStep(secret, step)]]) {
    const res = await secondStep(app, { mfa_token: (await firstStep(app, user)).mfa_token, code })
    t.equal(res.statusCode, 401, `${what} is refused`)
    t.equal(res.json().code, 'MFA_CODE_INVALID')
  }
})

test('the same code sent twice at once: one request wins', async (t) => {
  const app = await build(t, mfaSettings())
  const { user, secret, step } = await enrolledUser(app)
  const tokens = await Promise.all([firstStep(app, user), firstStep(app, user)])
  const code = codeOfStep(secret, step + 1)
  const answers = await Promise.all(tokens.map(({ mfa_token: token }) => secondStep(app, { mfa_token: token, code })))
  t.same(answers.map(res => res.statusCode).sort(), [200, 401])

  // The same mfa_token and two valid proofs at once (a code and a recovery code): one session
  const enrolled = await enrolledUser(app)
  const { mfa_token: token } = await firstStep(app, enrolled.user)
  const both = await Promise.all([
    secondStep(app, { mfa_token: token, code: codeOfStep(enrolled.secret, enrolled.step + 1) }),
    secondStep(app, { mfa_token: token, recovery_code: enrolled.recoveryCodes[0] })
  ])
  t.same(both.map(res => res.statusCode).sort(), [200, 401], 'the mfa_token is single-use')
})

test('step-up with the same code twice at once: one request wins', async (t) => {
  const app = await build(t, mfaSettings())
  const { user, secret, step } = await enrolledUser(app)
  const { mfa_token: token } = await firstStep(app, user)
  const session = (await secondStep(app, { mfa_token: token, code: codeOfStep(secret, step + 1) })).json()
  const code = codeOfStep(secret, step + 2)
  // step + 2 is only in the window once the next step has begun: wait for it (at most 30 s)
  while (Math.floor(Date.now() / 30_000) < step + 1) await new Promise(resolve => setTimeout(resolve, 200))
  const answers = await Promise.all([1, 2].map(() => app.inject({ method: 'POST', url: '/mfa/verify', headers: bearer(session), payload: { code } })))
  t.same(answers.map(res => res.statusCode).sort(), [200, 403])
  t.equal(answers.find(res => res.statusCode === 403)?.json().code, 'MFA_CODE_REJECTED')
})

test('the mfa_token is bound to the first step\'s client, and a copied one is dropped', async (t) => {
  const app = await build(t, mfaSettings())
  const { user, secret, step } = await enrolledUser(app)
  const phone = { 'user-agent': 'phone/1.0' }
  const { mfa_token: token } = await firstStep(app, user, phone)
  const stolen = await secondStep(app, { mfa_token: token, code: codeOfStep(secret, step + 1) }, { 'user-agent': 'attacker/1.0' })
  t.equal(stolen.statusCode, 401)
  t.equal(stolen.json().code, 'MFA_TOKEN_INVALID')
  t.match(stolen.headers['www-authenticate'], /^Bearer realm=/)
  const owner = await secondStep(app, { mfa_token: token, code: codeOfStep(secret, step + 1) }, phone)
  t.equal(owner.statusCode, 401, 'once copied, the token is of no use to its owner either: log in again')
})

test('five wrong codes drop the mfa_token', async (t) => {
  const app = await build(t, mfaSettings())
  const { user, secret, step } = await enrolledUser(app)
  const { mfa_token: token } = await firstStep(app, user)
  for (let i = 0; i < 5; i++) {
    const wrong = await secondStep(app, { mfa_token: token, code: codeOfStep(secret, step + 1) === '000000' ? '000001' : '000000' })
    t.equal(wrong.json().code, 'MFA_CODE_INVALID')
  }
  const right = await secondStep(app, { mfa_token: token, code: codeOfStep(secret, step + 1) })
  t.equal(right.json().code, 'MFA_TOKEN_INVALID')
})

test('wrong codes count against the account\'s login limit', async (t) => {
  const app = await build(t, { ...mfaSettings(), RATE_LIMIT_ENABLED: true, LOGIN_RATE_LIMIT_USERNAME_MAX: 5 })
  const { user, secret, step } = await enrolledUser(app) // its login and confirmation: two attempts
  const { mfa_token: token } = await firstStep(app, user) // the third
  const wrongCode = codeOfStep(secret, step + 1) === '000000' ? '000001' : '000000'
  t.equal((await secondStep(app, { mfa_token: token, code: wrongCode })).statusCode, 401)
  t.equal((await secondStep(app, { mfa_token: token, code: wrongCode })).statusCode, 401)
  const limited = await secondStep(app, { mfa_token: token, code: codeOfStep(secret, step + 1) })
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'RATE_LIMITED')
  const login = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })
  t.equal(login.statusCode, 429, 'the password step shares the budget')
})

test('every bad input is a 400 with a code, never a 500', async (t) => {
  const app = await build(t, mfaSettings())
  const { user, tokens } = await enrolledUser(app)
  const { mfa_token: token } = await firstStep(app, user)
  const cases: Array<[string, string, unknown]> = [
    ['/login/mfa', 'POST', {}],
    ['/login/mfa', 'POST', { mfa_token: token }],
    ['/login/mfa', 'POST', { mfa_token: token, code: '123456', recovery_code: 'abcd-efgh-jkmn-pqrs' }],
    ['/login/mfa', 'POST', { mfa_token: 'short', code: '123456' }],
    ['/login/mfa', 'POST', { mfa_token: token, code: '12345' }],
    ['/login/mfa', 'POST', { mfa_token: token, code: '1234567' }],
    ['/login/mfa', 'POST', { mfa_token: token, code: 'abcdef' }],
    ['/login/mfa', 'POST', { mfa_token: token, code: 123456 }],
    ['/login/mfa', 'POST', { mfa_token: token, code: ['123456'] }],
    ['/login/mfa', 'POST', { mfa_token: token, recovery_code: 'short' }],
    ['/login/mfa', 'POST', { mfa_token: token, recovery_code: 'x'.repeat(41) }],
    ['/login/mfa', 'POST', { mfa_token: token, recovery_code: 'abcd-efgh-jkmn-pqr$' }],
    ['/login/mfa', 'POST', { mfa_token: token, code: '123456', extra: 1 }],
    ['/login/mfa', 'POST', { mfa_token: null, code: '123456' }],
    ['/mfa/verify', 'POST', {}],
    ['/mfa/verify', 'POST', { code: '12 456' }],
    ['/mfa/verify', 'POST', { code: '123456', recovery_code: 'abcd-efgh-jkmn-pqrs' }],
    ['/mfa/totp/confirm', 'POST', {}],
    ['/mfa/totp/confirm', 'POST', { code: '١٢٣٤٥٦' }],
    ['/mfa/totp', 'POST', {}],
    ['/mfa/totp', 'POST', { current_password: '' }],
    ['/mfa/totp', 'DELETE', {}],
    ['/mfa/totp', 'DELETE', { current_password: 7 }]
  ]
  for (const [url, method, payload] of cases) {
    const res = await app.inject({ method: method as 'POST', url, headers: bearer(tokens), payload: payload as object })
    t.equal(res.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}`)
    t.match(res.json().code, /^(FST_ERR_VALIDATION|MFA_ONE_CODE_REQUIRED)$/)
  }
  const text = await app.inject({ method: 'POST', url: '/login/mfa', headers: { 'content-type': 'text/plain' }, payload: 'code=123456' })
  t.equal(text.statusCode, 415)
  const json = await app.inject({ method: 'POST', url: '/login/mfa', headers: { 'content-type': 'application/json' }, payload: '{"mfa_token":' })
  t.equal(json.statusCode, 400)
  const unknown = await secondStep(app, { mfa_token: 'A'.repeat(43), code: '123456' })
  t.equal(unknown.statusCode, 401)
  t.equal(unknown.json().code, 'MFA_TOKEN_INVALID')
})

test('secrets are sealed in MariaDB, recovery codes hashed, and Redis holds no usable mfa_token', async (t) => {
  const app = await build(t, mfaSettings())
  const { user, secret, recoveryCodes } = await enrolledUser(app)
  const [rows] = await app.mysql.query<RowDataPacket[]>('SELECT sealed_secret, key_id FROM mfa_totp WHERE user_id = ?', [user.id])
  const sealed = Buffer.from(rows[0].sealed_secret)
  t.notOk(sealed.toString('latin1').includes(secret), 'no base32 secret')
  const [codes] = await app.mysql.query<RowDataPacket[]>('SELECT code_hash FROM mfa_recovery_codes WHERE user_id = ?', [user.id])
  t.equal(codes.length, 10)
  const stored = codes.map(row => Buffer.from(row.code_hash).toString('latin1')).join('')
  t.notOk(recoveryCodes.some(code => stored.includes(code) || stored.includes(code.replace(/-/g, ''))), 'no recovery code')

  const { mfa_token: token } = await firstStep(app, user)
  const keys = await app.redis.keys(`${app.config.REDIS_KEY_PREFIX}*`)
  const dump = (await Promise.all(keys.map(key => app.redis.dump(key.slice(app.config.REDIS_KEY_PREFIX.length))))).join('')
  t.notOk(keys.some(key => key.includes(token)), 'no key names the mfa_token')
  t.notOk(dump.includes(token), 'no value holds it')
})

test('without MFA_ENCRYPTION_KEY enrolment is 501; factors stay on; a rotated key still opens old rows', async (t) => {
  const key = newMfaKey()
  const shared = testConfig()
  const stores = { DB_NAME: shared.DB_NAME, REDIS_KEY_PREFIX: shared.REDIS_KEY_PREFIX, JWT_SECRET_KEY: shared.JWT_SECRET_KEY }
  const first = await build(t, { ...stores, MFA_ENCRYPTION_KEY: key })
  const { user, secret, step, recoveryCodes } = await enrolledUser(first)
  await first.close()

  const keyless = await build(t, stores)
  const { tokens } = await loginAsNewUser(keyless)
  const enrol = await keyless.inject({ method: 'POST', url: '/mfa/totp', headers: bearer(tokens), payload: { current_password: 'x' } })
  t.equal(enrol.statusCode, 501)
  t.equal(enrol.json().code, 'MFA_NOT_CONFIGURED')
  const { mfa_required: required, mfa_token: token } = await firstStep(keyless, user)
  t.equal(required, true, 'an account with TOTP on still needs its second factor')
  const code = await secondStep(keyless, { mfa_token: token, code: codeOfStep(secret, step + 1) })
  t.equal(code.statusCode, 501, 'a TOTP code cannot be checked without the key')
  t.equal((await secondStep(keyless, { mfa_token: token, recovery_code: recoveryCodes[0] })).statusCode, 200, 'a recovery code can')
  await keyless.close()

  const rotated = await build(t, { ...stores, MFA_ENCRYPTION_KEY: newMfaKey(), MFA_PREVIOUS_ENCRYPTION_KEYS: key })
  const login = await secondStep(rotated, { mfa_token: (await firstStep(rotated, user)).mfa_token, code: codeOfStep(secret, step + 1) })
  t.equal(login.statusCode, 200, 'the previous key opens the secret it sealed')

  const newKey = newMfaKey()
  const box = secretBox(parseKey(newKey), [parseKey(key)])
  t.match(await rekey(rotated.mysql, 5000, box), { resealed: 1, unopenable: 0, left: 0 }, 'npm run mfa:rekey re-seals the old row')
  await rotated.close()
  const rekeyed = await build(t, { ...stores, MFA_ENCRYPTION_KEY: newKey })
  const next = Math.max(step + 2, Math.floor(Date.now() / 30_000))
  while (Math.floor(Date.now() / 30_000) < next - 1) await new Promise(resolve => setTimeout(resolve, 200))
  const after = await secondStep(rekeyed, { mfa_token: (await firstStep(rekeyed, user)).mfa_token, code: codeOfStep(secret, next) })
  t.equal(after.statusCode, 200, 'with the old key gone, the re-sealed secret opens')
})
