import { test } from 'tap'
import { assertAcceptablePassword, BCRYPT_MAX_BYTES, commonPasswords } from '../../lib/password-policy.js'

const account = { username: 'usuario_ejemplo', email: 'usuario@example.com' }
const codeOf = (fn: () => void) => {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code
  }
  return undefined
}

test('a long, uncommon password that is not the account name is accepted', async (t) => {
  t.equal(codeOf(() => assertAcceptablePassword('password', 'contraseña_segura', account)), undefined)
})

test('bcrypt\'s 72-byte limit counts bytes of UTF-8, not characters', async (t) => {
  t.equal(codeOf(() => assertAcceptablePassword('password', 'ñ'.repeat(BCRYPT_MAX_BYTES / 2), account)), undefined)
  t.equal(codeOf(() => assertAcceptablePassword('password', 'ñ'.repeat(BCRYPT_MAX_BYTES / 2 + 1), account)), 'PASSWORD_TOO_LONG')
})

test('the username or the email, in any case, is refused', async (t) => {
  t.equal(codeOf(() => assertAcceptablePassword('password', 'USUARIO_EJEMPLO', account)), 'PASSWORD_IS_ACCOUNT_NAME')
  t.equal(codeOf(() => assertAcceptablePassword('new_password', 'Usuario@Example.com', account)), 'PASSWORD_IS_ACCOUNT_NAME')
})

test('a common password is refused in any case, and the list is the one shipped', async (t) => {
  t.ok(commonPasswords.size > 17_000, 'the list was read')
  t.ok(commonPasswords.has('password1'))
  t.equal(codeOf(() => assertAcceptablePassword('password', 'PassWord1', account)), 'PASSWORD_TOO_COMMON')
})
