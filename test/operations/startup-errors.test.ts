import { test } from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cleanUp, localServices, testConfig } from '../support/helper.js'
import { freePort } from '../../scripts/free-port.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** Runs server.ts (through tsx) until it exits; what it printed and its exit code. */
async function start (env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', FASTIFY_AUTOLOAD_TYPESCRIPT: '1', HOST: '127.0.0.1', PORT: String(await freePort()), ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  return { code, stdout, stderr }
}

// `.invalid` never resolves (RFC 6761): what `npm start` meets with the defaults `redis` and `mariadb` outside Compose
for (const [store, variable, env] of [
  ['Redis', 'REDIS_HOST', { REDIS_HOST: 'redis.invalid' }],
  ['MariaDB', 'DB_HOST', { DB_HOST: 'mariadb.invalid' }]
] as const) {
  test(`a ${store} host that does not resolve stops the start with one line naming it and ${variable}`, { timeout: 300_000 }, async (t) => {
    const config = testConfig()
    t.teardown(() => cleanUp(config))
    const { code, stdout, stderr } = await start({
      ...localServices,
      DB_NAME: config.DB_NAME,
      REDIS_KEY_PREFIX: config.REDIS_KEY_PREFIX,
      JWT_SECRET_KEY: config.JWT_SECRET_KEY,
      LOG_LEVEL: 'error',
      ...env
    })
    t.not(code, 0, 'exit code')
    const lines = stderr.trim().split('\n')
    t.equal(lines.length, 1, `one line: ${stderr}`)
    t.match(lines[0], `Cannot start: ${store} at ${Object.values(env)[0]}:`)
    t.match(lines[0], variable)
    t.notMatch(stdout + stderr, /^\s+at /m, 'no stack')
  })
}
