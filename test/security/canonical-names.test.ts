import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { createConnection, type RowDataPacket } from 'mysql2/promise'
import { readFile } from 'node:fs/promises'
import bcrypt from 'bcryptjs'
import { build, cleanUp, login, newUser, register, testConfig } from '../support/helper.js'
import type { Config } from '../../lib/config.js'

const loginAs = (app: FastifyInstance, username: string, password: string, from = '10.3.0.1') =>
  app.inject({ method: 'POST', url: '/login', remoteAddress: from, payload: { username, password } })

test('no spelling of a name escapes the account\'s login limit, and a lookalike is an unknown user', async (t) => {
  const app = await build(t, { RATE_LIMIT_ENABLED: true, LOGIN_RATE_LIMIT_IP_MAX: 1000, LOGIN_RATE_LIMIT_USERNAME_MAX: 10 })
  const victim = await register(app, { ...newUser(), username: 'victim' })

  for (let i = 0; i < 10; i++) t.equal((await loginAs(app, 'victim', `wrong-guess-${i}`, `10.3.1.${i}`)).statusCode, 401)
  t.equal((await loginAs(app, 'victim', 'wrong-guess')).statusCode, 429, 'the account is at its limit')
  for (const spelling of ['victim ', ' victim', 'VICTIM', 'ｖｉｃｔｉｍ', 'victim\u3000', 'Victim\t']) {
    t.equal((await loginAs(app, spelling, victim.password)).statusCode, 429, `${JSON.stringify(spelling)} counts on the same account`)
  }

  const before = app.passwords.comparisons
  const lookalike = await loginAs(app, 'víctim', victim.password)
  t.equal(lookalike.statusCode, 401, 'an accented lookalike is no spelling of the account, even with its password')
  t.same(lookalike.json(), (await loginAs(app, 'nobody_at_all', victim.password)).json(), 'the same answer as any unknown user')
  t.equal(app.passwords.comparisons - before, 2, 'at the same cost: one comparison each')
})

test('a dotted capital I or an accent is another name, never an existing account', async (t) => {
  const app = await build(t)
  const alice = await register(app, { ...newUser(), username: 'alice' })
  for (const spelling of ['ALİCE', 'álice', 'alice\u200b', 'al ice']) {
    t.equal((await loginAs(app, spelling, alice.password)).statusCode, 401, JSON.stringify(spelling))
  }
  t.equal((await loginAs(app, 'ＡＬＩＣＥ ', alice.password)).statusCode, 200, 'the fullwidth, upper-case, padded spelling is the same name')
})

test('register stores the canonical form, refuses its duplicates and ambiguous names', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/register', payload: { ...newUser(), username: ' Ｍｉｘｅｄ_Case ', email: ' Ｍixed@Example.COM' } })
  t.equal(res.statusCode, 201)
  const [rows] = await app.mysql.query<RowDataPacket[]>('SELECT username, email FROM users WHERE id = ?', [res.json().user_id])
  t.same({ ...rows[0] }, { username: 'mixed_case', email: 'mixed@example.com' })

  for (const username of ['mixed_case', 'MIXED_CASE ', 'ｍｉｘｅｄ_ｃａｓｅ']) {
    const again = await app.inject({ method: 'POST', url: '/register', payload: { ...newUser(), username } })
    t.match(again.json(), { statusCode: 409, code: 'USERNAME_TAKEN' }, JSON.stringify(username))
  }
  const sameEmail = await app.inject({ method: 'POST', url: '/register', payload: { ...newUser(), email: 'ＭＩＸＥＤ@example.com\u3000' } })
  t.match(sameEmail.json(), { statusCode: 409, code: 'EMAIL_TAKEN' })

  for (const username of ['   ', '\u3000\u3000\u3000', 'ali\u0000ce', 'ali\u0007ce', 'ali ce', 'álice', 'ali\u200bce']) {
    const bad = await app.inject({ method: 'POST', url: '/register', payload: { ...newUser(), username } })
    t.equal(bad.statusCode, 400, JSON.stringify(username))
    t.match(bad.json(), { code: 'FST_ERR_VALIDATION', message: /username/ })
    t.notMatch(bad.body, username.trim() === '' ? /\u3000/ : username, 'the answer does not echo the name')
  }
})

test('a database with today\'s schema and users keeps working: names become canonical, lookups exact', async (t) => {
  const config = testConfig()
  t.teardown(() => cleanUp(config))
  await query(config, `CREATE DATABASE \`${config.DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`, [], false)
  await query(config, await readFile(new URL('../../sql/init.sql', import.meta.url), 'utf8'))
  const hash = bcrypt.hashSync('contraseña-de-antes', 10)
  const legacy = [['Mixed_Case', ' Mixed@Example.COM'], ['ｗｉｄｅ', 'wide@example.com'], ['lead', 'lead@example.com'], [' lead', 'other@example.com']]
  for (const [username, email] of legacy) {
    await query(config, 'INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)', [username, email, hash])
  }

  const app = await build(t, { DB_NAME: config.DB_NAME })
  const stored = await query(config, 'SELECT username, email FROM users ORDER BY id')
  t.same(stored.map(row => [row.username, row.email]), [
    ['mixed_case', 'mixed@example.com'], ['wide', 'wide@example.com'], ['lead', 'lead@example.com'], [' lead', 'other@example.com']
  ], 'each value rewritten to its canonical form, but where another account holds that form')
  const collations = await query(config, 'SELECT column_name AS name, collation_name AS collation FROM information_schema.columns WHERE table_schema = ? AND table_name = \'users\' AND column_name IN (\'username\', \'email\') ORDER BY column_name', [config.DB_NAME])
  t.same(collations.map(row => [row.name, row.collation]), [['email', 'utf8mb4_nopad_bin'], ['username', 'utf8mb4_nopad_bin']])

  for (const spelling of ['Mixed_Case', 'mixed_case', 'ＷＩＤＥ']) t.ok((await login(app, { username: spelling, password: 'contraseña-de-antes' })).access_token, spelling)
  const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${(await login(app, { username: 'lead', password: 'contraseña-de-antes' })).access_token}` } })
  t.equal(me.json().email, 'lead@example.com', '"lead" is the account that held that name')

  t.equal(await app.users.findByUsername('mixed_case '), undefined, 'no trailing-space equivalence')
  t.equal(await app.users.findByUsername('MIXED_CASE'), undefined, 'no case equivalence')
  t.equal(await app.users.findByUsername('ｍｉｘｅｄ_ｃａｓｅ'), undefined, 'no width equivalence')
  t.equal(await app.users.findByUsername('mìxed_case'), undefined, 'no accent equivalence')
  t.equal((await app.users.findByUsername('mixed_case'))?.email, 'mixed@example.com')
})

async function query (config: Config, sql: string, values: unknown[] = [], inDatabase = true): Promise<RowDataPacket[]> {
  const db = await createConnection({
    host: config.DB_HOST, port: config.DB_PORT, user: config.DB_USER, password: config.DB_PASSWORD, multipleStatements: true, ...(inDatabase ? { database: config.DB_NAME } : {})
  })
  try {
    const [rows] = await db.query<RowDataPacket[]>(sql, values)
    return rows
  } finally {
    await db.end()
  }
}
