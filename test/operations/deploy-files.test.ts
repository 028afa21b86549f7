import { test } from 'tap'
import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { ConfigSchema, loadConfig } from '../../lib/config.js'

const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8')
const example = parseEnv(read('.env.example'))
const compose = read('docker-compose.yml')
const schemaKeys = Object.keys(ConfigSchema.properties)
/** Variables docker-compose.yml interpolates (`${NAME}`, `${NAME:-default}`, `${NAME:?message}`). */
const composeKeys = [...new Set([...compose.matchAll(/\$\{([A-Z0-9_]+)/g)].map(match => match[1]))]

/** Where .env.example differs from the schema's default on purpose (see its comments). */
// DOCS_ENABLED and METRICS_ENABLED have no default: unset, NODE_ENV decides (on, but off in production)
const NOT_THE_DEFAULT = ['NODE_ENV', 'JWT_SECRET_KEY', 'REDIS_PASSWORD', 'SMTP_HOST', 'SMTP_PORT', 'SMTP_STARTTLS', 'DOCS_ENABLED', 'METRICS_ENABLED']

test('.env.example sets every variable of the configuration', async (t) => {
  t.same(schemaKeys.filter(key => !(key in example)), [], 'variables missing from .env.example')
})

test('.env.example sets nothing that neither the service nor docker-compose.yml reads', async (t) => {
  const known = new Set([...schemaKeys, ...composeKeys])
  t.same(Object.keys(example).filter(key => !known.has(key)), [])
})

test('every variable docker-compose.yml reads is documented in .env.example', async (t) => {
  t.same(composeKeys.filter(key => !(key in example)), [])
})

test('.env.example loads as a valid configuration, with the defaults but where it says otherwise', async (t) => {
  // Every key is set, so neither the environment nor a .env file can change the result
  const config: Record<string, unknown> = loadConfig(example)
  for (const [key, property] of Object.entries(ConfigSchema.properties)) {
    if (!NOT_THE_DEFAULT.includes(key)) t.equal(config[key], property.default, key)
  }
})

test('.env.example does not start in production with its public secret', async (t) => {
  t.throws(() => loadConfig({ ...example, NODE_ENV: 'production' }), /local development secret/)
})

test('docker-compose.yml publishes MariaDB, Redis, Adminer and Mailpit on the host\'s loopback only; the API and the gateway profile\'s nginx on every address', async (t) => {
  const published = [...compose.matchAll(/^\s+- "([^"]+)"$/gm)].map(match => match[1]).filter(entry => /^[\d.:]+$/.test(entry))
  t.same(published.sort(), ['127.0.0.1:3306:3306', '127.0.0.1:6379:6379', '127.0.0.1:8025:8025', '127.0.0.1:8080:8080', '5000:5000', '8000:8000'])
})
