import type { Config } from './config.js'

type Stores = Pick<Config, 'DB_HOST' | 'DB_PORT' | 'DB_USER' | 'REDIS_HOST' | 'REDIS_PORT'>

const field = (err: unknown, name: string): string => {
  const value: unknown = typeof err === 'object' && err !== null ? Reflect.get(err, name) : undefined
  return typeof value === 'string' || typeof value === 'number' ? String(value) : ''
}

/** Why a host could not be reached, in words, by the error's code. */
const UNREACHABLE: Record<string, string> = {
  ENOTFOUND: 'does not resolve',
  EAI_AGAIN: 'does not resolve',
  ECONNREFUSED: 'refuses connections',
  ETIMEDOUT: 'does not answer',
  EHOSTUNREACH: 'cannot be reached',
  ENETUNREACH: 'cannot be reached'
}

/**
 * The one line a failed start prints: which store, at which address, and which variables to
 * set, without a stack. A store is told apart by the host or port its error names.
 */
export function startupMessage (err: unknown, config: Stores): string {
  const code = field(err, 'code')
  const host = field(err, 'hostname') || field(err, 'address')
  const port = field(err, 'port')
  const reason = UNREACHABLE[code]
  const isRedis = config.REDIS_HOST !== config.DB_HOST
    ? host === config.REDIS_HOST
    : port === String(config.REDIS_PORT)
  if (reason !== undefined && isRedis) {
    return `Cannot start: Redis at ${config.REDIS_HOST}:${config.REDIS_PORT} ${reason} (${code}); set REDIS_HOST and REDIS_PORT to your Redis`
  }
  if (reason !== undefined) {
    return `Cannot start: MariaDB at ${config.DB_HOST}:${config.DB_PORT} ${reason} (${code}); set DB_HOST and DB_PORT to your MariaDB`
  }
  if (code === 'ER_ACCESS_DENIED_ERROR') {
    return `Cannot start: MariaDB at ${config.DB_HOST}:${config.DB_PORT} refused user ${config.DB_USER}; set DB_USER and DB_PASSWORD`
  }
  if (code === 'AVV_ERR_PLUGIN_EXEC_TIMEOUT') {
    return `Cannot start: the stores did not answer in time; is Redis at ${config.REDIS_HOST}:${config.REDIS_PORT} (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD) up, and MariaDB at ${config.DB_HOST}:${config.DB_PORT} (DB_HOST, DB_PORT)?`
  }
  return `Cannot start: ${err instanceof Error ? err.message : String(err)}`
}
