import { test } from 'tap'
import { build, register } from '../support/helper.js'

test('a registered user logs in and gets the seed\'s token answer', async (t) => {
  const app = await build(t)
  const user = await register(app)
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: user.password } })
  t.equal(res.statusCode, 200)
  t.match(res.json(), {
    access_token: /^[\w-]+\.[\w-]+\.[\w-]+$/,
    refresh_token: /^[\w-]+\.[\w-]+\.[\w-]+$/,
    token_type: 'Bearer',
    expires_in: 900,
    message: 'Login successful'
  })
})

test('the username is matched regardless of case', async (t) => {
  const app = await build(t)
  const user = await register(app)
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username.toUpperCase(), password: user.password } })
  t.equal(res.statusCode, 200)
})

test('a wrong password and an unknown user get the same 401', async (t) => {
  const app = await build(t)
  const user = await register(app)
  const wrongPassword = await app.inject({ method: 'POST', url: '/login', payload: { username: user.username, password: 'not-the-password' } })
  const unknownUser = await app.inject({ method: 'POST', url: '/login', payload: { username: 'nobody_here', password: 'not-the-password' } })
  t.equal(wrongPassword.statusCode, 401)
  t.equal(unknownUser.statusCode, 401)
  t.same(wrongPassword.json(), unknownUser.json())
  t.same(wrongPassword.json(), { statusCode: 401, error: 'Unauthorized', message: 'Invalid username or password', code: 'INVALID_CREDENTIALS' })
  t.equal(wrongPassword.headers['www-authenticate'], unknownUser.headers['www-authenticate'])
})

test('an unknown user costs one bcrypt comparison, like a wrong password', async (t) => {
  const app = await build(t)
  const user = await register(app)
  const comparisonsDuring = async (username: string) => {
    const before = app.passwords.comparisons
    const res = await app.inject({ method: 'POST', url: '/login', payload: { username, password: 'not-the-password' } })
    t.equal(res.statusCode, 401, username)
    return app.passwords.comparisons - before
  }
  t.equal(await comparisonsDuring(user.username), 1, 'a wrong password is compared once')
  t.equal(await comparisonsDuring('nobody_at_all'), 1, 'an unknown user is compared once, against the dummy hash')
})

test('a login without a password is a 400', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username: 'someone' } })
  t.equal(res.statusCode, 400)
  t.match(res.json().message, /password/)
})
