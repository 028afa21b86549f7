import { test } from 'tap'
import { randomBytes } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import { keyIdOf, parseKey, secretBox } from '../../lib/mfa/secret-box.js'
import { matchingStep, newTotpSecret, stepAt, enrolmentOf } from '../../lib/mfa/totp.js'
import { newRecoveryCodes, recoveryCodeHash, RECOVERY_CODE_COUNT } from '../../lib/mfa/recovery-codes.js'
import { loadConfig } from '../../lib/config.js'

const codeAt = (secret: string, timestamp: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp })

test('a code is accepted one step either side of now, and no further', async (t) => {
  const secret = newTotpSecret()
  const now = Date.UTC(2026, 0, 1, 12, 0, 10)
  const step = stepAt(now)
  t.equal(matchingStep(secret, codeAt(secret, now), now), step, 'this step')
  t.equal(matchingStep(secret, codeAt(secret, now - 30_000), now), step - 1, 'a phone 30 s behind')
  t.equal(matchingStep(secret, codeAt(secret, now + 30_000), now), step + 1, 'a phone 30 s ahead')
  t.equal(matchingStep(secret, codeAt(secret, now - 60_000), now), undefined, '60 s behind is refused')
  t.equal(matchingStep(secret, codeAt(secret, now + 60_000), now), undefined, '60 s ahead is refused')
  t.equal(matchingStep(newTotpSecret(), codeAt(secret, now), now), undefined, 'another secret\'s code is refused')
  t.equal(matchingStep(secret, '12345', now), undefined, 'five digits are refused')
})

test('the enrolment gives an otpauth URI of the standard parameters and an SVG QR code', async (t) => {
  const secret = newTotpSecret()
  t.match(secret, /^[A-Z2-7]{32}$/, '160 bits in base32')
  const { uri, qrCode } = await enrolmentOf(secret, 'jwt-microservice', 'ana')
  t.match(uri, /^otpauth:\/\/totp\/jwt-microservice:ana\?/)
  t.match(uri, `secret=${secret}`)
  t.match(uri, 'algorithm=SHA1')
  t.match(uri, 'digits=6')
  t.match(uri, 'period=30')
  t.match(Buffer.from(qrCode.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString(), /^<svg /)
})

test('recovery codes: ten distinct, readable, compared without case, spaces or dashes', async (t) => {
  const codes = newRecoveryCodes()
  t.equal(codes.length, RECOVERY_CODE_COUNT)
  t.equal(new Set(codes).size, RECOVERY_CODE_COUNT)
  for (const code of codes) t.match(code, /^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/)
  const [code] = codes
  t.same(recoveryCodeHash(code.toUpperCase().replace(/-/g, ' ')), recoveryCodeHash(code))
  t.notSame(recoveryCodeHash(codes[1]), recoveryCodeHash(code))
})

test('a sealed secret opens under its key and context only; a key ring opens older rows', async (t) => {
  const oldKey = randomBytes(32)
  const newKey = randomBytes(32)
  const sealed = secretBox(oldKey).seal('JBSWY3DPEHPK3PXP', 'totp:1')
  t.notOk(sealed.sealed.toString('latin1').includes('JBSWY3DPEHPK3PXP'), 'the secret is not readable at rest')
  t.equal(sealed.keyId, keyIdOf(oldKey))
  t.equal(secretBox(oldKey).open(sealed, 'totp:1'), 'JBSWY3DPEHPK3PXP')
  t.throws(() => secretBox(oldKey).open(sealed, 'totp:2'), 'moved to another user, it does not open')
  t.throws(() => secretBox(newKey).open(sealed, 'totp:1'), /no key/, 'without its key it does not open')
  const ring = secretBox(newKey, [oldKey])
  t.equal(ring.open(sealed, 'totp:1'), 'JBSWY3DPEHPK3PXP', 'the previous key still opens it')
  t.equal(ring.seal('x', 'totp:1').keyId, keyIdOf(newKey), 'new rows are sealed under the current key')
  const tampered = { ...sealed, sealed: Buffer.from(sealed.sealed) }
  tampered.sealed[tampered.sealed.length - 1] ^= 1
  t.throws(() => ring.open(tampered, 'totp:1'), 'altered bytes do not open')
})

test('MFA keys: 32 random bytes as hex or base64; anything else stops the start with one line', async (t) => {
  const key = randomBytes(32)
  t.same(parseKey(key.toString('hex')), key)
  t.same(parseKey(key.toString('base64')), key)
  t.same(parseKey(key.toString('base64url')), key)
  const settings = { JWT_SECRET_KEY: randomBytes(32).toString('hex') }
  t.doesNotThrow(() => loadConfig({ ...settings, MFA_ENCRYPTION_KEY: key.toString('base64') }))
  t.doesNotThrow(() => loadConfig(settings), 'unset is allowed: enrolment answers 501')
  const refused: Array<[Record<string, string>, RegExp]> = [
    [{ MFA_ENCRYPTION_KEY: 'short' }, /^Invalid configuration: MFA_ENCRYPTION_KEY must be 32 bytes/],
    [{ MFA_ENCRYPTION_KEY: randomBytes(16).toString('hex') }, /MFA_ENCRYPTION_KEY must be 32 bytes/],
    [{ MFA_ENCRYPTION_KEY: randomBytes(33).toString('base64') }, /MFA_ENCRYPTION_KEY must be 32 bytes/],
    [{ MFA_ENCRYPTION_KEY: 'a'.repeat(64) }, /MFA_ENCRYPTION_KEY is too regular/],
    [{ MFA_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') }, /MFA_ENCRYPTION_KEY is too regular/],
    [{ MFA_ENCRYPTION_KEY: key.toString('hex'), MFA_PREVIOUS_ENCRYPTION_KEYS: `${randomBytes(32).toString('hex')}, nope` }, /MFA_PREVIOUS_ENCRYPTION_KEYS entry must be 32 bytes/],
    [{ MFA_PREVIOUS_ENCRYPTION_KEYS: key.toString('hex') }, /MFA_PREVIOUS_ENCRYPTION_KEYS needs MFA_ENCRYPTION_KEY/]
  ]
  for (const [overrides, message] of refused) {
    t.throws(() => loadConfig({ ...settings, ...overrides }), message, JSON.stringify(Object.keys(overrides)))
    try {
      loadConfig({ ...settings, ...overrides })
    } catch (err) {
      t.notOk((err as Error).message.includes(overrides.MFA_ENCRYPTION_KEY ?? '\u0000'), 'the key is not repeated')
    }
  }
})
