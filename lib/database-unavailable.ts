import { errorCode } from './error-code.js'

/** Codes of mysql2 and Node errors that mean MariaDB is unreachable, overloaded or too slow. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS', 'ER_SERVER_SHUTDOWN'
])

/**
 * mysql2's pool refuses with plain errors that carry no `code`: a full wait queue (DB_QUEUE_LIMIT),
 * a pool closed at shutdown, and no free connection when waiting is off.
 */
const POOL_REFUSALS = new Set(['Queue limit reached.', 'Pool is closed.', 'No connections available.'])

/**
 * Whether an error of a query means "the database cannot serve this now" (a 503) rather than a
 * bug (a 500). mysql2 marks every error that broke the connection itself as `fatal`.
 */
export function isDatabaseUnavailable (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const code = errorCode(err)
  return (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    POOL_REFUSALS.has(err.message) ||
    ('fatal' in err && err.fatal === true)
}
