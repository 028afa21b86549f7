import { test } from 'tap'
import { deviceTokens } from '../../lib/device-tokens.js'

const DAY = 86_400_000
const secret = Buffer.alloc(32, 1)

test('a device token names its device for its own account until it expires', async (t) => {
  const tokens = deviceTokens(secret, 30 * DAY)
  const now = Date.now()
  const token = tokens.issue(7, now)
  t.match(token, /^d1\.7\.[\w-]{16}\.\d+\.[\w-]{43}$/)
  const device = tokens.verify(token, 7, now)
  t.match(device, /^[\w-]{16}$/)
  t.equal(device, token.split('.')[2])
  t.not(tokens.verify(tokens.issue(7, now), 7, now), device, 'each login is a new device id')
  t.equal(tokens.verify(token, 7, now + 30 * DAY - 1000), device, 'valid until its expiry')
  t.equal(tokens.verify(token, 7, now + 30 * DAY + 1000), undefined, 'not after it')
  t.equal(tokens.verify(token, 8, now), undefined, 'not for another account')
})

test('a token not made with this key, or changed in any part, counts as none', async (t) => {
  const tokens = deviceTokens(secret, DAY)
  const token = tokens.issue(7)
  const [version, uid, device, expiry, mac] = token.split('.')
  const flip = (text: string) => (text[0] === 'A' ? 'B' : 'A') + text.slice(1)
  for (const [what, changed] of [
    ['another key', deviceTokens(Buffer.alloc(32, 2), DAY).issue(7)],
    ['its account', [version, '8', device, expiry, mac].join('.')],
    ['its device', [version, uid, flip(device), expiry, mac].join('.')],
    ['its expiry', [version, uid, device, String(Number(expiry) + 86_400), mac].join('.')],
    ['its signature', [version, uid, device, expiry, flip(mac)].join('.')],
    ['a shortened signature', [version, uid, device, expiry, mac.slice(1)].join('.')],
    ['another version', ['d2', uid, device, expiry, mac].join('.')],
    ['no token', undefined],
    ['garbage', 'garbage']
  ] as const) t.equal(tokens.verify(changed, what === 'its account' ? 8 : 7), undefined, what)
})
