import { readFileSync } from 'node:fs'
import { errors } from './errors.js'

/** bcrypt reads only the first 72 bytes of a password. */
export const BCRYPT_MAX_BYTES = 72

/**
 * data/common-passwords.txt: a header line naming its source and licence, then one password
 * per line. Read once; compared in lower case, so `Password1` counts as `password1`.
 */
function loadCommonPasswords (): Set<string> {
  const text = readFileSync(new URL('../data/common-passwords.txt', import.meta.url), 'utf8')
  const [, ...lines] = text.split('\n')
  return new Set(lines.filter(line => line !== '').map(line => line.normalize('NFC').toLowerCase()))
}

export const commonPasswords = loadCommonPasswords()

/**
 * Throws the 400 a new password earns (`field` names it in the message): longer than bcrypt
 * reads, the account's own username or email, or one of the most common passwords. Expects NFC.
 */
export function assertAcceptablePassword (field: string, password: string, account: { username: string, email: string }): void {
  if (Buffer.byteLength(password) > BCRYPT_MAX_BYTES) throw new errors.PasswordTooLong(field)
  const lower = password.toLowerCase()
  if (lower === account.username.toLowerCase() || lower === account.email.toLowerCase()) {
    throw new errors.PasswordIsAccountName(field)
  }
  if (commonPasswords.has(lower)) throw new errors.PasswordTooCommon(field)
}
