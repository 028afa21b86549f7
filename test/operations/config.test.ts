import { test } from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { corsOrigins, loadConfig, LOCAL_DEV_SECRET } from '../../lib/config.js'
import { testConfig } from '../support/helper.js'

const secret = 'x'.repeat(32)

test('the seed\'s defaults apply when nothing is set', async (t) => {
  const config = loadConfig({ JWT_SECRET_KEY: secret })
  t.match(config, {
    PORT: 5000,
    ACCESS_TOKEN_EXPIRES_MINUTES: 15,
    REFRESH_TOKEN_EXPIRES_DAYS: 7,
    DB_PORT: 3306,
    REDIS_PORT: 6379,
    BCRYPT_ROUNDS: 12
  })
})

test('a missing, short or development secret is refused with a clear message', async (t) => {
  t.throws(() => loadConfig({ JWT_SECRET_KEY: '' }), /JWT_SECRET_KEY is required/)
  t.throws(() => loadConfig({ JWT_SECRET_KEY: 'UDEM' }), /JWT_SECRET_KEY must be at least 32 bytes \(got 4\)/)
  t.throws(() => loadConfig({ JWT_SECRET_KEY: LOCAL_DEV_SECRET, NODE_ENV: 'production' }), /local development secret/)
})

test('malformed values are refused', async (t) => {
  t.throws(() => loadConfig({ JWT_SECRET_KEY: secret, PORT: 'five' }), /PORT/)
  t.throws(() => loadConfig({ JWT_SECRET_KEY: secret, BCRYPT_ROUNDS: 8 }), /BCRYPT_ROUNDS must be at least 10/)
  t.throws(() => loadConfig({ JWT_SECRET_KEY: secret, BCRYPT_ROUNDS: 8, NODE_ENV: 'development' }), /BCRYPT_ROUNDS must be at least 10/)
  t.equal(loadConfig({ JWT_SECRET_KEY: secret, BCRYPT_ROUNDS: 4, NODE_ENV: 'test' }).BCRYPT_ROUNDS, 4, 'the test suite alone may hash at the cheapest cost')
  t.throws(() => loadConfig({ JWT_SECRET_KEY: secret, BCRYPT_ROUNDS: 3, NODE_ENV: 'test' }), /BCRYPT_ROUNDS/)
  t.throws(() => loadConfig({ JWT_SECRET_KEY: secret, LOG_LEVEL: 'loud' }), /LOG_LEVEL/)
  t.throws(() => loadConfig({ JWT_SECRET_KEY: secret, DB_NAME: 'x; DROP TABLE users' }), /DB_NAME/)
})

test('the server refuses to start with one line when the secret is weak', async (t) => {
  const server = fileURLToPath(new URL('../../server.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', server], {
    env: { PATH: process.env.PATH, JWT_SECRET_KEY: 'short' },
    cwd: fileURLToPath(new URL('.', import.meta.url))
  })
  let stderr = ''
  child.stderr.on('data', chunk => { stderr += chunk })
  const code = await new Promise(resolve => child.on('exit', resolve))
  t.equal(code, 1)
  t.equal(stderr.trim().split('\n').length, 1, stderr)
  t.match(stderr, /JWT_SECRET_KEY must be at least 32 bytes/)
})

test('CORS_ORIGINS must list origins, not URLs with paths', async (t) => {
  t.throws(() => testConfig({ CORS_ORIGINS: 'https://app.example.com/path' }), /CORS_ORIGINS entry "https:\/\/app.example.com\/path"/)
  t.throws(() => testConfig({ CORS_ORIGINS: '*' }), /CORS_ORIGINS/)
  t.same(corsOrigins(testConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:3000' })), ['https://a.example.com', 'http://localhost:3000'])
})

test('RATE_LIMIT_ALLOWLIST and TRUST_PROXY must list IPs or CIDR ranges', async (t) => {
  t.ok(testConfig({ RATE_LIMIT_ALLOWLIST: ' 10.0.0.0/8, 192.168.1.5,fd00::/8, ::1 ' }))
  for (const bad of ['10.0.0.0/33', 'localhost', '10.0.0.1/8/2', '10.0.0.0/', '::/129', '10.0.0.300']) {
    t.throws(() => testConfig({ RATE_LIMIT_ALLOWLIST: `10.0.0.1,${bad}` }), { message: `RATE_LIMIT_ALLOWLIST entry "${bad}"` }, bad)
    t.throws(() => testConfig({ TRUST_PROXY: bad }), { message: `TRUST_PROXY entry "${bad}"` }, bad)
  }
})
