import fp from 'fastify-plugin'
import { errorCode } from '../lib/error-code.js'
import type { RowDataPacket, ResultSetHeader } from 'mysql2'
import { errors } from '../lib/errors.js'
import { isDatabaseUnavailable } from '../lib/database-unavailable.js'

export interface UserRecord {
  id: number
  username: string
  email: string
  password_hash: string
  /** Raised by every password change (see sessions.create). */
  credential_epoch: number
  created_at: Date
}

declare module 'fastify' {
  interface FastifyInstance {
    users: {
      create(user: { username: string, email: string, passwordHash: string }): Promise<number>
      /** The account whose stored (canonical, lib/canonical.ts) username is exactly this one. */
      findByUsername(username: string): Promise<UserRecord | undefined>
      findById(id: number): Promise<UserRecord | undefined>
      /** Sets a new password hash and returns the user's new credential epoch. */
      setPasswordHash(id: number, passwordHash: string): Promise<number>
      /** Replaces the hash only if it is still `previous` (a password changed meanwhile wins). */
      upgradePasswordHash(id: number, previous: string, next: string): Promise<void>
      recordLogin(id: number): Promise<void>
      tableNames(): Promise<string[]>
    }
  }
}

/** Turns "the database cannot serve this now" into a 503; anything else is a bug and stays a 500. */
function unavailable (err: unknown): never {
  if (isDatabaseUnavailable(err)) throw new errors.DatabaseUnavailable({ cause: err })
  throw err
}

/** The users table; all SQL of the service lives here. */
export default fp(async function users (app) {
  const timeout = app.config.DB_TIMEOUT_MS
  const db = app.mysql

  app.decorate('users', {
    async create ({ username, email, passwordHash }) {
      try {
        const [result] = await db.execute<ResultSetHeader>({
          sql: 'INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)',
          timeout
        }, [username, email, passwordHash])
        app.countEvent('registered')
        return result.insertId
      } catch (err) {
        if (errorCode(err) === 'ER_DUP_ENTRY') {
          throw (err as Error).message.includes('uq_users_email') ? new errors.EmailTaken() : new errors.UsernameTaken()
        }
        return unavailable(err)
      }
    },

    async findByUsername (username) {
      const [rows] = await db.execute<Array<UserRecord & RowDataPacket>>({
        sql: 'SELECT id, username, email, password_hash, credential_epoch, created_at FROM users WHERE username = ?',
        timeout
      }, [username]).catch(unavailable)
      return rows[0]
    },

    async findById (id) {
      const [rows] = await db.execute<Array<UserRecord & RowDataPacket>>({
        sql: 'SELECT id, username, email, password_hash, credential_epoch, created_at FROM users WHERE id = ?',
        timeout
      }, [id]).catch(unavailable)
      return rows[0]
    },

    async setPasswordHash (id, passwordHash) {
      // LAST_INSERT_ID(expr) hands the raised epoch back in the same statement's answer.
      const [result] = await db.execute<ResultSetHeader>({
        sql: 'UPDATE users SET password_hash = ?, credential_epoch = LAST_INSERT_ID(credential_epoch + 1) WHERE id = ?',
        timeout
      }, [passwordHash, id]).catch(unavailable)
      return result.insertId
    },

    async upgradePasswordHash (id, previous, next) {
      await db.execute({ sql: 'UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?', timeout }, [next, id, previous]).catch(unavailable)
    },

    async recordLogin (id) {
      await db.execute({ sql: 'UPDATE users SET last_login_at = CURRENT_TIMESTAMP WHERE id = ?', timeout }, [id]).catch(unavailable)
    },

    /** The service's tables; the migration library's bookkeeping (`kysely_migration*`) is not one. */
    async tableNames () {
      const [rows] = await db.query<RowDataPacket[]>({
        sql: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name NOT LIKE 'kysely\\_%' ORDER BY table_name",
        timeout
      }).catch(unavailable)
      return rows.map(row => String(row.name))
    }
  })
}, { name: 'users', dependencies: ['mysql', 'config', 'metrics'] })
