import type { Pool, PoolConnection } from 'mysql2/promise'
import { errors } from '../errors.js'
import { isDatabaseUnavailable } from '../database-unavailable.js'
import type { Locale } from '../mail/templates.js'
import type { OutgoingMail } from '../mail/outbox.js'
import type { SecretBox, Sealed } from './secret-box.js'
import { mfaStore, type TotpRow } from './store.js'
import { enrolmentOf, matchingStep, newTotpSecret } from './totp.js'
import { newRecoveryCodes, recoveryCodeHash } from './recovery-codes.js'

/** Who a factor belongs to, as the mails name them. */
export interface Account { id: number, username: string, email: string }

/** A second factor as a client presents it: one of the two. */
export type Proof = { code: string } | { recoveryCode: string }

export interface FactorsOptions {
  db: Pick<Pool, 'execute' | 'getConnection'>
  timeout: number
  /** Undefined while MFA_ENCRYPTION_KEY is unset: enrolment and TOTP codes answer 501. */
  box: SecretBox | undefined
  issuer: string
  mail: { enqueue(connection: PoolConnection, mail: OutgoingMail): Promise<void>, wake(): void }
}

/** What a TOTP secret is sealed with besides the key: its owner, so it opens in its own row only. */
export const totpContext = (userId: number) => `totp:${userId}`

/** Turns "the database cannot serve this now" into a 503; anything else stays a bug. */
function unavailable (err: unknown): never {
  if (isDatabaseUnavailable(err)) throw new errors.DatabaseUnavailable({ cause: err })
  throw err
}

/**
 * TOTP factors and recovery codes: enrolment, proof checks that accept each code once, and the
 * changes that mail the user (written with the change, in one transaction).
 */
export function mfaFactors (options: FactorsOptions) {
  const { db, box, issuer, mail } = options
  const store = mfaStore(db, options.timeout)
  const context = totpContext

  function sealer (): SecretBox {
    if (box === undefined) throw new errors.MfaNotConfigured()
    return box
  }

  function secretOf (userId: number, row: Sealed): string {
    try {
      return sealer().open(row, context(userId))
    } catch (err) {
      if (err instanceof errors.MfaNotConfigured) throw err
      throw new errors.MfaKeyUnavailable({ cause: err })
    }
  }

  /** Runs `work` in a transaction; the mails it wrote go out once it is committed. */
  async function changing<T> (work: (connection: PoolConnection) => Promise<T>): Promise<T> {
    const connection = await db.getConnection().catch(unavailable)
    try {
      await connection.beginTransaction()
      const result = await work(connection)
      await connection.commit()
      mail.wake()
      return result
    } catch (err) {
      await connection.rollback().catch(() => {})
      return unavailable(err)
    } finally {
      connection.release()
    }
  }

  const notice = (connection: PoolConnection, account: Account, locale: Locale, template: 'mfa_enabled' | 'mfa_disabled' | 'mfa_recovery_codes_regenerated') =>
    mail.enqueue(connection, { to: account.email, template, locale, params: { username: account.username } })

  async function newCodes (connection: PoolConnection, userId: number): Promise<string[]> {
    const codes = newRecoveryCodes()
    await store.replaceRecoveryCodes(connection, userId, codes.map(recoveryCodeHash))
    return codes
  }

  const enabledTotp = async (userId: number): Promise<TotpRow | undefined> => {
    const row = await store.totp(userId).catch(unavailable)
    return row?.enabled === true ? row : undefined
  }

  return {
    /** Whether second factors can be enrolled and TOTP codes checked (MFA_ENCRYPTION_KEY is set). */
    configured: box !== undefined,

    state: (userId: number) => store.state(userId).catch(unavailable),

    async isEnabled (userId: number): Promise<boolean> {
      return await enabledTotp(userId) !== undefined
    },

    /** A new secret waiting for its first code; what an authenticator app needs to add it. */
    async startEnrolment (account: Account) {
      const secret = newTotpSecret()
      const started = await store.startEnrolment(account.id, sealer().seal(secret, context(account.id))).catch(unavailable)
      if (!started) throw new errors.MfaAlreadyEnabled()
      const { uri, qrCode } = await enrolmentOf(secret, issuer, account.username)
      return { secret, otpauth_uri: uri, qr_code: qrCode }
    },

    /**
     * Turns the waiting enrolment on with its first code: the recovery codes, shown this once;
     * undefined for a wrong code.
     */
    async confirmEnrolment (account: Account, code: string, locale: Locale, now = Date.now()): Promise<string[] | undefined> {
      const row = await store.totp(account.id).catch(unavailable)
      if (row?.enabled === true) throw new errors.MfaAlreadyEnabled()
      if (row === undefined) throw new errors.MfaEnrolmentMissing()
      const step = matchingStep(secretOf(account.id, row), code, now)
      if (step === undefined) return undefined
      return await changing(async (connection) => {
        // The enrolment read above, unless a racing request restarted or confirmed it meanwhile
        if (!await store.enable(connection, account.id, row, step)) throw new errors.MfaEnrolmentMissing()
        const codes = await newCodes(connection, account.id)
        await notice(connection, account, locale, 'mfa_enabled')
        return codes
      })
    },

    /**
     * Checks a second factor of an account with TOTP on; each code works once (a TOTP code's time
     * step, or a recovery code, is marked used by one conditional update). False when it fails.
     */
    async verify (account: Account, proof: Proof, locale: Locale, now = Date.now()): Promise<boolean> {
      if ('recoveryCode' in proof) {
        return await changing(async (connection) => {
          if (!await store.useRecoveryCode(connection, account.id, recoveryCodeHash(proof.recoveryCode))) return false
          const { recoveryCodesLeft } = await store.state(account.id, connection)
          await mail.enqueue(connection, { to: account.email, template: 'mfa_recovery_code_used', locale, params: { username: account.username, codes_left: recoveryCodesLeft } })
          return true
        })
      }
      const row = await enabledTotp(account.id)
      if (row === undefined) return false
      const step = matchingStep(secretOf(account.id, row), proof.code, now)
      return step !== undefined && await store.useStep(account.id, step).catch(unavailable)
    },

    /** A new set of recovery codes; the previous set stops working. */
    async regenerateRecoveryCodes (account: Account, locale: Locale): Promise<string[]> {
      if (await enabledTotp(account.id) === undefined) throw new errors.MfaNotEnabled()
      return await changing(async (connection) => {
        const codes = await newCodes(connection, account.id)
        await notice(connection, account, locale, 'mfa_recovery_codes_regenerated')
        return codes
      })
    },

    /** Removes the account's TOTP factor and its recovery codes. */
    async disable (account: Account, locale: Locale): Promise<void> {
      await changing(async (connection) => {
        if (!await store.disable(connection, account.id)) throw new errors.MfaNotEnabled()
        await notice(connection, account, locale, 'mfa_disabled')
      })
    }
  }
}
