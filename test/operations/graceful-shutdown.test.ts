import { test } from 'tap'
import { Agent, request } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { testConfig, cleanUp, newUser } from '../support/helper.js'
import { startService } from '../support/service-process.js'

type Outcome =
  | { kind: 'answered', status: number, body: Record<string, unknown> }
  /** The connection was never opened: nothing reached the server, a balancer retries elsewhere. */
  | { kind: 'refused' }
  /** Sent, but the answer never came whole: what a graceful shutdown must never do. */
  | { kind: 'dropped', error: string }

/** One request over the given (keep-alive) agent; never rejects, says what became of it. */
function send (agent: Agent, url: string, path: string, init: { method?: string, token?: string, body?: object } = {}, retried = false): Promise<Outcome> {
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body)
  const headers: Record<string, string> = {}
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
  if (payload !== undefined) headers['content-type'] = 'application/json'
  return new Promise(resolve => {
    const req = request(`${url}${path}`, { agent, method: init.method ?? 'GET', headers }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('error', err => resolve({ kind: 'dropped', error: String(err) }))
      res.on('end', () => {
        if (!res.complete) return resolve({ kind: 'dropped', error: 'answer cut short' })
        try {
          resolve({ kind: 'answered', status: res.statusCode ?? 0, body: JSON.parse(text) })
        } catch {
          resolve({ kind: 'dropped', error: `not a whole JSON answer: ${text}` })
        }
      })
    })
    req.on('error', (err: NodeJS.ErrnoException) => {
      // An idle keep-alive connection that the server closes as the client reuses it: HTTP/1.1
      // has no way to announce that close, so a client retries once (RFC 9112
      // 9.3.1; Node's docs show this check). A reset of a fresh connection stays a drop.
      if (err.code === 'ECONNRESET' && req.reusedSocket && !retried) return resolve(send(agent, url, path, init, true))
      // Refused, or reset during the handshake (a connection still in the kernel's queue when the
      // listener closed): either way it never opened and no byte of the request left the client
      resolve(err.code === 'ECONNREFUSED' || err.syscall === 'connect' ? { kind: 'refused' } : { kind: 'dropped', error: `${err.code ?? ''} ${err.message} (${req.reusedSocket ? 'reused' : 'new'} connection${retried ? ', retried' : ''})` })
    })
    req.end(payload)
  })
}

test('SIGTERM under load: every request sent gets a whole answer, readiness turns 503, the process exits 0', async (t) => {
  const config = testConfig({ SHUTDOWN_DRAIN_SECONDS: 1 })
  t.teardown(() => cleanUp(config))
  const service = await startService(t, config)
  const agent = new Agent({ keepAlive: true, maxSockets: 16 })
  t.teardown(() => agent.destroy())

  const user = newUser('shutdown')
  const registered = await send(agent, service.url, '/register', { method: 'POST', body: user })
  t.equal(registered.kind === 'answered' && registered.status, 201)
  const credentials = { username: user.username, password: user.password }
  const loggedIn = await send(agent, service.url, '/login', { method: 'POST', body: credentials })
  const token = loggedIn.kind === 'answered' ? String(loggedIn.body.access_token) : ''

  // Twelve keep-alive clients, each sending up to 80 requests one after the other (token checks,
  // and every tenth a login, which takes a bcrypt compare); a client stops once connections are
  // refused, as a balancer would move on. SIGTERM goes out when a quarter of the stream is answered.
  const outcomes: Outcome[] = []
  let signalled = false
  let signal = () => {}
  const sigterm = new Promise<void>(resolve => { signal = resolve })
  let answeredAfterSignal = 0
  const client = async () => {
    for (let i = 0; i < 80; i++) {
      const outcome = i % 10 === 9
        ? await send(agent, service.url, '/login', { method: 'POST', body: credentials })
        : await send(agent, service.url, '/protected', { token })
      outcomes.push(outcome)
      if (outcome.kind === 'answered' && signalled) answeredAfterSignal++
      if (outcome.kind === 'refused') return
      if (!signalled && outcomes.length >= 240) {
        signalled = true
        service.process.kill('SIGTERM')
        signal()
      }
    }
  }
  const readiness = (async () => {
    await sigterm
    for (let i = 0; i < 100; i++) {
      const ready = await send(agent, service.url, '/health/ready')
      if (ready.kind !== 'answered' || ready.status === 503) return ready
      await sleep(20)
    }
    return undefined
  })()
  await Promise.all(Array.from({ length: 12 }, client))

  const tally = (kind: string) => outcomes.filter(outcome => outcome.kind === kind).length
  const closing = outcomes.filter(outcome => outcome.kind === 'answered' && outcome.status === 503).length
  t.comment(`${outcomes.length} sent: ${tally('answered')} answered (${closing} of them 503 while closing), ${tally('refused')} refused, ${tally('dropped')} dropped`)
  const dropped = outcomes.filter(outcome => outcome.kind === 'dropped')
  t.same(dropped, [], 'no request was dropped (no reset, no hang-up, no half answer)')
  const statuses = new Set(outcomes.flatMap(outcome => outcome.kind === 'answered' ? [outcome.status] : []))
  t.same([...statuses].filter(status => status !== 200 && status !== 503), [], 'each answer is a 200, or a 503 once the server closes')
  t.ok(answeredAfterSignal > 0, `requests kept being served after SIGTERM (${answeredAfterSignal})`)
  const ready = await readiness
  t.match(ready, { kind: 'answered', status: 503 }, 'readiness answers 503 once SIGTERM is received')
  t.equal(await service.exited, 0, `the process exits 0 ${service.stderr()}`)
})
