import { test } from 'tap'
import { build, login, loginAsNewUser, refresh, register } from '../support/helper.js'
import { startMailCatcher } from '../support/mail-catcher.js'
import { bearer, claimsOf, codeOfStep, enrolledUser, firstStep, mfaSettings, secondStep } from '../support/mfa.js'

test('enrolment: a secret, its otpauth URI and QR code; the first code turns TOTP on and steps the session up', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, { ...mfaSettings(), ...smtp.settings })
  const { user, tokens } = await loginAsNewUser(app)
  t.same(claimsOf(tokens.access_token).amr, ['pwd'], 'a password login is amr pwd')
  t.equal(claimsOf(tokens.access_token).aal, 'aal1')

  const enrol = await app.inject({ method: 'POST', url: '/mfa/totp', headers: bearer(tokens), payload: { current_password: user.password } })
  t.equal(enrol.statusCode, 200)
  t.equal(enrol.headers['cache-control'], 'no-store')
  const { secret, otpauth_uri: uri, qr_code: qr } = enrol.json()
  t.match(uri, new RegExp(`^otpauth://totp/jwt-microservice:${user.username}\\?.*secret=${secret}`))
  t.match(qr, /^data:image\/svg\+xml;base64,/)
  const pending = await app.inject({ method: 'GET', url: '/me', headers: bearer(tokens) })
  t.same(pending.json().mfa, { totp: 'pending', recovery_codes_left: 0 }, 'not on before its first code')
  t.notOk((await firstStep(app, user)).mfa_required, 'a pending enrolment does not change the login')

  const wrong = await app.inject({ method: 'POST', url: '/mfa/totp/confirm', headers: bearer(tokens), payload: { code: codeOfStep(secret, 1) } })
  t.equal(wrong.statusCode, 403)
  t.equal(wrong.json().code, 'MFA_CODE_REJECTED')

  const confirm = await app.inject({ method: 'POST', url: '/mfa/totp/confirm', headers: bearer(tokens), payload: { code: codeOfStep(secret, Math.floor(Date.now() / 30_000)) } })
  t.equal(confirm.statusCode, 200)
  const body = confirm.json()
  t.equal(body.recovery_codes.length, 10)
  t.equal(body.message, 'TOTP is on')
  t.same(claimsOf(body.access_token).amr, ['pwd', 'otp'])
  t.equal(claimsOf(body.access_token).aal, 'aal2')
  t.equal(claimsOf(body.access_token).sid, claimsOf(tokens.access_token).sid, 'the same session')
  t.equal((await app.inject({ method: 'GET', url: '/protected', headers: bearer(tokens) })).statusCode, 401, 'its aal1 tokens are revoked')

  const me = await app.inject({ method: 'GET', url: '/me', headers: bearer(body) })
  t.same(me.json().mfa, { totp: 'enabled', recovery_codes_left: 10 })
  const mail = await smtp.waitFor(user.email, m => m.subject === 'Verificación en dos pasos activada')
  t.notOk(mail.text.includes(secret), 'the mail holds no secret')

  const again = await app.inject({ method: 'POST', url: '/mfa/totp', headers: bearer(body), payload: { current_password: user.password } })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'MFA_ALREADY_ENABLED')
})

test('enrolment asks for the password again, and a confirmation needs an enrolment', async (t) => {
  const app = await build(t, mfaSettings())
  const { tokens } = await loginAsNewUser(app)
  const wrong = await app.inject({ method: 'POST', url: '/mfa/totp', headers: bearer(tokens), payload: { current_password: 'not-the-password' } })
  t.equal(wrong.statusCode, 403)
  t.equal(wrong.json().code, 'CURRENT_PASSWORD_INVALID')
  const none = await app.inject({ method: 'POST', url: '/mfa/totp/confirm', headers: bearer(tokens), payload: { code: '123456' } })
  t.equal(none.statusCode, 409)
  t.equal(none.json().code, 'MFA_ENROLMENT_MISSING')
  const anonymous = await app.inject({ method: 'POST', url: '/mfa/totp', payload: { current_password: 'x' } })
  t.equal(anonymous.statusCode, 401)
})

