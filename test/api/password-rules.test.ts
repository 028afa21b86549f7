import { test } from 'tap'
import bcrypt from 'bcryptjs'
import type { RowDataPacket } from 'mysql2'
import { build, newUser, register, login, loginAsNewUser } from '../support/helper.js'
import { commonPasswords } from '../../lib/password-policy.js'

test('the common-password list is shipped with over 10,000 entries', async (t) => {
  t.ok(commonPasswords.size >= 10_000, `${commonPasswords.size} entries`)
  t.ok(commonPasswords.has('password'))
})

test('the seed README\'s example account is accepted', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST', url: '/register', payload: { username: 'usuario_ejemplo', email: 'usuario@example.com', password: 'contraseña_segura' }
  })
  t.equal(res.statusCode, 201)
  t.ok((await login(app, { username: 'usuario_ejemplo', password: 'contraseña_segura' })).access_token)
})

test('registration refuses passwords bcrypt would cut, the account\'s own name, and common ones', async (t) => {
  const app = await build(t)
  const valid = newUser()
  const cases: Array<[string, object, string, RegExp]> = [
    ['73 ASCII bytes', { ...valid, password: 'x'.repeat(73) }, 'PASSWORD_TOO_LONG', /^password must be at most 72 bytes of UTF-8: bcrypt would silently ignore the rest$/],
    ['37 two-byte letters', { ...valid, password: 'ñ'.repeat(37) }, 'PASSWORD_TOO_LONG', /72 bytes/],
    ['the username', { ...valid, password: valid.username }, 'PASSWORD_IS_ACCOUNT_NAME', /^password must not be the username or the email$/],
    ['the username in other case', { ...valid, password: valid.username.toUpperCase() }, 'PASSWORD_IS_ACCOUNT_NAME', /username/],
    ['the email', { ...valid, password: valid.email.toUpperCase() }, 'PASSWORD_IS_ACCOUNT_NAME', /email/],
    ['a common password', { ...valid, password: 'password' }, 'PASSWORD_TOO_COMMON', /^password is one of the most common passwords/],
    ['a common password in capitals', { ...valid, password: 'PASSWORD' }, 'PASSWORD_TOO_COMMON', /common/],
    ['a common password, digits only', { ...valid, password: '12345678' }, 'PASSWORD_TOO_COMMON', /common/]
  ]
  for (const [name, payload, code, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/register', payload })
    t.equal(res.statusCode, 400, name)
    t.match(res.json(), { statusCode: 400, error: 'Bad Request', code, message }, name)
  }
  t.equal((await app.inject({ method: 'POST', url: '/login', payload: { username: valid.username, password: valid.password } })).statusCode, 401, 'none of them created the account')
})

test('exactly 72 bytes is accepted, and bytes are counted after NFC', async (t) => {
  const app = await build(t)
  const user = await register(app, { ...newUser(), password: 'ñ'.repeat(36) })
  t.ok((await login(app, user)).access_token, 'a 72-byte password logs in')
  const decomposed = 'ñ'.repeat(30).normalize('NFD')
  t.ok(Buffer.byteLength(decomposed) > 72, 'over 72 bytes as sent')
  const res = await app.inject({ method: 'POST', url: '/register', payload: { ...newUser(), password: decomposed } })
  t.equal(res.statusCode, 201, '60 bytes once composed')
})

test('the email is trimmed and lower-cased; usernames keep to letters, digits, _ . -', async (t) => {
  const app = await build(t)
  const user = newUser()
  const res = await app.inject({ method: 'POST', url: '/register', payload: { ...user, email: `  ${user.email.toUpperCase()}\t` } })
  t.equal(res.statusCode, 201)
  const [rows] = await app.mysql.query<RowDataPacket[]>('SELECT email FROM users WHERE id = ?', [res.json().user_id])
  t.equal(rows[0].email, user.email)
  const again = await app.inject({ method: 'POST', url: '/register', payload: { ...newUser(), email: user.email } })
  t.match(again.json(), { statusCode: 409, code: 'EMAIL_TAKEN' })

  const local = 'a'.repeat(64)
  const long = `${local}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`
  t.ok(long.length > 254)
  for (const [name, payload, field] of [
    ['email over 254 characters', { ...newUser(), email: long }, /email/],
    ['email without a domain', { ...newUser(), email: 'someone@' }, /email/],
    ['username of 33', { ...newUser(), username: 'u'.repeat(33) }, /username/],
    ['username with a slash', { ...newUser(), username: 'a/b/c' }, /username/],
    ['username with a non-ASCII letter', { ...newUser(), username: 'josé_x' }, /username/]
  ] as const) {
    const bad = await app.inject({ method: 'POST', url: '/register', payload })
    t.equal(bad.statusCode, 400, name)
    t.match(bad.json().message, field, name)
  }
  for (const username of ['abc', 'a.b-c_9', 'U'.repeat(32)]) {
    t.equal((await app.inject({ method: 'POST', url: '/register', payload: { ...newUser(), username } })).statusCode, 201, username)
  }
})

test('a new password at POST /password follows the same rules; the message names new_password', async (t) => {
  const app = await build(t)
  const { user, tokens } = await loginAsNewUser(app)
  const change = (newPassword: string) => app.inject({
    method: 'POST', url: '/password', headers: { authorization: `Bearer ${tokens.access_token}` }, payload: { current_password: user.password, new_password: newPassword }
  })
  for (const [newPassword, code] of [
    ['y'.repeat(80), 'PASSWORD_TOO_LONG'],
    [user.username, 'PASSWORD_IS_ACCOUNT_NAME'],
    [user.email, 'PASSWORD_IS_ACCOUNT_NAME'],
    ['iloveyou', 'PASSWORD_TOO_COMMON']
  ]) {
    const res = await change(newPassword)
    t.equal(res.statusCode, 400, code)
    t.match(res.json(), { code, message: /^new_password / })
  }
  t.ok((await login(app, user)).access_token, 'the old password still works')
  t.equal((await change('a fresh and long one')).statusCode, 200)
})

test('login stays lenient: accounts made before the rules still log in', async (t) => {
  const app = await build(t)
  const legacy = [
    { username: 'old user', email: 'Old.User@Example.com ', password: 'password' },
    { username: 'x', email: 'x@example.com', password: 'abc' },
    { username: 'legacy_long', email: 'long@example.com', password: 'z'.repeat(100) }
  ]
  for (const user of legacy) {
    await app.mysql.query('INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)', [user.username, user.email, bcrypt.hashSync(user.password, 10)])
    const res = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })
    t.equal(res.statusCode, 200, `${user.username} logs in`)
  }
  const huge = await app.inject({ method: 'POST', url: '/login', payload: { username: 'old user', password: 'p'.repeat(1025) } })
  t.equal(huge.statusCode, 400, 'only a sane maximum length applies')
  t.match(huge.json().message, /password/)
})
