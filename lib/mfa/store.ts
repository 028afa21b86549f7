import type { ExecuteValues, Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise'
import type { Sealed } from './secret-box.js'

export interface TotpRow {
  keyId: string
  sealed: Buffer
  enabled: boolean
  lastStep: number | null
}

export interface FactorState {
  totp: 'enabled' | 'pending' | 'none'
  recoveryCodesLeft: number
}

type Db = Pick<Pool, 'execute'> | PoolConnection

/**
 * The MFA tables (sql/migrations/006_mfa.sql). Every "use once" is one conditional UPDATE, so of
 * two requests presenting the same code at once exactly one changes the row and wins.
 */
export function mfaStore (db: Pick<Pool, 'execute'>, timeout: number) {
  const affected = async (on: Db, sql: string, values: ExecuteValues[]) => {
    const [result] = await on.execute<ResultSetHeader>({ sql, timeout }, values)
    return result.affectedRows
  }

  return {
    async totp (userId: number): Promise<TotpRow | undefined> {
      const [rows] = await db.execute<RowDataPacket[]>({
        sql: 'SELECT key_id, sealed_secret, enabled_at, last_step FROM mfa_totp WHERE user_id = ?',
        timeout
      }, [userId])
      const row = rows[0]
      if (row === undefined) return undefined
      return { keyId: row.key_id, sealed: row.sealed_secret, enabled: row.enabled_at !== null, lastStep: row.last_step === null ? null : Number(row.last_step) }
    },

    async state (userId: number, on: Db = db): Promise<FactorState> {
      const [rows] = await on.execute<RowDataPacket[]>({
        sql: `SELECT t.enabled_at, (SELECT COUNT(*) FROM mfa_recovery_codes r WHERE r.user_id = t.user_id AND r.used_at IS NULL) AS codes_left
              FROM mfa_totp t WHERE t.user_id = ?`,
        timeout
      }, [userId])
      const row = rows[0]
      if (row === undefined) return { totp: 'none', recoveryCodesLeft: 0 }
      return { totp: row.enabled_at === null ? 'pending' : 'enabled', recoveryCodesLeft: row.enabled_at === null ? 0 : Number(row.codes_left) }
    },

    /** Starts (or restarts) an enrolment with a new secret; false when the user already has TOTP on. */
    async startEnrolment (userId: number, secret: Sealed): Promise<boolean> {
      const restarted = await affected(db, 'UPDATE mfa_totp SET key_id = ?, sealed_secret = ?, created_at = NOW(3) WHERE user_id = ? AND enabled_at IS NULL',
        [secret.keyId, secret.sealed, userId])
      if (restarted > 0) return true
      return await affected(db, 'INSERT IGNORE INTO mfa_totp (user_id, key_id, sealed_secret) VALUES (?, ?, ?)', [userId, secret.keyId, secret.sealed]) > 0
    },

    /**
     * Turns the enrolment whose secret was read as `secret` on, with `step` as its first used
     * step; false when it changed meanwhile (restarted, confirmed by a racing request).
     */
    async enable (connection: PoolConnection, userId: number, secret: Sealed, step: number): Promise<boolean> {
      return await affected(connection, `UPDATE mfa_totp SET enabled_at = NOW(3), last_step = ?
        WHERE user_id = ? AND enabled_at IS NULL AND key_id = ? AND sealed_secret = ?`, [step, userId, secret.keyId, secret.sealed]) === 1
    },

    /** Marks `step` used if it is newer than every step used before; false for a replay. */
    async useStep (userId: number, step: number): Promise<boolean> {
      return await affected(db, `UPDATE mfa_totp SET last_step = ?
        WHERE user_id = ? AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < ?)`, [step, userId, step]) === 1
    },

    /** Marks an unused recovery code of an enabled factor used; false when there is none such. */
    async useRecoveryCode (connection: PoolConnection, userId: number, hash: Buffer): Promise<boolean> {
      return await affected(connection, `UPDATE mfa_recovery_codes r JOIN mfa_totp t ON t.user_id = r.user_id AND t.enabled_at IS NOT NULL
        SET r.used_at = NOW(3) WHERE r.user_id = ? AND r.code_hash = ? AND r.used_at IS NULL`, [userId, hash]) === 1
    },

    /** Replaces the user's recovery codes (the old set stops working). */
    async replaceRecoveryCodes (connection: PoolConnection, userId: number, hashes: Buffer[]) {
      await affected(connection, 'DELETE FROM mfa_recovery_codes WHERE user_id = ?', [userId])
      await affected(connection, `INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ${hashes.map(() => '(?, ?)').join(', ')}`,
        hashes.flatMap(hash => [userId, hash]))
    },

    /** Removes the user's TOTP factor and recovery codes; false when it was not on. */
    async disable (connection: PoolConnection, userId: number): Promise<boolean> {
      const removed = await affected(connection, 'DELETE FROM mfa_totp WHERE user_id = ? AND enabled_at IS NOT NULL', [userId])
      await affected(connection, 'DELETE FROM mfa_recovery_codes WHERE user_id = ?', [userId])
      return removed === 1
    },

    /** Rows sealed under another key than `keyId` (key rotation, scripts/mfa-rekey.ts). */
    async sealedUnderOtherKeys (keyId: string): Promise<Array<{ userId: number } & Sealed>> {
      const [rows] = await db.execute<RowDataPacket[]>({ sql: 'SELECT user_id, key_id, sealed_secret FROM mfa_totp WHERE key_id <> ?', timeout }, [keyId])
      return rows.map(row => ({ userId: Number(row.user_id), keyId: row.key_id, sealed: row.sealed_secret }))
    },

    /** Replaces a sealed secret if it is still `previous`. */
    async reseal (userId: number, previous: Sealed, next: Sealed): Promise<boolean> {
      return await affected(db, 'UPDATE mfa_totp SET key_id = ?, sealed_secret = ? WHERE user_id = ? AND key_id = ? AND sealed_secret = ?',
        [next.keyId, next.sealed, userId, previous.keyId, previous.sealed]) === 1
    }
  }
}
