import Fastify, { type FastifyInstance, type FastifyServerOptions, type LightMyRequestResponse } from 'fastify'
import { randomBytes } from 'node:crypto'
import { createConnection } from 'mysql2/promise'
import { Redis } from 'ioredis'
import fp from 'fastify-plugin'
import { Writable } from 'node:stream'
import app, { serverOptions } from '../../app.js'
import { loadConfig, type Config } from '../../lib/config.js'

type Test = { teardown(fn: () => unknown): void }

/** Local services of the machine; each test file gets its own database and Redis key prefix. */
export const localServices = {
  DB_HOST: process.env.TEST_DB_HOST ?? '127.0.0.1',
  DB_PORT: process.env.TEST_DB_PORT ?? '3306',
  DB_USER: process.env.TEST_DB_USER ?? 'root',
  DB_PASSWORD: process.env.TEST_DB_PASSWORD ?? '',
  REDIS_HOST: process.env.TEST_REDIS_HOST ?? '127.0.0.1',
  REDIS_PORT: process.env.TEST_REDIS_PORT ?? '6379',
  REDIS_PASSWORD: process.env.TEST_REDIS_PASSWORD ?? ''
}

export function testConfig (overrides: Record<string, unknown> = {}): Config {
  const run = randomBytes(4).toString('hex')
  return loadConfig({
    ...localServices,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET_KEY: randomBytes(32).toString('hex'),
    // bcrypt's cheapest cost (NODE_ENV=test only): a hash takes milliseconds, not a fifth of a
    // second, and the suite hashes thousands of times; a test of the cost itself sets its own
    BCRYPT_ROUNDS: (overrides.NODE_ENV ?? 'test') === 'test' ? 4 : 10,
    DB_NAME: `jwt_test_${run}`,
    REDIS_KEY_PREFIX: `jwt-test:${run}:`,
    // Off unless a test turns it on: the other tests send many requests from one address
    RATE_LIMIT_ENABLED: false,
    // Tests read /health right after a change; the probe-flood tests set their own interval
    HEALTH_CHECK_REUSE_MS: 0,
    ...overrides
  })
}

/** Builds the app against the test database and prefix; drops both when the test ends. */
export async function build (t: Test, overrides: Record<string, unknown> = {}): Promise<FastifyInstance> {
  const config = testConfig(overrides)
  return start(t, config, serverOptions(config))
}

/**
 * Like build, with the log (at `level`) captured as parsed lines; `extend` may add routes
 * to the instance before it starts.
 */
export async function buildLogged (t: Test, level: string, extend?: (server: FastifyInstance) => void, overrides: Record<string, unknown> = {}) {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, done) { lines.push(JSON.parse(chunk.toString())); done() } })
  const config = testConfig({ LOG_LEVEL: level, ...overrides })
  const options = serverOptions(config)
  const server = await start(t, config, { ...options, logger: { ...(options.logger as object), stream } }, extend)
  return { app: server, lines }
}

async function start (t: Test, config: Config, options: FastifyServerOptions, extend?: (server: FastifyInstance) => void) {
  // The first start of a test process compiles every module through tsx (over 10 s on a busy
  // machine): avvio's default 10 s per plugin would fail it, so the bound is generous here.
  const server = Fastify({ pluginTimeout: 120_000, ...options })
  // Before ready(): an app that fails to start is closed too, instead of its open pools keeping
  // the test process alive until tap's timeout.
  t.teardown(async () => {
    await server.close()
    await cleanUp(config)
  })
  // fp() lifts the app's decorators (jwt, redis, sessions...) to the instance tests hold
  await server.register(fp(app), { config })
  extend?.(server)
  await server.ready()
  return server
}

/** Removes what a test run left: its database and every key under its Redis prefix. */
export async function cleanUp (config: Config) {
  const db = await createConnection({ host: config.DB_HOST, port: config.DB_PORT, user: config.DB_USER, password: config.DB_PASSWORD })
  await db.query(`DROP DATABASE IF EXISTS \`${config.DB_NAME}\``)
  await db.end()
  const redis = new Redis({ host: config.REDIS_HOST, port: config.REDIS_PORT, password: config.REDIS_PASSWORD || undefined, db: config.REDIS_DB })
  let cursor = '0'
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${config.REDIS_KEY_PREFIX}*`, 'COUNT', 1000)
    cursor = next
    if (found.length > 0) await redis.unlink(...found)
  } while (cursor !== '0')
  await redis.quit()
}

let counter = 0
/** A fresh, valid registration body. */
export function newUser (prefix = 'user') {
  const name = `${prefix}_${process.pid}_${++counter}`
  return { username: name, email: `${name}@example.com`, password: `pw-${randomBytes(6).toString('hex')}` }
}

export async function register (app: FastifyInstance, user = newUser()) {
  const res = await app.inject({ method: 'POST', url: '/register', payload: user })
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`)
  return { ...user, id: res.json<{ user_id: number }>().user_id }
}

export interface Tokens { access_token: string, refresh_token: string }

export async function login (app: FastifyInstance, user: { username: string, password: string }): Promise<Tokens> {
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`)
  return res.json<Tokens>()
}

/** Registers a new user and logs in. */
export async function loginAsNewUser (app: FastifyInstance) {
  const user = await register(app)
  return { user, tokens: await login(app, user) }
}

export function getProtected (app: FastifyInstance, accessToken: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: '/protected', headers: { authorization: `Bearer ${accessToken}` } })
}

export function refresh (app: FastifyInstance, refreshToken: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/refresh', payload: { refresh_token: refreshToken } })
}

export function logout (app: FastifyInstance, accessToken: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/logout', headers: { authorization: `Bearer ${accessToken}` } })
}
