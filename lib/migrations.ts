import { Kysely, Migrator, MysqlDialect, sql, type Migration, type MigrationResult } from 'kysely'
import { createPool } from 'mysql2'
import { createConnection } from 'mysql2/promise'
import { readdir, readFile } from 'node:fs/promises'
import { errorCode } from './error-code.js'
import type { Config } from './config.js'
import { canonicalNames } from './canonical-names.js'

/** sql/migrations, next to lib/ both in the sources and in dist/ (the build copies sql/). */
const MIGRATIONS_DIR = new URL('../sql/migrations/', import.meta.url)
const INITIAL_SCHEMA = new URL('../sql/init.sql', import.meta.url)
const MIGRATION_FILE = /^\d{3}_[a-z0-9_]+\.sql$/

const ACCESS_DENIED = new Set(['ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR'])

type DbSettings = Pick<Config, 'DB_HOST' | 'DB_PORT' | 'DB_USER' | 'DB_PASSWORD' | 'DB_NAME' | 'DB_TIMEOUT_MS'>

/** Steps that rewrite data in code (what SQL cannot compute), ordered by name with the files. */
const CODE_MIGRATIONS: Record<string, Migration> = {
  '003_canonical_names': canonicalNames
}

/** Every step: each `NNN_name.sql` of sql/migrations, run whole as its `up`, and the code steps. */
export async function allMigrations (): Promise<Record<string, Migration>> {
  const steps = Object.entries({ ...await sqlMigrations(), ...CODE_MIGRATIONS })
  // In the order Kysely runs them (by name), whichever kind each step is
  return Object.fromEntries(steps.sort(([a], [b]) => a.localeCompare(b)))
}

/**
 * The first step is the seed's `sql/init.sql` (the users table as it was before versioned
 * migrations; Compose's MariaDB runs the same file on its first start), then every
 * `NNN_name.sql` of sql/migrations, by name; each file is run whole as its `up` step.
 */
async function sqlMigrations (): Promise<Record<string, Migration>> {
  const files = (await readdir(MIGRATIONS_DIR)).filter(file => MIGRATION_FILE.test(file)).sort()
  const migrations: Record<string, Migration> = { '001_users': await sqlStep(INITIAL_SCHEMA) }
  for (const file of files) migrations[file.slice(0, -'.sql'.length)] = await sqlStep(new URL(file, MIGRATIONS_DIR))
  return migrations
}

async function sqlStep (file: URL): Promise<Migration> {
  const text = await readFile(file, 'utf8')
  return { up: async (db) => { await sql.raw(text).execute(db) } }
}

/** Creates the database when it is missing and the account may; an account limited to it may not. */
async function createDatabase (settings: DbSettings) {
  const connection = await createConnection(connectionOf(settings))
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${settings.DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  } catch (err) {
    if (!ACCESS_DENIED.has(errorCode(err) ?? '')) throw err
  } finally {
    await connection.end()
  }
}

function connectionOf (settings: DbSettings) {
  return {
    host: settings.DB_HOST,
    port: settings.DB_PORT,
    user: settings.DB_USER,
    password: settings.DB_PASSWORD,
    connectTimeout: settings.DB_TIMEOUT_MS
  }
}

/**
 * Brings the database to the newest schema with Kysely's migrator: the applied steps are rows of
 * `kysely_migration`, and the whole run holds MariaDB's GET_LOCK, so instances starting together
 * wait for the first and then find nothing left to do. A run that dies releases the lock with its
 * connection. Returns the steps this run applied; throws when one fails (later ones are not run).
 */
export async function migrate (settings: DbSettings): Promise<string[]> {
  await createDatabase(settings)
  const db = new Kysely<object>({
    dialect: new MysqlDialect({
      // One connection holds the lock and runs every step; files may hold several statements.
      pool: createPool({ ...connectionOf(settings), database: settings.DB_NAME, connectionLimit: 1, multipleStatements: true, charset: 'utf8mb4_unicode_ci' })
    })
  })
  try {
    const migrator = new Migrator({ db, provider: { getMigrations: allMigrations } })
    const { error, results = [] } = await migrator.migrateToLatest()
    if (error !== undefined) {
      const failed = results.find(result => result.status === 'Error')
      throw new Error(`migration ${failed?.migrationName ?? '(setup)'} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
    return results.filter((result: MigrationResult) => result.status === 'Success').map(result => result.migrationName)
  } finally {
    await db.destroy()
  }
}
