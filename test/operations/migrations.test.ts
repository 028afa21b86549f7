import { test } from 'tap'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { createConnection, type RowDataPacket } from 'mysql2/promise'
import bcrypt from 'bcryptjs'
import { build, cleanUp, login, testConfig } from '../support/helper.js'
import { migrate, allMigrations } from '../../lib/migrations.js'
import type { Config } from '../../lib/config.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

async function fresh (t: { teardown(fn: () => unknown): void }): Promise<Config> {
  const config = testConfig()
  t.teardown(() => cleanUp(config))
  return config
}

async function query<T extends RowDataPacket> (config: Config, sql: string, values: unknown[] = []): Promise<T[]> {
  const db = await createConnection({ host: config.DB_HOST, port: config.DB_PORT, user: config.DB_USER, password: config.DB_PASSWORD, database: config.DB_NAME, multipleStatements: true })
  try {
    const [rows] = await db.query<T[]>(sql, values)
    return rows
  } finally {
    await db.end()
  }
}

async function appliedSteps (config: Config): Promise<string[]> {
  const rows = await query<RowDataPacket & { name: string }>(config, 'SELECT name FROM kysely_migration ORDER BY name')
  return rows.map(row => row.name)
}

test('an empty database gets every migration, in order, once', async (t) => {
  const config = await fresh(t)
  const all = Object.keys(await allMigrations())
  t.ok(all.length > 0)
  t.same(await migrate(config), all, 'the first run applies every step')
  t.same(await migrate(config), [], 'a second run finds nothing to do')
  t.same(await appliedSteps(config), all)
})

test('instances starting at once on one empty database migrate it once, and all start', async (t) => {
  const config = await fresh(t)
  const runs = await Promise.all(Array.from({ length: 4 }, () => migrate(config)))
  const all = Object.keys(await allMigrations())
  t.same(runs.flat().sort(), all, 'each step was applied by exactly one of them')
  t.same(await appliedSteps(config), all)

  const apps = await Promise.all([build(t, { DB_NAME: config.DB_NAME }), build(t, { DB_NAME: config.DB_NAME })])
  for (const app of apps) t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
})

test('a database with today\'s schema (Compose\'s sql/init.sql) and users in it keeps them and their passwords', async (t) => {
  const config = await fresh(t)
  await createEmptyDatabase(config)
  await query(config, await readFile(new URL('../../sql/init.sql', import.meta.url), 'utf8'))
  await query(config, 'INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)',
    ['antes_de_migrar', 'antes@example.com', bcrypt.hashSync('contraseña-de-antes', 10)])

  const app = await build(t, { DB_NAME: config.DB_NAME })
  t.same(await appliedSteps(config), Object.keys(await allMigrations()))
  const tokens = await login(app, { username: 'antes_de_migrar', password: 'contraseña-de-antes' })
  const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${tokens.access_token}` } })
  t.equal(me.statusCode, 200)
  t.match(me.json(), { username: 'antes_de_migrar', email: 'antes@example.com' })
})

test('npm run migrate brings the configured database up to date and says so', async (t) => {
  const config = await fresh(t)
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' }
  for (const [name, value] of Object.entries(config)) env[name] = String(value)
  const first = await run('npm', ['run', '--silent', 'migrate'], { cwd: root, env })
  t.match(first.stdout, /^applied: 001_users/)
  const second = await run('npm', ['run', '--silent', 'migrate'], { cwd: root, env })
  t.equal(second.stdout.trim(), 'database schema is up to date')
})

/** An empty database as Compose's MariaDB creates it before running sql/init.sql. */
async function createEmptyDatabase (config: Config) {
  const db = await createConnection({ host: config.DB_HOST, port: config.DB_PORT, user: config.DB_USER, password: config.DB_PASSWORD })
  await db.query(`CREATE DATABASE \`${config.DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await db.end()
}
