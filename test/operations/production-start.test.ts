import { test } from 'tap'
import { execFile, spawn } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { cleanUp, testConfig } from '../support/helper.js'
import { freePort } from '../../scripts/free-port.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * What the Dockerfile does, without Docker: build, install the production dependencies of the
 * lock file next to dist/ (no sources, no dev dependencies), start `node dist/server.js`.
 */
test('the production build starts from dist/ with production dependencies only, answers /health and exits 0 on SIGTERM', { timeout: 600_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'jwt-production-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))

  await run('npm', ['run', 'build'], { cwd: root })
  await cp(join(root, 'dist'), join(dir, 'dist'), { recursive: true })
  for (const file of ['package.json', 'package-lock.json']) await cp(join(root, file), join(dir, file))
  // From the npm cache when it has every package (it does after `npm ci` here)
  await run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir })
  t.notOk(existsSync(join(dir, 'node_modules', 'typescript')), 'no dev dependencies')
  t.notOk(existsSync(join(dir, 'node_modules', 'tsx')), 'no dev dependencies')

  const config = testConfig()
  t.teardown(() => cleanUp(config))
  const port = await freePort()
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    SHUTDOWN_DRAIN_SECONDS: '1',
    JWT_SECRET_KEY: config.JWT_SECRET_KEY,
    DB_HOST: config.DB_HOST,
    DB_PORT: String(config.DB_PORT),
    DB_USER: config.DB_USER,
    DB_PASSWORD: config.DB_PASSWORD,
    DB_NAME: config.DB_NAME,
    REDIS_HOST: config.REDIS_HOST,
    REDIS_PORT: String(config.REDIS_PORT),
    REDIS_PASSWORD: config.REDIS_PASSWORD,
    REDIS_KEY_PREFIX: config.REDIS_KEY_PREFIX
  }
  const server = spawn(process.execPath, ['dist/server.js'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  server.stdout.on('data', chunk => { output += chunk })
  server.stderr.on('data', chunk => { output += chunk })
  const exited = new Promise<number | null>(resolve => server.on('exit', code => resolve(code)))
  t.teardown(() => { if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL') })

  const base = `http://127.0.0.1:${port}`
  t.equal(await statusWithin(`${base}/health/live`, () => server.exitCode !== null), 200, output)
  const health = await fetch(`${base}/health`)
  t.equal(health.status, 200)
  const body = await health.json()
  t.match(body, { status: 'healthy', database: 'connected', redis: 'connected' })
  t.ok(body.tables.includes('users') && body.tables.includes('mail_outbox'), 'the migrated tables are listed')

  server.kill('SIGTERM')
  t.equal(await exited, 0, output)
  t.match(output, /draining: readiness is 503/)
})

/** Polls a URL (at most 600 times, 100 ms apart: a loaded machine starts slowly) until it answers; returns its status, or 0. */
async function statusWithin (url: string, gaveUp: () => boolean) {
  for (let i = 0; i < 600 && !gaveUp(); i++) {
    try {
      return (await fetch(url)).status
    } catch {
      await sleep(100)
    }
  }
  return 0
}
