import { createHash, randomBytes } from 'node:crypto'

/** What a one-time token is for: a token of one purpose is worthless for another. */
export type TokenPurpose = 'password_reset' | 'verify_email' | 'change_email'

/** 256 random bits, base64url: 43 characters, beyond guessing for the lifetime of any token. */
export const TOKEN_PATTERN = '^[A-Za-z0-9_-]{43}$'

/** The SHA-256 of a token: all that is kept of it. A slow hash adds nothing to 256 random bits. */
export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest()

/** A fresh token, to be mailed, and its hash, to be stored. */
export function newToken (): { token: string, hash: Buffer } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

/** The link of a mail: the token in the URL fragment, which browsers never send to a server. */
export function linkTo (publicUrl: string, page: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/${page}#token=${token}`
}
