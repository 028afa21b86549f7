import { errors } from '../errors.js'
import type { Proof } from './factors.js'

/** The one second factor a body gives (`code` or `recovery_code`); 400 for none or both. */
export function proofOf (body: { code?: string, recovery_code?: string }): Proof {
  if (body.code !== undefined && body.recovery_code === undefined) return { code: body.code }
  if (body.recovery_code !== undefined && body.code === undefined) return { recoveryCode: body.recovery_code }
  throw new errors.MfaOneCode()
}
