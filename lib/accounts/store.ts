import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise'
import type { TokenPurpose } from './tokens.js'

/** The account of a live one-time token, as the flow that consumes it needs it. */
export interface TokenOwner {
  user_id: number
  purpose: TokenPurpose
  /** The address a verification token proves. */
  token_email: string | null
  username: string
  email: string
  locale: string | null
}

/**
 * The SQL of the account flows: the `account_tokens` table and the columns of `users` that
 * sql/migrations/005_accounts.sql added. Every write takes the caller's transaction.
 */
export function accountStore (db: Pick<Pool, 'execute' | 'getConnection'>, timeout: number) {
  return {
    /** Runs `work` in one transaction: its writes and mails happen together or not at all. */
    async transaction<T> (work: (connection: PoolConnection) => Promise<T>): Promise<T> {
      const connection = await db.getConnection()
      try {
        await connection.beginTransaction()
        const result = await work(connection)
        await connection.commit()
        return result
      } catch (err) {
        await connection.rollback().catch(() => {})
        throw err
      } finally {
        connection.release()
      }
    },

    /** Stores a new token of `purpose` for the user, and drops the older ones of that purpose. */
    async issue (connection: PoolConnection, token: { hash: Buffer, userId: number, purpose: TokenPurpose, email: string | null, ttlMinutes: number }) {
      await connection.execute({ sql: 'DELETE FROM account_tokens WHERE user_id = ? AND purpose = ?', timeout }, [token.userId, token.purpose])
      await connection.execute({
        sql: 'INSERT INTO account_tokens (token_hash, user_id, purpose, email, expires_at) VALUES (?, ?, ?, ?, NOW(3) + INTERVAL ? MINUTE)',
        timeout
      }, [token.hash, token.userId, token.purpose, token.email, token.ttlMinutes])
    },

    /**
     * The owner of a live token of one of `purposes`; with a connection, the row stays locked
     * until its transaction ends, so one token is consumed by one request only.
     */
    async owner (hash: Buffer, purposes: TokenPurpose[], connection?: PoolConnection): Promise<TokenOwner | undefined> {
      const [rows] = await (connection ?? db).execute<Array<TokenOwner & RowDataPacket>>({
        sql: `SELECT t.user_id, t.purpose, t.email AS token_email, u.username, u.email, u.locale
              FROM account_tokens t JOIN users u ON u.id = t.user_id
              WHERE t.token_hash = ? AND t.purpose IN (${purposes.map(() => '?').join(', ')}) AND t.expires_at > NOW(3)
              ${connection === undefined ? '' : 'FOR UPDATE'}`,
        timeout
      }, [hash, ...purposes])
      return rows[0]
    },

    /** Deletes the user's tokens (of `purposes`, or all); a used token goes with them. */
    async dropTokens (connection: PoolConnection, userId: number, purposes?: TokenPurpose[]) {
      const only = purposes === undefined ? '' : ` AND purpose IN (${purposes.map(() => '?').join(', ')})`
      await connection.execute({ sql: `DELETE FROM account_tokens WHERE user_id = ?${only}`, timeout }, [userId, ...(purposes ?? [])])
    },

    /** Sets the password and raises the credential epoch; returns the new epoch. */
    async setPassword (connection: PoolConnection, userId: number, passwordHash: string): Promise<number> {
      // A reset link reached the address: it is proven too. LAST_INSERT_ID(expr) returns the epoch.
      const [result] = await connection.execute<ResultSetHeader>({
        sql: `UPDATE users SET password_hash = ?, credential_epoch = LAST_INSERT_ID(credential_epoch + 1),
                email_verified_at = COALESCE(email_verified_at, NOW(3)) WHERE id = ?`,
        timeout
      }, [passwordHash, userId])
      return result.insertId
    },

    /** Marks the address as proven, if it is still the user's address. */
    async markVerified (connection: PoolConnection, userId: number, email: string): Promise<boolean> {
      const [result] = await connection.execute<ResultSetHeader>({
        sql: 'UPDATE users SET email_verified_at = COALESCE(email_verified_at, NOW(3)) WHERE id = ? AND email = ?',
        timeout
      }, [userId, email])
      return result.affectedRows === 1
    },

    /** Records the address the user wants next; it replaces the current one once proven. */
    async setPendingEmail (connection: PoolConnection, userId: number, email: string) {
      await connection.execute({ sql: 'UPDATE users SET pending_email = ? WHERE id = ?', timeout }, [email, userId])
    },

    /** Replaces the address by the proven pending one (a duplicate throws ER_DUP_ENTRY). */
    async replaceEmail (connection: PoolConnection, userId: number, email: string) {
      await connection.execute({
        sql: 'UPDATE users SET email = ?, email_verified_at = NOW(3), pending_email = NULL WHERE id = ?',
        timeout
      }, [email, userId])
    },

    /** Whether another account uses this address. */
    async emailTaken (email: string, userId: number): Promise<boolean> {
      const [rows] = await db.execute<RowDataPacket[]>({ sql: 'SELECT 1 FROM users WHERE email = ? AND id <> ?', timeout }, [email, userId])
      return rows.length > 0
    },

    /** Deletes the account; its tokens go with it (foreign key). False when it was gone already. */
    async deleteUser (userId: number): Promise<boolean> {
      const [result] = await db.execute<ResultSetHeader>({ sql: 'DELETE FROM users WHERE id = ?', timeout }, [userId])
      return result.affectedRows === 1
    }
  }
}
