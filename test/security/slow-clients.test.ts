import { test } from 'tap'
import { connect } from 'node:net'
import { build } from '../support/helper.js'
import { completes } from '../support/completes.js'
import { loadConfig } from '../../lib/config.js'

const BOUNDS = { HTTP_HEADERS_TIMEOUT_MS: 500, HTTP_REQUEST_TIMEOUT_MS: 1000, HTTP_CONNECTION_TIMEOUT_MS: 3000 }

/** Opens a raw connection, writes `bytes` and nothing more; resolves with all it received once the server closes it. */
function stall (address: string, bytes: string) {
  const { hostname, port } = new URL(address)
  const started = performance.now()
  return new Promise<{ text: string, ms: number }>((resolve, reject) => {
    let text = ''
    const socket = connect(Number(port), hostname, () => { if (bytes !== '') socket.write(bytes) })
    socket.setEncoding('utf8')
    socket.on('data', chunk => { text += chunk })
    socket.on('error', reject)
    socket.on('close', () => resolve({ text, ms: performance.now() - started }))
  })
}

function answerOf (text: string) {
  const [head, body] = text.split('\r\n\r\n')
  return { status: head.split('\r\n')[0], headers: head.toLowerCase(), body: JSON.parse(body) }
}

test('headers sent, body never: 408 JSON within the request timeout, and the connection is closed', async (t) => {
  const app = await build(t, BOUNDS)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const { text, ms } = await completes(stall(address,
    'POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user'))

  const answer = answerOf(text)
  t.equal(answer.status, 'HTTP/1.1 408 Request Timeout')
  t.match(answer.headers, /content-type: application\/json/)
  t.same(answer.body, { statusCode: 408, error: 'Request Timeout', message: 'The request did not arrive in time', code: 'REQUEST_TIMEOUT' })
  // The timeout plus Node's check interval (1 s), with room for a busy machine
  t.ok(ms < 1000 + 1000 + 3000, `closed after ${Math.round(ms)} ms`)
})

test('headers never finished: 408 within the headers timeout', async (t) => {
  const app = await build(t, BOUNDS)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const { text, ms } = await completes(stall(address, 'GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1'))

  t.equal(answerOf(text).status, 'HTTP/1.1 408 Request Timeout')
  t.equal(answerOf(text).body.code, 'REQUEST_TIMEOUT')
  t.ok(ms < 500 + 1000 + 3000, `closed after ${Math.round(ms)} ms`)
})

test('a connection that never sends a byte is closed within the headers timeout', async (t) => {
  const app = await build(t, BOUNDS)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const { ms } = await completes(stall(address, ''))
  t.ok(ms < 500 + 1000 + 3000, `closed after ${Math.round(ms)} ms`)
})

test('bytes that are not HTTP get a 400 in the same JSON shape, which does not echo them', async (t) => {
  const app = await build(t, BOUNDS)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const { text } = await completes(stall(address, 'HELLO <script>alert(1)</script>\r\n\r\n'))
  const answer = answerOf(text)
  t.equal(answer.status, 'HTTP/1.1 400 Bad Request')
  t.same(answer.body, { statusCode: 400, error: 'Bad Request', message: 'The request is not valid HTTP', code: 'MALFORMED_REQUEST' })
})

test('a request that arrives whole is served as before', async (t) => {
  const app = await build(t, BOUNDS)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const res = await fetch(`${address}/health/live`)
  t.equal(res.status, 200)
  t.same(await res.json(), { status: 'ok' })
})

test('the timeouts are validated at start', async (t) => {
  const required = { JWT_SECRET_KEY: 'x'.repeat(32) }
  t.throws(() => loadConfig({ ...required, HTTP_HEADERS_TIMEOUT_MS: 2000, HTTP_REQUEST_TIMEOUT_MS: 1000 }),
    /HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/)
  t.throws(() => loadConfig({ ...required, HTTP_REQUEST_TIMEOUT_MS: 200_000 }), /HTTP_CONNECTION_TIMEOUT_MS must exceed HTTP_REQUEST_TIMEOUT_MS by at least 2000 ms/)
  t.throws(() => loadConfig({ ...required, HTTP_REQUEST_TIMEOUT_MS: 0 }), /HTTP_REQUEST_TIMEOUT_MS/)
  t.match(loadConfig(required), { HTTP_CONNECTION_TIMEOUT_MS: 120_000, HTTP_HEADERS_TIMEOUT_MS: 10_000, HTTP_REQUEST_TIMEOUT_MS: 30_000 })
})
