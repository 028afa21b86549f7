import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, register } from '../support/helper.js'

const limits = { RATE_LIMIT_ENABLED: true, LOGIN_RATE_LIMIT_IP_MAX: 1000, LOGIN_RATE_LIMIT_USERNAME_MAX: 3, LOGIN_RATE_LIMIT_DEVICE_MAX: 2 }
const ATTACKER = '203.0.113.66'
const OWNER = '198.51.100.20'

function loginFrom (app: FastifyInstance, ip: string, body: { username: string, password: string, device_token?: string }) {
  const { username, password, device_token: deviceToken } = body
  return app.inject({ method: 'POST', url: '/login', remoteAddress: ip, payload: deviceToken === undefined ? { username, password } : { username, password, device_token: deviceToken } })
}

test('others\' failed logins do not lock out the owner\'s known device; a client without one stays limited', async (t) => {
  const app = await build(t, limits)
  const owner = await register(app)
  const first = await loginFrom(app, OWNER, owner)
  t.equal(first.statusCode, 200)
  const { device_token: deviceToken } = first.json()
  t.match(deviceToken, /^d1\.\d+\.[\w-]{16}\.\d+\.[\w-]{43}$/, 'a successful login returns a device token')

  const attacker = []
  for (let i = 0; i < 5; i++) attacker.push((await loginFrom(app, ATTACKER, { username: owner.username, password: `guess-${i}` })).statusCode)
  t.same(attacker, [401, 401, 429, 429, 429], 'the attacker is limited per account (the owner\'s login counted too)')
  t.equal((await loginFrom(app, OWNER, owner)).statusCode, 429, 'without its device token, the owner is limited like anyone')
  t.equal((await loginFrom(app, ATTACKER, { ...owner, password: 'guess-again', device_token: deviceToken })).statusCode, 401,
    'a copied device token does not help guessing beyond its own small budget')

  const withDevice = await loginFrom(app, OWNER, { ...owner, device_token: deviceToken })
  t.equal(withDevice.statusCode, 200, 'the owner\'s device gets in while the account is at its limit')
  t.match(withDevice.json(), { message: 'Login successful', access_token: String, device_token: /^d1\./ })
  t.not(withDevice.json().device_token, deviceToken, 'and gets a new device token')
  t.equal((await loginFrom(app, ATTACKER, { username: owner.username, password: 'guess-5' })).statusCode, 429, 'the account stays limited for others')
})

test('a device token that fails too often is locked itself; it never opens another account', async (t) => {
  const app = await build(t, limits)
  const owner = await register(app)
  const other = await register(app)
  const deviceToken = (await loginFrom(app, OWNER, owner)).json().device_token

  t.equal((await loginFrom(app, ATTACKER, { ...owner, password: 'guess-1', device_token: deviceToken })).statusCode, 401)
  t.equal((await loginFrom(app, ATTACKER, { ...owner, password: 'guess-2', device_token: deviceToken })).statusCode, 401)
  const locked = await loginFrom(app, OWNER, { ...owner, device_token: deviceToken })
  t.equal(locked.statusCode, 429, 'its budget is spent: even the right password waits')
  t.match(locked.json(), { code: 'RATE_LIMITED' })
  t.equal((await loginFrom(app, OWNER, owner)).statusCode, 200, 'the account itself was not charged for those failures')

  for (let i = 0; i < 3; i++) await loginFrom(app, ATTACKER, { username: other.username, password: `guess-${i}` })
  const foreign = await loginFrom(app, OWNER, { ...other, device_token: deviceToken })
  t.equal(foreign.statusCode, 429, 'another account\'s device token counts as none: that account\'s limit applies')
})

test('a malformed device token is a 400 naming the field; a forged one counts as none', async (t) => {
  const app = await build(t, limits)
  const owner = await register(app)
  const deviceToken: string = (await loginFrom(app, OWNER, owner)).json().device_token
  const malformed = await loginFrom(app, OWNER, { ...owner, device_token: 'garbage<script>' })
  t.equal(malformed.statusCode, 400)
  t.match(malformed.json(), { code: 'FST_ERR_VALIDATION', message: /device_token/ })
  t.notMatch(malformed.body, /garbage/, 'the answer does not echo it')

  for (let i = 0; i < 3; i++) await loginFrom(app, ATTACKER, { username: owner.username, password: `guess-${i}` })
  const forged = deviceToken.slice(0, -1) + (deviceToken.endsWith('A') ? 'B' : 'A')
  t.equal((await loginFrom(app, OWNER, { ...owner, device_token: forged })).statusCode, 429, 'a forged token gets no budget of its own')
  t.equal((await loginFrom(app, OWNER, { ...owner, device_token: deviceToken })).statusCode, 200)
})
