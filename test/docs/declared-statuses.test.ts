import { test, type Test } from 'tap'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { build, login, register } from '../support/helper.js'
import { errorCodes } from '../../lib/errors.js'

interface Operation {
  requestBody?: { content: Record<string, { example?: unknown }> }
  responses: Record<string, { headers?: Record<string, unknown> }>
}
type Paths = Record<string, Record<string, Operation>>

const client = { INTROSPECTION_CLIENT_ID: 'resource-server', INTROSPECTION_CLIENT_SECRET: 'a-long-enough-client-secret' }
const basic = `Basic ${Buffer.from(`${client.INTROSPECTION_CLIENT_ID}:${client.INTROSPECTION_CLIENT_SECRET}`).toString('base64')}`
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

/** A registered user, with a token that no probe ends once it has logged in. */
type User = { username: string, password: string, token?: string }

async function documented (app: FastifyInstance) {
  const paths = (await app.inject({ method: 'GET', url: '/documentation/json' })).json<{ paths: Paths }>().paths
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter(method => method in item).map(method => ({ path, method, operation: item[method] })))
}

/**
 * What a client can send an operation: no or a wrong credential, its documented example, a body
 * with a stray field, of another type, too large, not JSON, or empty and labelled as a form
 * (axios); a path parameter that is not one. A logout ends the session: each probe of one
 * logs in afresh.
 */
function probes (app: FastifyInstance, path: string, method: string, operation: Operation, user: User) {
  const url = path.replace('{id}', 'AAAAAAAAAAAAAAAA')
  const auth = async () => path === '/introspect'
    ? basic
    : `Bearer ${path.startsWith('/logout') ? (await login(app, user)).access_token : (user.token ??= (await login(app, user)).access_token)}`
  const example = operation.requestBody?.content['application/json']?.example
  const send = (options: Omit<InjectOptions, 'method'>) => app.inject({ method: method.toUpperCase() as InjectOptions['method'], url, ...options })
  const probes: Array<[string, () => Promise<LightMyRequestResponse>]> = [
    ['no credentials', () => send({})],
    ['a token that is not one', () => send({ headers: { authorization: path === '/introspect' ? 'Basic eDp5' : 'Bearer x.y.z' } })],
    ['a live credential', async () => send({ headers: { authorization: await auth() } })],
    ['a parameter that is not one', async () => send({ url: path.replace('{id}', '%20'), headers: { authorization: await auth() } })]
  ]
  if (method !== 'get') {
    probes.push(
      ['its example, twice', async () => {
        await send({ headers: { authorization: await auth() }, payload: example ?? {} })
        return send({ headers: { authorization: await auth() }, payload: example ?? {} })
      }],
      ['a stray field', async () => send({ headers: { authorization: await auth() }, payload: { stray: 1 } })],
      ['a body of another type', async () => send({ headers: { authorization: await auth(), 'content-type': 'text/plain' }, payload: 'x' })],
      ['20 KiB of JSON', async () => send({ headers: { authorization: await auth() }, payload: { stray: 'x'.repeat(20 * 1024) } })],
      ['a body that is not JSON', async () => send({ headers: { authorization: await auth(), 'content-type': 'application/json' }, payload: '{' })],
      ['an empty form (axios)', async () => send({ headers: { authorization: await auth(), 'content-type': 'application/x-www-form-urlencoded' } })]
    )
  }
  return probes
}

/** Every answer's status is declared on its operation, its headers are sent, its error code is documented. */
async function checkAnswers (t: Test, app: FastifyInstance, user: User) {
  for (const { path, method, operation } of await documented(app)) {
    const seen = new Set<number>()
    for (const [name, probe] of probes(app, path, method, operation, user)) {
      const res = await probe()
      seen.add(res.statusCode)
      const declared = operation.responses[String(res.statusCode)]
      t.ok(declared, `${method.toUpperCase()} ${path}, ${name}: ${res.statusCode} is declared`)
      for (const header of Object.keys(declared?.headers ?? {})) {
        t.ok(res.headers[header.toLowerCase()] !== undefined, `${method.toUpperCase()} ${path}, ${name}: ${res.statusCode} carries ${header}`)
      }
      if (res.statusCode >= 400 && res.statusCode < 500) t.ok(errorCodes.includes(res.json().code), `${method.toUpperCase()} ${path}, ${name}: code ${res.json().code} is documented`)
    }
    t.comment(`${method.toUpperCase()} ${path}: answered ${[...seen].sort().join(', ')}`)
  }
}

test('every status a route answers to what clients send is declared on it, with the headers it carries', async (t) => {
  const app = await build(t, client)
  const user = await register(app)
  await checkAnswers(t, app, user)
})

test('with rate limits on, 429 and the RateLimit headers are declared where they are sent', async (t) => {
  const limits = { RATE_LIMIT_ENABLED: true, LOGIN_RATE_LIMIT_IP_MAX: 1000, LOGIN_RATE_LIMIT_USERNAME_MAX: 1000, REGISTER_RATE_LIMIT_MAX: 3, REFRESH_RATE_LIMIT_MAX: 3 }
  const app = await build(t, { ...client, ...limits, RATE_LIMIT_MAX: 1000 })
  const user = await register(app)
  await checkAnswers(t, app, user)

  // A low global limit: every limited operation gets to 429. It counts requests that pass the
  // credential check (a 401 comes first), so each attempt logs in from the allowlisted address.
  const tight = await build(t, { ...client, ...limits, RATE_LIMIT_MAX: 2, RATE_LIMIT_ALLOWLIST: '127.0.0.1' })
  const someone = await register(tight)
  for (const [i, { path, method, operation }] of (await documented(tight)).entries()) {
    if (operation.responses['429'] === undefined) continue
    const url = path.replace('{id}', 'AAAAAAAAAAAAAAAA')
    let res: LightMyRequestResponse | undefined
    for (let attempt = 0; attempt < 4 && res?.statusCode !== 429; attempt++) {
      const authorization = path === '/introspect' ? basic : `Bearer ${(await login(tight, someone)).access_token}`
      res = await tight.inject({ method: method.toUpperCase() as InjectOptions['method'], url, headers: { authorization }, remoteAddress: `10.1.0.${i + 1}` })
    }
    t.equal(res?.statusCode, 429, `${method.toUpperCase()} ${path}: over the limit`)
    for (const header of Object.keys(operation.responses['429'].headers ?? {})) {
      t.ok(res?.headers[header.toLowerCase()] !== undefined, `${method.toUpperCase()} ${path}: 429 carries ${header}`)
    }
  }
})
