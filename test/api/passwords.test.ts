import { test } from 'tap'
import bcrypt from 'bcryptjs'
import type { RowDataPacket } from 'mysql2'
import { build, newUser, register } from '../support/helper.js'
import { pollUntil } from '../support/completes.js'

test('stored hashes are plain bcrypt at BCRYPT_ROUNDS, never the password', async (t) => {
  const app = await build(t, { BCRYPT_ROUNDS: 10 })
  const user = await register(app)
  const [rows] = await app.mysql.query<RowDataPacket[]>('SELECT password_hash FROM users WHERE id = ?', [user.id])
  const hash = String(rows[0].password_hash)
  t.match(hash, /^\$2[aby]\$10\$/)
  t.ok(bcrypt.compareSync(user.password, hash), 'bcryptjs verifies what the worker pool hashed')
})

test('users whose hashes were made elsewhere (the Flask service\'s bcrypt) can log in', async (t) => {
  const app = await build(t)
  const user = newUser('legacy')
  const legacyHash = bcrypt.hashSync(user.password, 10).replace(/^\$2b\$/, '$2a$')
  await app.mysql.query('INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)', [user.username, user.email, legacyHash])
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })
  t.equal(res.statusCode, 200)
})

test('passwords are compared after Unicode normalisation', async (t) => {
  const app = await build(t)
  const composed = 'contraseña_segura'.normalize('NFC')
  const decomposed = composed.normalize('NFD')
  t.not(composed, decomposed)
  const user = await register(app, { ...newUser(), password: decomposed })
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: composed } })
  t.equal(res.statusCode, 200)
})

test('a hash of a lower cost is upgraded to BCRYPT_ROUNDS at the next successful login', async (t) => {
  const app = await build(t, { BCRYPT_ROUNDS: 10 })
  const user = newUser('cheap')
  const storedHash = async () => {
    const [rows] = await app.mysql.query<RowDataPacket[]>('SELECT password_hash FROM users WHERE username = ?', [user.username])
    return String(rows[0].password_hash)
  }
  await app.mysql.query('INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)', [user.username, user.email, bcrypt.hashSync(user.password, 4)])

  const wrong = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: 'not-the-password' } })
  t.equal(wrong.statusCode, 401)
  t.match(await storedHash(), /^\$2b\$04\$/, 'a failed login changes nothing')

  t.equal((await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })).statusCode, 200)
  t.ok(await pollUntil(async () => (await storedHash()).startsWith('$2b$10$'), 300), 'hashed again at cost 10')
  t.ok(bcrypt.compareSync(user.password, await storedHash()), 'of the same password')
  t.equal((await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })).statusCode, 200)
  t.match(await storedHash(), /^\$2b\$10\$/)
})

test('an upgrade never overwrites a password changed since the login read the hash', async (t) => {
  const app = await build(t)
  const user = await register(app)
  const [rows] = await app.mysql.query<RowDataPacket[]>('SELECT password_hash FROM users WHERE id = ?', [user.id])
  const changed = bcrypt.hashSync('the-new-password', 10)
  await app.users.setPasswordHash(user.id, changed)
  await app.users.upgradePasswordHash(user.id, String(rows[0].password_hash), bcrypt.hashSync(user.password, 10))
  const [after] = await app.mysql.query<RowDataPacket[]>('SELECT password_hash FROM users WHERE id = ?', [user.id])
  t.equal(after[0].password_hash, changed)
})
