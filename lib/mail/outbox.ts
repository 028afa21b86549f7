import { randomBytes } from 'node:crypto'
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise'
import type { Locale, TemplateName, TemplateParams } from './templates.js'

/** A mail to write into the outbox, in the transaction of the change it announces. */
export type OutgoingMail = { [T in TemplateName]: { to: string, template: T, locale: Locale, params: TemplateParams[T] } }[TemplateName]

export interface ClaimedMail {
  id: number
  recipient: string
  template: TemplateName
  locale: Locale
  sealed_params: Buffer | null
  attempts: number
}

export interface Retry { maxAttempts: number, baseSeconds: number, maxSeconds: number }

/** The mail_outbox table (sql/migrations/002_mail_outbox.sql). */
export function outbox (db: Pick<Pool, 'execute'>, timeout: number) {
  return {
    async add (connection: PoolConnection, mail: OutgoingMail, sealed: Buffer) {
      await connection.execute({ sql: 'INSERT INTO mail_outbox (recipient, template, locale, sealed_params) VALUES (?, ?, ?, ?)', timeout },
        [mail.to, mail.template, mail.locale, sealed])
    },

    /**
     * Takes up to `limit` due mails for this sender for `leaseSeconds`: one UPDATE, so two
     * instances never take one row; a sender that dies leaves it due again when the lease ends.
     */
    async claim (limit: number, leaseSeconds: number): Promise<{ claim: Buffer, mails: ClaimedMail[] }> {
      const claim = randomBytes(16)
      const [taken] = await db.execute<ResultSetHeader>({
        sql: `UPDATE mail_outbox SET claim = ?, attempts = attempts + 1, next_attempt_at = NOW(3) + INTERVAL ? SECOND
              WHERE status = 'pending' AND next_attempt_at <= NOW(3) ORDER BY id LIMIT ${Number(limit)}`,
        timeout
      }, [claim, leaseSeconds])
      if (taken.affectedRows === 0) return { claim, mails: [] }
      const [rows] = await db.execute<Array<ClaimedMail & RowDataPacket>>({
        sql: 'SELECT id, recipient, template, locale, sealed_params, attempts FROM mail_outbox WHERE claim = ? ORDER BY id',
        timeout
      }, [claim])
      return { claim, mails: rows }
    },

    async sent (id: number, claim: Buffer) {
      await db.execute({
        sql: 'UPDATE mail_outbox SET status = \'sent\', sent_at = NOW(3), sealed_params = NULL, claim = NULL, last_error = NULL WHERE id = ? AND claim = ?',
        timeout
      }, [id, claim])
    },

    /** Due again after an exponential backoff, or given up (parameters wiped) after the last attempt. */
    async failed (mail: ClaimedMail, claim: Buffer, error: string, retry: Retry) {
      const last = mail.attempts >= retry.maxAttempts
      const delay = Math.min(retry.baseSeconds * 2 ** (mail.attempts - 1), retry.maxSeconds)
      await db.execute({
        sql: `UPDATE mail_outbox SET status = ?, sealed_params = IF(? , NULL, sealed_params), claim = NULL,
                last_error = ?, next_attempt_at = NOW(3) + INTERVAL ? SECOND WHERE id = ? AND claim = ?`,
        timeout
      }, [last ? 'failed' : 'pending', last, error.slice(0, 255), delay, mail.id, claim])
      return last
    },

    /** Mails waiting to go out (for /health-like checks and tests). */
    async pending (): Promise<number> {
      const [rows] = await db.execute<Array<{ n: number } & RowDataPacket>>({ sql: 'SELECT COUNT(*) AS n FROM mail_outbox WHERE status = \'pending\'', timeout })
      return Number(rows[0]?.n ?? 0)
    }
  }
}
