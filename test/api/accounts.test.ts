import { test } from 'tap'
import { Redis } from 'ioredis'
import { readFile } from 'node:fs/promises'
import { createConnection } from 'mysql2/promise'
import bcrypt from 'bcryptjs'
import type { RowDataPacket } from 'mysql2'
import { pollUntil } from '../support/completes.js'
import type { FastifyInstance } from 'fastify'
import { build, cleanUp, getProtected, testConfig, localServices, login, newUser, refresh, register, type Tokens } from '../support/helper.js'
import { startMailCatcher, tokenIn } from '../support/mail-catcher.js'
import { FEED_KEY } from '../../lib/revocation-feed.js'

const bearer = (access: string) => ({ authorization: `Bearer ${access}` })
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string, email_verified?: boolean }
const post = (app: FastifyInstance, url: string, payload: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload, headers })

/** The reasons the revocation feed gave for the sessions `sids`, read from its stream. */
async function feedReasons (app: FastifyInstance, sids: string[]): Promise<string[]> {
  const redis = new Redis({ host: localServices.REDIS_HOST, port: Number(localServices.REDIS_PORT), keyPrefix: app.config.REDIS_KEY_PREFIX })
  try {
    const entries = await redis.xrange(FEED_KEY, '-', '+')
    const fields = entries.map(([, values]) => Object.fromEntries(Array.from({ length: values.length / 2 }, (_, i) => [values[2 * i], values[2 * i + 1]])))
    return sids.map(sid => fields.find(entry => entry.sid === sid)?.reason ?? 'none')
  } finally {
    redis.disconnect()
  }
}

test('registration mails a verification link; following it proves the address', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, smtp.settings)
  const user = await register(app)
  const mail = await smtp.waitFor(user.email)
  t.equal(mail.subject, 'Confirma tu dirección de correo', 'Spanish without Accept-Language, as the seed')
  t.match(mail.text, /http:\/\/localhost:5000\/verify-email#token=[\w-]{43}/, 'the token travels in the URL fragment')

  const before = await login(app, user)
  t.equal(claimsOf(before.access_token).email_verified, false)
  t.match((await app.inject({ method: 'GET', url: '/me', headers: bearer(before.access_token) })).json(), { email_verified: false, pending_email: null })

  const verified = await post(app, '/email/verify', { token: tokenIn(mail) })
  t.equal(verified.statusCode, 200)
  t.same(verified.json(), { message: 'Email address verified', email: user.email })
  t.match((await app.inject({ method: 'GET', url: '/me', headers: bearer(before.access_token) })).json(), { email_verified: true })
  const after = await login(app, user)
  t.equal(claimsOf(after.access_token).email_verified, true, 'new access tokens say so')
  const refreshed = await refresh(app, after.refresh_token)
  t.equal(claimsOf(refreshed.json<Tokens>().access_token).email_verified, true, 'and so do the ones of its refreshes')

  const again = await post(app, '/email/verify', { token: tokenIn(mail) })
  t.equal(again.statusCode, 400)
  t.equal(again.json().code, 'VERIFICATION_TOKEN_INVALID', 'a link works once')
})

test('a resent verification link replaces the earlier one; a verified address gets 409', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, smtp.settings)
  const user = await register(app)
  const first = await smtp.waitFor(user.email)
  const tokens = await login(app, user)
  const resent = await app.inject({ method: 'POST', url: '/email/verify/resend', headers: { ...bearer(tokens.access_token), 'accept-language': 'en-GB,en;q=0.8' } })
  t.equal(resent.statusCode, 202)
  const second = await smtp.waitFor(user.email, mail => mail.messageId !== first.messageId)
  t.equal(second.subject, 'Confirm your email address', 'in the language the request prefers')
  t.equal((await post(app, '/email/verify', { token: tokenIn(first) })).json().code, 'VERIFICATION_TOKEN_INVALID', 'the first link is dead')
  t.equal((await post(app, '/email/verify', { token: tokenIn(second) })).statusCode, 200)
  const done = await app.inject({ method: 'POST', url: '/email/verify/resend', headers: bearer(tokens.access_token) })
  t.equal(done.statusCode, 409)
  t.equal(done.json().code, 'EMAIL_ALREADY_VERIFIED')
})

