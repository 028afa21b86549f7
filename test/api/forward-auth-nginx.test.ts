import { test } from 'tap'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { build, loginAsNewUser } from '../support/helper.js'
import { nginxMissing, startNginx } from '../support/nginx.js'

type Test = { teardown(fn: () => unknown): void }

/** The upstream nginx protects: it records the headers of each request it gets. */
async function startUpstream (t: Test) {
  const seen = new Map<string, IncomingHttpHeaders>()
  const server = createServer((request, response) => {
    seen.set(request.url ?? '', request.headers)
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ upstream: true }))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => server.close(resolve)))
  return { port: (server.address() as AddressInfo).port, seen }
}

async function stack (t: Test) {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const upstream = await startUpstream(t)
  const nginx = await startNginx(t, { auth: (app.server.address() as AddressInfo).port, upstream: upstream.port })
  return { app, upstream, nginx }
}

const logoutOver = (app: FastifyInstance, access: string) =>
  app.inject({ method: 'POST', url: '/logout', headers: { authorization: `Bearer ${access}` } })

const skip = nginxMissing()

test('through nginx: a live token reaches the upstream with its identity; after logout the next request is 401', { skip }, async (t) => {
  const { app, upstream, nginx } = await stack(t)
  const { user, tokens } = await loginAsNewUser(app)
  const bearer = { authorization: `Bearer ${tokens.access_token}` }

  const passed = await fetch(`${nginx.url}/orders/1?page=2`, { headers: { ...bearer, 'x-auth-user-id': '999999' } })
  t.equal(passed.status, 200)
  t.same(await passed.json(), { upstream: true })
  const headers = upstream.seen.get('/orders/1?page=2')
  t.equal(headers?.['x-auth-user-id'], String(user.id), 'the upstream sees the user id the service vouched for, not the client\'s')
  t.match(headers?.['x-auth-session-id'], /^[\w-]{16}$/)

  const posted = await fetch(`${nginx.url}/orders`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '{"item":1}' })
  t.equal(posted.status, 200, 'a request with a body passes too (the check does not read it)')

  t.equal((await logoutOver(app, tokens.access_token)).statusCode, 200)
  const refused = await fetch(`${nginx.url}/orders/2`, { headers: bearer })
  t.equal(refused.status, 401)
  t.equal(refused.headers.get('www-authenticate'), 'Bearer realm="jwt-microservice", error="invalid_token", error_description="Token has been revoked"',
    'the service\'s challenge, once')
  t.match(await refused.json(), { statusCode: 401 })
  t.notOk(upstream.seen.has('/orders/2'), 'the upstream never saw it')

  const anonymous = await fetch(`${nginx.url}/orders/3`)
  t.equal(anonymous.status, 401)
  t.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="jwt-microservice"')
  t.notOk(upstream.seen.has('/orders/3'))
})

test('1,000 requests through nginx, the session revoked halfway: none sent after the revocation reaches the upstream', { skip }, async (t) => {
  const { app, upstream, nginx } = await stack(t)
  const { tokens } = await loginAsNewUser(app)
  const total = 1000
  const concurrency = 16
  const sent: Array<{ at: number, status: number }> = []
  let revokedAt = Infinity
  let revocation: Promise<unknown> | undefined
  let next = 0

  async function worker () {
    while (next < total) {
      const i = next++
      if (i === total / 2) {
        revocation = logoutOver(app, tokens.access_token).then(res => {
          t.equal(res.statusCode, 200, 'logged out')
          revokedAt = performance.now()
        })
      }
      const at = performance.now()
      const res = await fetch(`${nginx.url}/item/${i}`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
      await res.arrayBuffer()
      sent[i] = { at, status: res.status }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  await revocation

  const after = sent.map((request, i) => ({ ...request, i })).filter(request => request.at > revokedAt)
  const before = sent.slice(0, total / 2 - concurrency)
  t.ok(after.length > 100, `${after.length} requests were sent after the revocation`)
  t.same([...new Set(before.map(request => request.status))], [200], 'every request well before it passed')
  t.same([...new Set(after.map(request => request.status))], [401], 'every request after it was refused')
  t.same(after.filter(request => upstream.seen.has(`/item/${request.i}`)).map(request => request.i), [], 'and none reached the upstream')
  t.notOk(sent.some(request => request.status >= 500), 'no request failed')
})
