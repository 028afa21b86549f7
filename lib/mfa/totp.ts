import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. */
export const PERIOD_SECONDS = 30
const DIGITS = 6
/** One step either side: a phone clock up to about 30 s off, or a code typed as it turned. */
export const SKEW_STEPS = 1
/** 160 bits, RFC 4226's recommended secret length. */
const SECRET_BYTES = 20

const totpOf = (secret: string, label = '', issuer = '') =>
  new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) })

/** A new random secret, in base32 as authenticator apps take it. */
export const newTotpSecret = () => new Secret({ size: SECRET_BYTES }).base32

/** What an authenticator app needs to add the account: the `otpauth://` URI and its QR code (SVG data URL). */
export async function enrolmentOf (secret: string, issuer: string, accountName: string) {
  const uri = totpOf(secret, accountName, issuer).toString()
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  return { uri, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` }
}

/** The time step (counter) that `now` falls in. */
export const stepAt = (now: number) => TOTP.counter({ period: PERIOD_SECONDS, timestamp: now })

/**
 * The time step whose code `code` is, within ±SKEW_STEPS of `now`, or undefined when it is none.
 * Whether that step was already used is the caller's question (lib/mfa/store.ts).
 */
export function matchingStep (secret: string, code: string, now: number): number | undefined {
  const delta = totpOf(secret).validate({ token: code, timestamp: now, window: SKEW_STEPS })
  return delta === null ? undefined : stepAt(now) + delta
}