test('forgot and reset: the link sets a new password, ends every session, and a notice follows', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, smtp.settings)
  // Registered with English preferred: the account's mails are in English from then on
  const user = newUser()
  t.equal((await post(app, '/register', user, { 'accept-language': 'en-US' })).statusCode, 201)
  const sessions = [await login(app, user), await login(app, user)]

  const forgot = await post(app, '/password/forgot', { email: user.email.toUpperCase() })
  t.equal(forgot.statusCode, 202)
  t.same(forgot.json(), { message: 'If an account has this address, a reset link is on its way' })
  const mail = await smtp.waitFor(user.email, m => m.subject === 'Reset your password')
  t.match(mail.text, /http:\/\/localhost:5000\/reset-password#token=[\w-]{43}/)
  t.match(mail.text, /expires in 30 minutes/)

  const newPassword = `reset-${user.password}`
  const reset = await post(app, '/password/reset', { token: tokenIn(mail), new_password: newPassword })
  t.equal(reset.statusCode, 200)
  t.same(reset.json(), { message: 'Password has been reset; every session was logged out' })

  for (const tokens of sessions) {
    t.equal((await getProtected(app, tokens.access_token)).statusCode, 401, 'the access token of an earlier session is dead')
    t.equal((await refresh(app, tokens.refresh_token)).statusCode, 401, 'and so is its refresh token')
  }
  t.same(await feedReasons(app, sessions.map(s => claimsOf(s.access_token).sid)), ['password_reset', 'password_reset'], 'each end is on the revocation feed')
  const notice = await smtp.waitFor(user.email, m => m.subject === 'Your password changed')
  t.equal(notice.language, 'en')

  t.equal((await post(app, '/login', { username: user.username, password: user.password })).statusCode, 401, 'the old password is refused')
  t.ok((await login(app, { username: user.username, password: newPassword })).access_token, 'the new one logs in')
  const used = await post(app, '/password/reset', { token: tokenIn(mail), new_password: `again-${newPassword}` })
  t.equal(used.statusCode, 400)
  t.equal(used.json().code, 'RESET_TOKEN_INVALID', 'a reset link works once')
})

test('a newer reset link invalidates older ones; expired, garbage and foreign tokens change nothing', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, smtp.settings)
  const user = await register(app)
  const verification = await smtp.waitFor(user.email)
  t.equal((await post(app, '/password/forgot', { email: user.email })).statusCode, 202)
  const first = await smtp.waitFor(user.email, m => m.subject === 'Restablece tu contraseña')
  t.equal((await post(app, '/password/forgot', { email: user.email })).statusCode, 202)
  const second = await smtp.waitFor(user.email, m => m.subject === 'Restablece tu contraseña' && m.messageId !== first.messageId)

  const attempts = {
    'an older link': tokenIn(first),
    'a verification link (another purpose)': tokenIn(verification),
    'garbage of the right length': 'A'.repeat(43),
    'garbage of another shape': '../../etc/passwd%00<script>',
    'a token with one character changed': tokenIn(second).slice(0, -1) + (tokenIn(second).endsWith('A') ? 'B' : 'A')
  }
  for (const [what, token] of Object.entries(attempts)) {
    const res = await post(app, '/password/reset', { token, new_password: 'una-contraseña-nueva' })
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, 'RESET_TOKEN_INVALID', what)
  }
  const weak = await post(app, '/password/reset', { token: tokenIn(second), new_password: 'password123' })
  t.equal(weak.json().code, 'PASSWORD_TOO_COMMON', 'the password policy applies')

  await app.mysql.query('UPDATE account_tokens SET expires_at = NOW(3) - INTERVAL 1 SECOND')
  const expired = await post(app, '/password/reset', { token: tokenIn(second), new_password: 'una-contraseña-nueva' })
  t.equal(expired.json().code, 'RESET_TOKEN_INVALID', 'an expired link')
  t.ok((await login(app, user)).access_token, 'the password never changed')
})

test('an email change takes effect once the new address is proven; the old one is told', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, smtp.settings)
  const user = await register(app)
  const other = await register(app)
  const tokens = await login(app, user)
  const change = (payload: object) => app.inject({ method: 'POST', url: '/email/change', headers: bearer(tokens.access_token), payload })

  const wrong = await change({ new_email: 'nueva@example.com', password: 'not-the-password' })
  t.equal(wrong.statusCode, 403)
  t.equal(wrong.json().code, 'PASSWORD_INCORRECT')
  t.equal((await change({ new_email: user.email.toUpperCase(), password: user.password })).json().code, 'EMAIL_UNCHANGED')
  t.equal((await change({ new_email: other.email, password: user.password })).json().code, 'EMAIL_TAKEN')

  const newEmail = `new_${user.email}`
  const asked = await change({ new_email: newEmail, password: user.password })
  t.equal(asked.statusCode, 202)
  t.match((await app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) })).json(), { email: user.email, pending_email: newEmail })
  const confirm = await smtp.waitFor(newEmail)
  t.equal(confirm.subject, 'Confirma tu nueva dirección de correo')
  t.match(confirm.text, /\/confirm-email#token=/)
  t.equal((await post(app, '/password/forgot', { email: newEmail })).statusCode, 202)

  const verified = await post(app, '/email/verify', { token: tokenIn(confirm) })
  t.same(verified.json(), { message: 'Email address verified', email: newEmail })
  t.match((await app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) })).json(),
    { email: newEmail, email_verified: true, pending_email: null })
  const told = await smtp.waitFor(user.email, m => m.subject === 'La dirección de correo de tu cuenta ha cambiado')
  t.match(told.text, newEmail)
  t.ok((await login(app, { username: newEmail, password: user.password })).access_token, 'the new address logs in')
  t.equal((await post(app, '/login', { username: user.email, password: user.password })).statusCode, 401, 'the old one no longer names the account')
  t.equal(smtp.mails.filter(m => m.to === newEmail && m.subject === 'Restablece tu contraseña').length, 0, 'no reset went to an unproven address')
})

