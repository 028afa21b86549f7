import { sql, type Kysely, type Migration } from 'kysely'
import { errorCode } from './error-code.js'
import { canonical } from './canonical.js'

const COLUMNS = ['username', 'email'] as const

/**
 * Migration 002: usernames and emails in their canonical form (lib/canonical.ts), compared byte
 * for byte. Until now the table's utf8mb4_unicode_ci collation treated `alice`, `alice `,
 * `álice` and `ａlice` as one row, so a limit keyed by the typed string was escaped by respelling.
 *
 * The columns become utf8mb4_nopad_bin (no case, accent, width or trailing-space equivalence),
 * widened so that no canonical form is cut; then each stored value is rewritten to its canonical
 * form, in code (SQL has no NFKC). Both steps can run again, should a start die half-way. A value
 * whose canonical form another row already holds keeps its old spelling: that account no longer
 * matches any login name until an operator renames it (docs/security.md).
 */
export const canonicalNames: Migration = {
  async up (db: Kysely<object>) {
    await sql`ALTER TABLE users
      MODIFY username VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
      MODIFY email VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL`.execute(db)
    const { rows } = await sql<{ id: number, username: string, email: string }>`SELECT id, username, email FROM users ORDER BY id`.execute(db)
    for (const row of rows) {
      for (const column of COLUMNS) {
        const value = canonical(row[column])
        if (value !== row[column]) await rewrite(db, column, row.id, value)
      }
    }
  }
}

async function rewrite (db: Kysely<object>, column: typeof COLUMNS[number], id: number, value: string) {
  try {
    await sql`UPDATE users SET ${sql.ref(column)} = ${value} WHERE id = ${id}`.execute(db)
  } catch (err) {
    if (errorCode(err) !== 'ER_DUP_ENTRY') throw err
  }
}
