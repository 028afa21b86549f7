// npm run smoke -- [base-url]: the seed's test_jwt.py for this service. Walks one user through
// health, register, login, protected, refresh, logout and the revoked-token checks against a
// running instance (default http://127.0.0.1:5000); one PASS/FAIL line per step, and a non-zero
// exit code on any failure. It creates one account (smoke_<random>) on the target.
import { randomBytes } from 'node:crypto'

const base = (process.argv[2] ?? 'http://127.0.0.1:5000').replace(/\/+$/, '')
const TIMEOUT_MS = 10_000

interface Answer { status: number, body: Record<string, unknown> }
interface Pair { access_token: string, refresh_token: string }

async function call (method: string, path: string, options: { token?: string, body?: object } = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` })
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(TIMEOUT_MS)
  })
  const text = await res.text()
  let body: Record<string, unknown> = {}
  try {
    body = JSON.parse(text)
  } catch {
    body = { text: text.slice(0, 200) }
  }
  return { status: res.status, body }
}

/** Throws with what came back unless the status is the expected one. */
function expect (answer: Answer, status: number, what: string): Answer {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`)
  return answer
}

function pairOf (answer: Answer): Pair {
  const { access_token: access, refresh_token: refresh } = answer.body
  if (typeof access !== 'string' || typeof refresh !== 'string') throw new Error(`no token pair in ${JSON.stringify(answer.body)}`)
  return { access_token: access, refresh_token: refresh }
}

const id = randomBytes(5).toString('hex')
const user = { username: `smoke_${id}`, email: `smoke_${id}@example.com`, password: `Smoke-test-${randomBytes(9).toString('base64url')}` }
let first: Pair
let second: Pair

/** Each step returns what it saw; a failed step skips the rest, which depend on it. */
const steps: Array<[string, () => Promise<string>]> = [
  ['health', async () => {
    const { body } = expect(await call('GET', '/health'), 200, 'GET /health')
    if (body.status !== 'healthy') throw new Error(`status is ${String(body.status)}`)
    return `database ${String(body.database)}, redis ${String(body.redis)}`
  }],
  ['register', async () => {
    const { body } = expect(await call('POST', '/register', { body: user }), 201, 'POST /register')
    return `${user.username} is user ${String(body.user_id)}`
  }],
  ['login', async () => {
    first = pairOf(expect(await call('POST', '/login', { body: { username: user.username, password: user.password } }), 200, 'POST /login'))
    return 'got an access and a refresh token'
  }],
  ['protected', async () => {
    const { body } = expect(await call('GET', '/protected', { token: first.access_token }), 200, 'GET /protected')
    return String(body.message)
  }],
  ['refresh', async () => {
    second = pairOf(expect(await call('POST', '/refresh', { body: { refresh_token: first.refresh_token } }), 200, 'POST /refresh'))
    if (second.refresh_token === first.refresh_token) throw new Error('the refresh token was not rotated')
    expect(await call('GET', '/protected', { token: second.access_token }), 200, 'GET /protected with the new access token')
    return 'a new pair, and its access token works'
  }],
  ['old access token refused', async () => {
    expect(await call('GET', '/protected', { token: first.access_token }), 401, 'GET /protected with the access token the refresh replaced')
    return '401 after the refresh'
  }],
  ['logout', async () => {
    expect(await call('POST', '/logout', { token: second.access_token }), 200, 'POST /logout')
    return 'session revoked'
  }],
  ['revoked access token refused', async () => {
    const { body } = expect(await call('GET', '/protected', { token: second.access_token }), 401, 'GET /protected after logout')
    return `401 ${String(body.code)}`
  }],
  ['old refresh tokens refused', async () => {
    // After the logout, not right after the refresh: within REFRESH_REUSE_INTERVAL_SECONDS the
    // consumed token is answered with the same new pair again (a retried request), by design.
    for (const [name, token] of [['consumed', first.refresh_token], ['current', second.refresh_token]]) {
      expect(await call('POST', '/refresh', { body: { refresh_token: token } }), 401, `POST /refresh with the ${name} refresh token`)
    }
    return 'both 401 after logout'
  }]
]

console.log(`smoke test of ${base}`)
let passed = 0
let failed = 0
for (const [name, step] of steps) {
  if (failed > 0) {
    console.log(`SKIP  ${name}`)
    continue
  }
  const started = performance.now()
  try {
    const seen = await step()
    console.log(`PASS  ${name}: ${seen} (${Math.round(performance.now() - started)} ms)`)
    passed++
  } catch (err) {
    failed++
    const reason = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err)
    console.log(`FAIL  ${name}: ${reason}`)
  }
}
console.log(failed === 0 ? `smoke test passed: ${passed} of ${steps.length} steps` : `smoke test FAILED: ${passed} of ${steps.length} steps passed`)
process.exitCode = failed === 0 ? 0 : 1
