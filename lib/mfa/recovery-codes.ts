import { createHash, randomInt } from 'node:crypto'

export const RECOVERY_CODE_COUNT = 10
/** No 0/o, 1/l/i: a code copied from paper is typed back right. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
const GROUPS = 4
const GROUP_LENGTH = 4

/**
 * Ten new one-time codes such as `k7qm-2xwd-9hfa-pt3n`: 16 characters of a 31-letter alphabet,
 * about 79 bits each. At that entropy a plain SHA-256 at rest is enough: nothing short of
 * trying 2^78 codes per stored hash finds one, so a slow password hash would buy nothing.
 */
export function newRecoveryCodes (): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    Array.from({ length: GROUPS }, () =>
      Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')).join('-'))
}

/** The stored form of a code as typed: case, spaces and dashes do not matter. */
export function recoveryCodeHash (typed: string): Buffer {
  return createHash('sha256').update(typed.toLowerCase().replace(/[\s-]/g, '')).digest()
}
