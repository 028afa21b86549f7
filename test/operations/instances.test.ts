import { test } from 'tap'
import { testConfig, cleanUp, newUser, type Tokens } from '../support/helper.js'
import { startService } from '../support/service-process.js'

interface Answer { status: number, body: Record<string, unknown> }

/** One HTTP request to a running instance; the JSON answer with its status. */
async function call (base: string, method: string, path: string, { token, body }: { token?: string, body?: object } = {}): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, body: await res.json() as Record<string, unknown> }
}

const tokensOf = (answer: Answer) => answer.body as unknown as Tokens

test('two service processes share one Redis and one database: what one does, the other sees at once', async (t) => {
  // One configuration (database, Redis prefix, signing secret) for both, as behind a load balancer.
  const config = testConfig({ REFRESH_REUSE_INTERVAL_SECONDS: 0 })
  t.teardown(() => cleanUp(config))
  const a = await startService(t, config)
  const b = await startService(t, config)
  const user = newUser('instances')
  t.equal((await call(a.url, 'POST', '/register', { body: user })).status, 201)
  const credentials = { username: user.username, password: user.password }
  const login = async (base: string) => tokensOf(await call(base, 'POST', '/login', { body: credentials }))

  t.test('login on A, use on B, logout on B: A rejects the token on the very next request', async (t) => {
    const tokens = await login(a.url)
    t.equal((await call(b.url, 'GET', '/protected', { token: tokens.access_token })).status, 200, 'B accepts a token A issued')
    t.equal((await call(b.url, 'POST', '/logout', { token: tokens.access_token })).status, 200)

    const onA = await call(a.url, 'GET', '/protected', { token: tokens.access_token })
    t.equal(onA.status, 401)
    t.equal(onA.body.code, 'TOKEN_REVOKED')
    t.equal((await call(a.url, 'POST', '/refresh', { body: { refresh_token: tokens.refresh_token } })).status, 401, 'and its refresh token')
  })

  t.test('rotation on A, reuse of the old refresh token on B: the session dies on both', async (t) => {
    const first = await login(b.url)
    const rotated = await call(a.url, 'POST', '/refresh', { body: { refresh_token: first.refresh_token } })
    t.equal(rotated.status, 200)
    const next = tokensOf(rotated)
    t.equal((await call(b.url, 'GET', '/protected', { token: first.access_token })).status, 401, 'B sees the rotation: the old access token is revoked')
    t.equal((await call(b.url, 'GET', '/protected', { token: next.access_token })).status, 200)

    const reuse = await call(b.url, 'POST', '/refresh', { body: { refresh_token: first.refresh_token } })
    t.equal(reuse.status, 401)
    t.equal(reuse.body.code, 'REFRESH_TOKEN_REUSED')
    for (const [name, base] of [['A', a.url], ['B', b.url]]) {
      t.equal((await call(base, 'GET', '/protected', { token: next.access_token })).status, 401, `${name} rejects the session's current access token`)
      t.equal((await call(base, 'POST', '/refresh', { body: { refresh_token: next.refresh_token } })).status, 401, `${name} rejects its current refresh token`)
    }
  })

  t.test('a session revoked on B (DELETE /sessions/:id) is rejected on A; logout everywhere on A reaches B', async (t) => {
    const kept = await login(a.url)
    const revoked = await login(a.url)
    const listed = await call(b.url, 'GET', '/sessions', { token: kept.access_token })
    t.equal(listed.status, 200)
    const sessions = listed.body.sessions as Array<{ id: string, current: boolean }>
    const other = sessions.filter(session => !session.current)
    t.equal(other.length, 1, 'B lists both sessions made on A')

    t.equal((await call(b.url, 'DELETE', `/sessions/${other[0].id}`, { token: kept.access_token })).status, 200)
    t.equal((await call(a.url, 'GET', '/protected', { token: revoked.access_token })).status, 401, 'A rejects the revoked session')
    t.equal((await call(a.url, 'POST', '/refresh', { body: { refresh_token: revoked.refresh_token } })).status, 401)
    t.equal((await call(a.url, 'GET', '/protected', { token: kept.access_token })).status, 200, 'the caller\'s own session lives on')

    t.equal((await call(a.url, 'POST', '/logout/all', { token: kept.access_token })).status, 200)
    t.equal((await call(b.url, 'GET', '/protected', { token: kept.access_token })).status, 401, 'B rejects it after logout everywhere on A')
  })
})
