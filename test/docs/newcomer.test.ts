import { test } from 'tap'
import { readFile } from 'node:fs/promises'
import { parseEnv } from 'node:util'
import { loadConfig } from '../../lib/config.js'

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8')

test('the README\'s curl block sets every variable before it uses one', async (t) => {
  const readme = await read('README.md')
  const block = readme.slice(readme.indexOf('```sh\nB=http://127.0.0.1:5000'))
  const lines = block.slice(0, block.indexOf('\n```', 5)).split('\n')
  const set = new Set<string>()
  for (const line of lines) {
    for (const [, name] of line.matchAll(/\$([A-Z]+)\b/g)) t.ok(set.has(name), `$${name} is set before: ${line}`)
    const assigned = /^([A-Z]+)=/.exec(line)?.[1]
    if (assigned !== undefined) set.add(assigned)
  }
  t.same([...set].sort(), ['ACCESS', 'B', 'LOGIN', 'REFRESH'])
})

test('the quick start says that start:local holds its terminal, and how long the tests take', async (t) => {
  const readme = await read('README.md')
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Configuration'))
  t.match(quickStart, /npm run start:local .*holds this terminal/)
  t.match(quickStart, /npm test .*second terminal/)
  t.match(quickStart, /`npm run dev`/)
  t.equal((quickStart.match(/^npm /gm) ?? []).length, 2, 'still two commands')
  t.match(readme, /npx tap test\/api\/login\.test\.ts/, 'how to run one file')
})

test('docs/requests.http and the README use the same account', async (t) => {
  const readme = await read('README.md')
  const http = await read('docs/requests.http')
  const password = /^@password = (.+)$/m.exec(http)?.[1]
  const username = /^@username = (.+)$/m.exec(http)?.[1]
  t.match(readme, `"username":"${username}","password":"${password}"`)
})

test('local.env is for trying things out: no shutdown drain, rate limits a client being tried never meets', async (t) => {
  const config = loadConfig(parseEnv(await read('local.env')))
  t.equal(config.NODE_ENV, 'development')
  t.equal(config.SHUTDOWN_DRAIN_SECONDS, 0, 'npm run dev restarts at once')
  for (const limit of ['RATE_LIMIT_MAX', 'REGISTER_RATE_LIMIT_MAX', 'REFRESH_RATE_LIMIT_MAX', 'LOGIN_RATE_LIMIT_IP_MAX', 'LOGIN_RATE_LIMIT_USERNAME_MAX', 'LOGIN_RATE_LIMIT_DEVICE_MAX'] as const) {
    t.ok(config[limit] >= 1000, `${limit} ${config[limit]}`)
  }
  const pkg = JSON.parse(await read('package.json'))
  t.match(pkg.scripts.dev, /--env-file=local\.env .*\| pino-pretty$/, 'npm run dev: local.env, readable logs')
})
