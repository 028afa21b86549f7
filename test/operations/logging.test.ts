import { test } from 'tap'
import { buildLogged, newUser } from '../support/helper.js'

test('info logging: one line per request, with its id, and never a password or token', async (t) => {
  const { app: server, lines } = await buildLogged(t, 'info')
  lines.length = 0

  const user = newUser()
  const post = (url: string, payload: object, headers = {}) => server.inject({ method: 'POST', url, payload, headers })
  await post('/register', user)
  const { access_token: access, refresh_token: refresh } = (await post('/login', { username: user.username, password: user.password })).json()
  await post('/login', { username: user.username, password: 'wrong-password-1' })
  await server.inject({ method: 'GET', url: '/protected', headers: { authorization: `Bearer ${access}`, 'x-request-id': 'trace-me-42' } })
  await post('/refresh', { refresh_token: refresh })
  await post('/logout', {}, { authorization: `Bearer ${access}` })

  const requestLines = lines.filter(l => l.msg === 'request completed')
  t.equal(requestLines.length, 6, 'one line for each of the six requests')
  t.equal(lines.filter(l => 'reqId' in l).length, lines.filter(l => 'statusCode' in l).length)
  t.ok(requestLines.some(l => l.reqId === 'trace-me-42' && l.url === '/protected' && l.statusCode === 200), 'x-request-id is the request id')
  const text = JSON.stringify(lines)
  for (const secret of [user.password, 'wrong-password-1', access, refresh, access.split('.')[2]]) {
    t.notOk(text.includes(secret), 'a secret never reaches the log')
  }

  const child = server.log.child({ reqId: 'x' })
  child.info({ password: 'p', token: 't', body: { password: 'p' }, headers: { authorization: 'Bearer t' } }, 'careless')
  t.match(lines.at(-1), { password: '[redacted]', token: '[redacted]', body: '[redacted]', headers: { authorization: '[redacted]' } }, 'careless log calls are redacted too')
})

test('warn logging: a request that goes well writes nothing; what a request logs still carries its id', async (t) => {
  const { app: server, lines } = await buildLogged(t, 'warn', (s) => {
    s.get('/careful', async (request) => {
      request.log.info('below the level')
      request.log.warn({ password: 'p' }, 'careful')
      return {}
    })
    s.get('/chatty', { logLevel: 'info' }, async (request) => {
      request.log.info('chatty')
      return {}
    })
  })
  lines.length = 0

  t.equal((await server.inject({ method: 'GET', url: '/health/live' })).statusCode, 200)
  t.same(lines, [], 'nothing for a request that went well')

  await server.inject({ method: 'GET', url: '/careful', headers: { 'x-request-id': 'careful-1' } })
  t.equal(lines.length, 1, 'nothing below the level')
  t.match(lines[0], { reqId: 'careful-1', level: 40, msg: 'careful', password: '[redacted]' }, 'its warning, with its id, redacted')

  lines.length = 0
  await server.inject({ method: 'GET', url: '/chatty', headers: { 'x-request-id': 'chatty-1' } })
  t.equal(lines.length, 2)
  t.match(lines, [{ reqId: 'chatty-1', msg: 'chatty' }, { reqId: 'chatty-1', msg: 'request completed', statusCode: 200 }], 'a route with its own log level logs at it')
})
