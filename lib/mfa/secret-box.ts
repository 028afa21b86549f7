import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

const IV_BYTES = 12
const TAG_BYTES = 16
const KEY_BYTES = 32
/** A random 32-byte key has about 30 distinct byte values; fewer than this is a typed or repeated one. */
const MIN_DISTINCT_BYTES = 16

/**
 * Reads a 32-byte key written as 64 hex digits or as base64 / base64url (`openssl rand -base64 32`).
 * Throws with the reason (never the key) when it is not one, or looks typed rather than random.
 */
export function parseKey (text: string): Buffer {
  const trimmed = text.trim()
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined
  if (key?.length !== KEY_BYTES) throw new Error('must be 32 bytes written as 64 hex digits or as base64 (openssl rand -base64 32)')
  if (new Set(key).size < MIN_DISTINCT_BYTES) throw new Error('is too regular to be a random key (openssl rand -base64 32)')
  return key
}

/** A short public name of a key, stored with each row it sealed, so any key of the ring opens it. */
export const keyIdOf = (key: Buffer) => createHash('sha256').update('mfa-key-id\n').update(key).digest('hex').slice(0, 8)

export interface Sealed { keyId: string, sealed: Buffer }

/**
 * AES-256-GCM under a key ring: `current` seals, every key of the ring opens what it sealed.
 * `context` (the owner, e.g. `totp:42`) is authenticated with the text, so a sealed secret moved
 * to another user's row does not open there.
 */
export function secretBox (current: Buffer, previous: Buffer[] = []) {
  const ring = new Map([current, ...previous].map(key => [keyIdOf(key), key]))
  const currentId = keyIdOf(current)

  return {
    currentKeyId: currentId,

    seal (plain: string, context: string): Sealed {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', current, iv)
      cipher.setAAD(Buffer.from(context))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return { keyId: currentId, sealed: Buffer.concat([iv, cipher.getAuthTag(), body]) }
    },

    /** Throws when the key is not in the ring, or the bytes or their context were altered. */
    open ({ keyId, sealed }: Sealed, context: string): string {
      const key = ring.get(keyId)
      if (key === undefined) throw new Error(`no key ${keyId} in MFA_ENCRYPTION_KEY / MFA_PREVIOUS_ENCRYPTION_KEYS`)
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES))
      decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
      decipher.setAAD(Buffer.from(context))
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
    }
  }
}

export type SecretBox = ReturnType<typeof secretBox>
