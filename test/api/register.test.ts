import { test } from 'tap'
import { build, newUser, register } from '../support/helper.js'

test('a new user is registered with the seed\'s answer', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/register', payload: newUser() })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { message: 'User registered successfully', user_id: Number })
})

test('usernames and emails are unique regardless of case', async (t) => {
  const app = await build(t)
  const user = await register(app)

  const sameName = await app.inject({
    method: 'POST', url: '/register', payload: { ...newUser(), username: user.username.toUpperCase() }
  })
  t.equal(sameName.statusCode, 409)
  t.match(sameName.json(), { statusCode: 409, code: 'USERNAME_TAKEN' })

  const sameEmail = await app.inject({
    method: 'POST', url: '/register', payload: { ...newUser(), email: user.email.toUpperCase() }
  })
  t.equal(sameEmail.statusCode, 409)
  t.match(sameEmail.json(), { statusCode: 409, code: 'EMAIL_TAKEN' })
})

test('invalid registrations get a 400 naming the problem', async (t) => {
  const app = await build(t)
  const valid = newUser()
  const cases: Array<[string, unknown, RegExp]> = [
    ['missing password', { username: valid.username, email: valid.email }, /password/],
    ['bad email', { ...valid, email: 'not-an-email' }, /email/],
    ['short username', { ...valid, username: 'ab' }, /username/],
    ['username with spaces', { ...valid, username: 'a b c' }, /username/],
    ['short password', { ...valid, password: 'short' }, /password/],
    ['password over 72 bytes', { ...valid, password: 'ñ'.repeat(40) }, /72 bytes/],
    ['number as username', { ...valid, username: 12345 }, /username/],
    ['unknown field', { ...valid, admin: true }, /field that is not accepted/]
  ]
  for (const [name, payload, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/register', payload: payload as object })
    t.equal(res.statusCode, 400, name)
    t.match(res.json(), { statusCode: 400, error: 'Bad Request', message }, name)
  }
})

test('malformed JSON is a 400 and a wrong content type a 4xx, never a 500', async (t) => {
  const app = await build(t)
  const malformed = await app.inject({
    method: 'POST', url: '/register', headers: { 'content-type': 'application/json' }, payload: '{"username": "x",'
  })
  t.equal(malformed.statusCode, 400)
  t.match(malformed.json(), { statusCode: 400, error: 'Bad Request' })

  const text = await app.inject({
    method: 'POST', url: '/register', headers: { 'content-type': 'text/plain' }, payload: 'hello'
  })
  t.ok(text.statusCode >= 400 && text.statusCode < 500, `got ${text.statusCode}`)
  t.match(text.json(), { statusCode: text.statusCode, error: String })
})