test('a user with TOTP logs in in two steps; the session is aal2 and stays so across refreshes', async (t) => {
  const app = await build(t, mfaSettings())
  const { user, secret, step } = await enrolledUser(app)

  const first = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })
  t.equal(first.statusCode, 200)
  const challenge = first.json()
  t.match(challenge, { mfa_required: true, mfa_token: /^[\w-]{43}$/, methods: ['totp', 'recovery_code'], expires_in: 300, message: 'Second factor required' })
  t.notOk('access_token' in challenge || 'refresh_token' in challenge || 'device_token' in challenge, 'no token before the second factor')

  const second = await secondStep(app, { mfa_token: challenge.mfa_token, code: codeOfStep(secret, step + 1) })
  t.equal(second.statusCode, 200)
  const pair = second.json()
  t.match(pair, { token_type: 'Bearer', expires_in: 900, message: 'Login successful', device_token: /^d1\./ })
  t.same(claimsOf(pair.access_token).amr, ['pwd', 'otp'])
  t.equal(claimsOf(pair.access_token).aal, 'aal2')
  t.equal((await app.inject({ method: 'GET', url: '/protected', headers: bearer(pair) })).statusCode, 200)

  const rotated = await refresh(app, pair.refresh_token)
  t.equal(rotated.statusCode, 200)
  t.equal(claimsOf(rotated.json().access_token).aal, 'aal2', 'a refresh keeps the session\'s aal')
  t.same(claimsOf(rotated.json().refresh_token).amr, ['pwd', 'otp'])

  const used = await secondStep(app, { mfa_token: challenge.mfa_token, code: codeOfStep(secret, step + 1) })
  t.equal(used.statusCode, 401, 'the mfa_token works once')
  t.equal(used.json().code, 'MFA_TOKEN_INVALID')
})

test('users without a second factor keep the seed\'s login answer', async (t) => {
  const app = await build(t, mfaSettings())
  const user = await register(app)
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { access_token: /\./, refresh_token: /\./, token_type: 'Bearer', expires_in: 900, message: 'Login successful' })
  t.notOk('mfa_required' in res.json())
  const me = await app.inject({ method: 'GET', url: '/me', headers: bearer(res.json()) })
  t.same(me.json().mfa, { totp: 'none', recovery_codes_left: 0 })
})

test('recovery codes: each logs in once, a mail tells how many are left, a new set retires the old one', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, { ...mfaSettings(), ...smtp.settings })
  const { user, recoveryCodes, tokens } = await enrolledUser(app)

  const { mfa_token: token } = await firstStep(app, user)
  const typed = recoveryCodes[0].toUpperCase().replace(/-/g, ' ')
  const ok = await secondStep(app, { mfa_token: token, recovery_code: typed })
  t.equal(ok.statusCode, 200, 'case and separators do not matter')
  t.equal(claimsOf(ok.json().access_token).aal, 'aal2')
  const mail = await smtp.waitFor(user.email, m => m.subject === 'Se usó un código de recuperación')
  t.match(mail.text, /te quedan 9/)

  const again = await secondStep(app, { mfa_token: (await firstStep(app, user)).mfa_token, recovery_code: recoveryCodes[0] })
  t.equal(again.statusCode, 401, 'a used recovery code is refused')
  t.equal(again.json().code, 'MFA_CODE_INVALID')

  const fresh = await app.inject({ method: 'POST', url: '/mfa/recovery-codes', headers: { ...bearer(tokens), 'accept-language': 'en' } })
  t.equal(fresh.statusCode, 200)
  const newCodes: string[] = fresh.json().recovery_codes
  t.equal(newCodes.length, 10)
  t.equal(newCodes.filter(code => recoveryCodes.includes(code)).length, 0)
  await smtp.waitFor(user.email, m => m.subject === 'New recovery codes')
  const old = await secondStep(app, { mfa_token: (await firstStep(app, user)).mfa_token, recovery_code: recoveryCodes[1] })
  t.equal(old.statusCode, 401, 'the old set no longer works')
  const current = await secondStep(app, { mfa_token: (await firstStep(app, user)).mfa_token, recovery_code: newCodes[1] })
  t.equal(current.statusCode, 200, 'the new set does')
})

