import { test } from 'tap'
import { randomBytes } from 'node:crypto'
import bcrypt from 'bcryptjs'
import { buildLogged, login, register, newUser } from '../support/helper.js'

const GENERIC_500 = { statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' }
const hash = bcrypt.hashSync('some-password', 4)
const token = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`

/** What must never reach a client: a stack frame, SQL, a bcrypt hash, a token, a table name. */
function leaks (body: string): string[] {
  const patterns: Array<[string, RegExp]> = [
    ['stack', /\n\s+at |\.ts:\d+|node_modules/],
    ['SQL', /SELECT|INSERT|UPDATE|FROM users|ER_[A-Z_]+|sqlMessage/i],
    ['bcrypt hash', /\$2[aby]\$\d\d\$/],
    ['token', /eyJ[\w-]+\.[\w-]+\.[\w-]+/],
    ['table', /users_gone|jwt_test_/]
  ]
  return patterns.filter(([, pattern]) => pattern.test(body)).map(([name]) => name)
}

test('an unexpected error answers a bare 500; its message and stack go to the log only', async (t) => {
  const { app, lines } = await buildLogged(t, 'error', (server) => {
    server.get('/boom', async () => {
      const err = new Error(`ER_PARSE_ERROR near 'SELECT password_hash FROM users WHERE username = ?' (hash ${hash}, token ${token})`)
      throw Object.assign(err, { code: 'ER_PARSE_ERROR', sql: 'SELECT password_hash FROM users', sqlMessage: 'syntax' })
    })
  })
  const res = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'boom-1' } })
  t.equal(res.statusCode, 500)
  t.same(res.json(), GENERIC_500, 'no code, no detail')
  t.same(leaks(res.body), [], 'nothing sensitive in the body')
  t.same(leaks(JSON.stringify(res.headers)), [], 'nor in the headers')

  const logged = lines.find(line => line.reqId === 'boom-1' && line.level === 50)
  t.ok(logged, 'the failure is logged at error level with the request id')
  t.match(logged, { err: { type: 'Error', code: 'ER_PARSE_ERROR', message: /SELECT password_hash/, stack: /at / } }, 'with its detail')
})

test('a real database failure (a table gone) answers a bare 500 on every route that needs it', async (t) => {
  const { app, lines } = await buildLogged(t, 'error')
  const user = await register(app)
  const { access_token: access } = await login(app, user)
  await app.mysql.query('RENAME TABLE users TO users_gone')

  const answers = {
    login: await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } }),
    register: await app.inject({ method: 'POST', url: '/register', payload: newUser() }),
    me: await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${access}` } })
  }
  for (const [name, res] of Object.entries(answers)) {
    t.equal(res.statusCode, 500, name)
    t.same(res.json(), GENERIC_500, name)
    t.same(leaks(res.body), [], `${name}: nothing sensitive in the body`)
  }
  const failures = lines.filter(line => line.level === 50 && typeof line.err === 'object')
  t.equal(failures.length, 3, 'each failure is logged')
  t.ok(failures.every(line => JSON.stringify(line.err).includes('users')), 'naming the missing table')
  t.ok(failures.some(line => /SELECT/.test(JSON.stringify(line.err))), 'and the failing SQL')
})
