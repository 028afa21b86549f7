import type { FastifyInstance } from 'fastify'
import { randomBytes } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import { loginAsNewUser, type Tokens } from './helper.js'

/** A fresh MFA_ENCRYPTION_KEY (32 random bytes, base64), as an operator makes one. */
export const newMfaKey = () => randomBytes(32).toString('base64')

/** The settings of an app with second factors available. */
export const mfaSettings = () => ({ MFA_ENCRYPTION_KEY: newMfaKey() })

/** The code an authenticator app shows at `timestamp` (ms), computed with otpauth's own step maths. */
export const codeAt = (secret: string, timestamp: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp })

/** The time step of `timestamp`, and the code of a given step. */
export const stepOf = (timestamp: number) => TOTP.counter({ timestamp })
export const codeOfStep = (secret: string, step: number) => codeAt(secret, step * 30_000 + 1)

export const bearer = (tokens: { access_token: string }) => ({ authorization: `Bearer ${tokens.access_token}` })

/** The claims of a token, unverified (the tests only read them). */
export const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>

/**
 * A new user who turned TOTP on with the code of the current step, `step`: that step is used,
 * `step + 1` is the next code a test can use within the ±1 skew (even if a step passes meanwhile).
 */
export async function enrolledUser (app: FastifyInstance) {
  const { user, tokens } = await loginAsNewUser(app)
  const enrol = await app.inject({ method: 'POST', url: '/mfa/totp', headers: bearer(tokens), payload: { current_password: user.password } })
  if (enrol.statusCode !== 200) throw new Error(`enrolment failed: ${enrol.statusCode} ${enrol.body}`)
  const { secret } = enrol.json<{ secret: string }>()
  const step = stepOf(Date.now())
  const confirm = await app.inject({ method: 'POST', url: '/mfa/totp/confirm', headers: bearer(tokens), payload: { code: codeOfStep(secret, step) } })
  if (confirm.statusCode !== 200) throw new Error(`confirmation failed: ${confirm.statusCode} ${confirm.body}`)
  const confirmed = confirm.json<Tokens & { recovery_codes: string[] }>()
  return { user, secret, step, recoveryCodes: confirmed.recovery_codes, tokens: { access_token: confirmed.access_token, refresh_token: confirmed.refresh_token } }
}

/** The first step of a login; the answer's JSON. */
export async function firstStep (app: FastifyInstance, user: { username: string, password: string }, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'POST', url: '/login', headers, payload: { username: user.username, password: user.password } })
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`)
  return res.json<{ mfa_required?: true, mfa_token: string, methods: string[] }>()
}

export function secondStep (app: FastifyInstance, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/login/mfa', headers, payload })
}