test('step-up: an aal1 session of an MFA user gets 403 MFA_REQUIRED on sensitive routes until /mfa/verify', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, { ...mfaSettings(), ...smtp.settings })
  const user = await register(app)
  const older = await login(app, user)
  const { tokens: aal2 } = await (async () => {
    const tokens = await login(app, user)
    const enrol = await app.inject({ method: 'POST', url: '/mfa/totp', headers: bearer(tokens), payload: { current_password: user.password } })
    const secret: string = enrol.json().secret
    const step = Math.floor(Date.now() / 30_000)
    const confirm = await app.inject({ method: 'POST', url: '/mfa/totp/confirm', headers: bearer(tokens), payload: { code: codeOfStep(secret, step) } })
    t.equal(confirm.statusCode, 200)
    Object.assign(user, { secret, step })
    return { tokens: confirm.json() }
  })()
  const { secret, step } = user as typeof user & { secret: string, step: number }

  // The session logged in before TOTP was on is aal1
  const change = { current_password: user.password, new_password: 'otra-contraseña-larga' }
  const refused = await app.inject({ method: 'POST', url: '/password', headers: bearer(older), payload: change })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'MFA_REQUIRED')
  const disable = await app.inject({ method: 'DELETE', url: '/mfa/totp', headers: bearer(older), payload: { current_password: user.password } })
  t.equal(disable.json().code, 'MFA_REQUIRED', 'disabling needs aal2 too')
  const codes = await app.inject({ method: 'POST', url: '/mfa/recovery-codes', headers: bearer(older) })
  t.equal(codes.json().code, 'MFA_REQUIRED', 'so do new recovery codes')
  t.equal((await app.inject({ method: 'GET', url: '/protected', headers: bearer(older) })).statusCode, 200, 'other routes take aal1')

  const verify = await app.inject({ method: 'POST', url: '/mfa/verify', headers: bearer(older), payload: { code: codeOfStep(secret, step + 1) } })
  t.equal(verify.statusCode, 200)
  const stepped = verify.json()
  t.equal(stepped.message, 'Second factor verified')
  t.equal(claimsOf(stepped.access_token).aal, 'aal2')
  t.equal(claimsOf(stepped.access_token).sid, claimsOf(older.access_token).sid, 'the same session, stepped up')
  t.equal((await app.inject({ method: 'GET', url: '/protected', headers: bearer(older) })).statusCode, 401, 'its previous pair is revoked')

  const changed = await app.inject({ method: 'POST', url: '/password', headers: bearer(stepped), payload: change })
  t.equal(changed.statusCode, 200, changed.body)
  t.equal(claimsOf(changed.json().access_token).aal, 'aal2', 'a password change keeps the session\'s aal')
  t.equal((await app.inject({ method: 'GET', url: '/protected', headers: bearer(aal2) })).statusCode, 401, 'the other session ended')
})

test('turning TOTP off: aal2 and the password; other sessions end, a mail goes out, logins are one step again', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, { ...mfaSettings(), ...smtp.settings })
  const { user, secret, step, tokens } = await enrolledUser(app)
  const other = await secondStep(app, { mfa_token: (await firstStep(app, user)).mfa_token, code: codeOfStep(secret, step + 1) })
  t.equal(other.statusCode, 200)

  const wrong = await app.inject({ method: 'DELETE', url: '/mfa/totp', headers: bearer(tokens), payload: { current_password: 'not-the-password' } })
  t.equal(wrong.statusCode, 403)
  t.equal(wrong.json().code, 'CURRENT_PASSWORD_INVALID')
  const off = await app.inject({ method: 'DELETE', url: '/mfa/totp', headers: bearer(tokens), payload: { current_password: user.password } })
  t.equal(off.statusCode, 200)
  t.equal(off.json().message, 'TOTP is off; other sessions were logged out')
  t.equal((await app.inject({ method: 'GET', url: '/protected', headers: bearer(other.json()) })).statusCode, 401, 'the other session ended')
  t.equal((await app.inject({ method: 'GET', url: '/protected', headers: bearer(tokens) })).statusCode, 200, 'this one goes on')
  await smtp.waitFor(user.email, m => m.subject === 'Verificación en dos pasos desactivada')
  t.ok((await firstStep(app, user)).mfa_required === undefined, 'the login is one step again')
  const twice = await app.inject({ method: 'DELETE', url: '/mfa/totp', headers: bearer(tokens), payload: { current_password: user.password } })
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().code, 'MFA_NOT_ENABLED')
})

test('introspection reports the token\'s amr and aal', async (t) => {
  const app = await build(t, { ...mfaSettings(), INTROSPECTION_CLIENT_ID: 'rs', INTROSPECTION_CLIENT_SECRET: 'introspection-secret-1' })
  const { tokens } = await enrolledUser(app)
  const res = await app.inject({
    method: 'POST',
    url: '/introspect',
    headers: { authorization: `Basic ${Buffer.from('rs:introspection-secret-1').toString('base64')}` },
    payload: { token: tokens.access_token }
  })
  t.match(res.json(), { active: true, amr: ['pwd', 'otp'], aal: 'aal2' })
})
