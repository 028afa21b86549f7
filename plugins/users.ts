import fp from 'fastify-plugin'
import { errorCode } from '../lib/error-code.js'
import type { RowDataPacket, ResultSetHeader } from 'mysql2'
import type { PoolConnection } from 'mysql2/promise'
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
  /** When the address was proven (a verification or reset link followed); null until then. */
  email_verified_at: Date | null
  /** An address waiting to be proven before it replaces `email`. */
  pending_email: string | null
  /** The language of the user's mails, from Accept-Language at registration; null: ask the request. */
  locale: string | null
}

const COLUMNS = 'id, username, email, password_hash, credential_epoch, created_at, email_verified_at, pending_email, locale'

declare module 'fastify' {
  interface FastifyInstance {
    users: {
      /**
       * Inserts the user; `then` runs in the same transaction with the new id (the mail that
       * announces the account is written with it, or neither is).
       */
      create(user: { username: string, email: string, passwordHash: string, locale: string | null },
        then?: (connection: PoolConnection, userId: number) => Promise<void>): Promise<number>
      /** The account whose stored (canonical, lib/canonical.ts) username is exactly this one. */
      findByUsername(username: string): Promise<UserRecord | undefined>
      /** The account whose stored (canonical) email is exactly this one. */
      findByEmail(email: string): Promise<UserRecord | undefined>
      /** The account a login names: by email when the name has an `@` (no username has one), else by username. */
      findByLogin(name: string): Promise<UserRecord | undefined>
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

  async function findBy (column: 'id' | 'username' | 'email', value: string | number) {
    const [rows] = await db.execute<Array<UserRecord & RowDataPacket>>({
      sql: `SELECT ${COLUMNS} FROM users WHERE ${column} = ?`,
      timeout
    }, [value]).catch(unavailable)
    return rows[0]
  }

  app.decorate('users', {
    async create ({ username, email, passwordHash, locale }, then) {
      let connection: PoolConnection | undefined
      try {
        connection = await db.getConnection()
        await connection.beginTransaction()
        const [result] = await connection.execute<ResultSetHeader>({
          sql: 'INSERT INTO users (username, email, password_hash, locale) VALUES (?, ?, ?, ?)',
          timeout
        }, [username, email, passwordHash, locale])
        await then?.(connection, result.insertId)
        await connection.commit()
        app.countEvent('registered')
        return result.insertId
      } catch (err) {
        await connection?.rollback().catch(() => {})
        if (errorCode(err) === 'ER_DUP_ENTRY') {
          throw (err as Error).message.includes('uq_users_email') ? new errors.EmailTaken() : new errors.UsernameTaken()
        }
        return unavailable(err)
      } finally {
        connection?.release()
      }
    },

    findByUsername: (username) => findBy('username', username),
    findByEmail: (email) => findBy('email', email),
    findByLogin: (name) => name.includes('@') ? findBy('email', name) : findBy('username', name),
    findById: (id) => findBy('id', id),

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
