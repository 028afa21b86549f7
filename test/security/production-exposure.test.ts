import { test } from 'tap'
import { build } from '../support/helper.js'
import { loadConfig } from '../../lib/config.js'

const TOKEN = 'a-metrics-token-of-32-characters'
const operational = ['/metrics', '/documentation', '/documentation/json', '/documentation/static/index.html']

test('production defaults: no metrics, no API documentation; the API and the probes serve', async (t) => {
  const app = await build(t, { NODE_ENV: 'production' })
  for (const url of operational) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, `${url} is not served`)
    t.equal(res.json().code, 'NOT_FOUND')
  }
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/protected' })).statusCode, 401)
})

test('production with METRICS_TOKEN: /metrics is on and asks for the token', async (t) => {
  const app = await build(t, { NODE_ENV: 'production', METRICS_TOKEN: TOKEN })
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401, 'no token: 401')
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /process_cpu_seconds_total/)
})

test('production with DOCS_ENABLED=true serves the documentation on purpose', async (t) => {
  const app = await build(t, { NODE_ENV: 'production', DOCS_ENABLED: true })
  t.equal((await app.inject({ method: 'GET', url: '/documentation/json' })).statusCode, 200)
})

test('METRICS_ENABLED=true in production without METRICS_TOKEN refuses to start', async (t) => {
  const required = { JWT_SECRET_KEY: 'x'.repeat(32), NODE_ENV: 'production' }
  t.throws(() => loadConfig({ ...required, METRICS_ENABLED: true }), /METRICS_ENABLED=true in production needs METRICS_TOKEN/)
  t.match(loadConfig(required), { DOCS_ENABLED: false, METRICS_ENABLED: false })
  t.match(loadConfig({ ...required, METRICS_TOKEN: TOKEN }), { DOCS_ENABLED: false, METRICS_ENABLED: true })
})

test('outside production both stay on without a token, for development', async (t) => {
  const config = loadConfig({ JWT_SECRET_KEY: 'x'.repeat(32), NODE_ENV: 'development' })
  t.match(config, { DOCS_ENABLED: true, METRICS_ENABLED: true })
  const app = await build(t, { NODE_ENV: 'development' })
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/documentation/json' })).statusCode, 200)
})