test('DELETE /me ends every session and frees the username and email', async (t) => {
  const app = await build(t)
  const user = await register(app)
  const sessions = [await login(app, user), await login(app, user)]
  const remove = (password: string) => app.inject({ method: 'DELETE', url: '/me', headers: bearer(sessions[0].access_token), payload: { password } })

  const wrong = await remove('not-the-password')
  t.equal(wrong.statusCode, 403)
  t.equal(wrong.json().code, 'PASSWORD_INCORRECT')
  const deleted = await remove(user.password)
  t.equal(deleted.statusCode, 204)
  t.equal(deleted.body, '')
  for (const tokens of sessions) {
    t.equal((await getProtected(app, tokens.access_token)).statusCode, 401)
    t.equal((await refresh(app, tokens.refresh_token)).statusCode, 401)
  }
  t.same(await feedReasons(app, sessions.map(s => claimsOf(s.access_token).sid)), ['account_deleted', 'account_deleted'])
  t.equal((await post(app, '/login', { username: user.username, password: user.password })).statusCode, 401)
  t.equal((await post(app, '/register', { username: user.username, email: user.email, password: user.password })).statusCode, 201, 'the same username and email register again')
})

test('login takes the email in the username field', async (t) => {
  const app = await build(t)
  const user = await register(app)
  t.ok((await login(app, { username: user.email, password: user.password })).access_token)
  t.ok((await login(app, { username: `  ${user.email.toUpperCase()}`, password: user.password })).access_token, 'in any spelling of its canonical form')
  const wrong = await post(app, '/login', { username: user.email, password: 'not-the-password' })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().code, 'INVALID_CREDENTIALS')
})

test('with REQUIRE_EMAIL_VERIFICATION an unverified account cannot log in until it verifies', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, { ...smtp.settings, REQUIRE_EMAIL_VERIFICATION: true })
  const user = await register(app)
  const refused = await post(app, '/login', { username: user.username, password: user.password })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'EMAIL_NOT_VERIFIED')
  t.equal((await post(app, '/login', { username: user.username, password: 'not-the-password' })).json().code, 'INVALID_CREDENTIALS',
    'a wrong password learns nothing about verification')
  t.equal((await post(app, '/email/verify', { token: tokenIn(await smtp.waitFor(user.email)) })).statusCode, 200)
  t.ok((await login(app, user)).access_token)
})

test('an account from before the migrations (Compose\'s sql/init.sql) can reset its password', async (t) => {
  const smtp = await startMailCatcher(t)
  const config = testConfig()
  t.teardown(() => cleanUp(config))
  const db = await createConnection({ host: config.DB_HOST, port: config.DB_PORT, user: config.DB_USER, password: config.DB_PASSWORD, multipleStatements: true })
  await db.query(`CREATE DATABASE \`${config.DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; USE \`${config.DB_NAME}\``)
  await db.query(await readFile(new URL('../../sql/init.sql', import.meta.url), 'utf8'))
  await db.query('INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)', ['antigua', 'antigua@example.com', bcrypt.hashSync('contraseña-de-antes', 10)])
  await db.end()

  const app = await build(t, { ...smtp.settings, DB_NAME: config.DB_NAME })
  t.equal((await post(app, '/password/forgot', { email: 'antigua@example.com' }, { 'accept-language': 'en' })).statusCode, 202)
  const mail = await smtp.waitFor('antigua@example.com')
  t.equal(mail.subject, 'Reset your password', 'no stored locale: the request\'s language')
  t.equal((await post(app, '/password/reset', { token: tokenIn(mail), new_password: 'contraseña-de-después' })).statusCode, 200)
  const tokens = await login(app, { username: 'antigua', password: 'contraseña-de-después' })
  t.match((await app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) })).json(), { email_verified: true },
    'a followed reset link proves the address')
})

test('with SMTP down a reset request still succeeds; its mail goes out when SMTP is back', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, smtp.settings)
  const user = await register(app)
  await smtp.waitFor(user.email)
  await smtp.stop()
  t.equal((await post(app, '/password/forgot', { email: user.email })).statusCode, 202, 'the request does not wait for SMTP')
  t.ok(await pollUntil(async () => {
    const [rows] = await app.mysql.query<RowDataPacket[]>("SELECT last_error FROM mail_outbox WHERE template = 'password_reset'")
    return rows.length === 1 && rows[0].last_error !== null
  }, 600, 100), 'a send failed: SMTP is down')
  await smtp.start()
  const mail = await smtp.waitFor(user.email, m => m.subject === 'Restablece tu contraseña')
  t.equal((await post(app, '/password/reset', { token: tokenIn(mail), new_password: 'contraseña-tras-la-caída' })).statusCode, 200)
})
