import { envSchema } from 'env-schema'
import { Type, type Static } from '@sinclair/typebox'
import type { LogLevel } from 'fastify'
import { ipAllowlist } from './ip-allowlist.js'
import { parseReceivers } from './backchannel-logout.js'
import { parseKey } from './mfa/secret-box.js'

/** Fastify's (pino's) levels, spelled out once for the schema. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LogLevel[]

/** Empty, or `host:port` entries separated by commas. */
const HOST_PORT_LIST = '^$|^\\s*[^,\\s]+:\\d{1,5}\\s*(,\\s*[^,\\s]+:\\d{1,5}\\s*)*$'

export const ConfigSchema = Type.Object({
  NODE_ENV: Type.String({ default: 'production' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 5000 }),
  HOST: Type.String({ default: '0.0.0.0' }),
  LOG_LEVEL: Type.Unsafe<LogLevel>({ ...Type.Union(LOG_LEVELS.map(level => Type.Literal(level))), default: 'info' }),

  DB_HOST: Type.String({ default: 'mariadb' }),
  DB_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3306 }),
  DB_USER: Type.String({ default: 'jwt_user' }),
  DB_PASSWORD: Type.String({ default: 'jwt_password' }),
  DB_NAME: Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$', default: 'jwt_auth' }),
  DB_POOL_SIZE: Type.Integer({ minimum: 1, default: 10 }),
  DB_QUEUE_LIMIT: Type.Integer({ minimum: 1, default: 100 }),
  DB_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),

  JWT_ALGORITHM: Type.Union([Type.Literal('HS256'), Type.Literal('EdDSA'), Type.Literal('ES256'), Type.Literal('RS256')], { default: 'HS256' }),
  JWT_SECRET_KEY: Type.String({ default: '' }),
  JWT_PRIVATE_KEY: Type.String({ default: '' }),
  JWT_PRIVATE_KEY_FILE: Type.String({ default: '' }),
  JWT_PREVIOUS_PUBLIC_KEYS_FILE: Type.String({ default: '' }),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'jwt-microservice' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'jwt-microservice' }),
  ACCESS_TOKEN_EXPIRES_MINUTES: Type.Integer({ minimum: 1, default: 15 }),
  REFRESH_TOKEN_EXPIRES_DAYS: Type.Integer({ minimum: 1, default: 7 }),
  SESSION_MAX_DAYS: Type.Integer({ minimum: 1, default: 30 }),
  REFRESH_REUSE_INTERVAL_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 10 }),
  INTROSPECTION_CLIENT_ID: Type.String({ default: '' }),
  INTROSPECTION_CLIENT_SECRET: Type.String({ default: '' }),

  REDIS_HOST: Type.String({ default: 'redis' }),
  REDIS_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 6379 }),
  REDIS_PASSWORD: Type.String({ default: '' }),
  REDIS_DB: Type.Integer({ minimum: 0, default: 0 }),
  REDIS_KEY_PREFIX: Type.String({ default: 'jwt:' }),
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 1000 }),
  REDIS_CLUSTER_NODES: Type.String({ pattern: HOST_PORT_LIST, default: '' }),
  REDIS_SENTINELS: Type.String({ pattern: HOST_PORT_LIST, default: '' }),
  REDIS_SENTINEL_NAME: Type.String({ minLength: 1, default: 'mymaster' }),
  REDIS_SENTINEL_PASSWORD: Type.String({ default: '' }),

  // At least 10 (checked in loadConfig); NODE_ENV=test alone may go down to bcrypt's 4
  BCRYPT_ROUNDS: Type.Integer({ minimum: 4, maximum: 15, default: 12 }),

  // Unset: on, but off in production (see productionSwitches)
  DOCS_ENABLED: Type.Optional(Type.Boolean()),

  CORS_ORIGINS: Type.String({ default: '' }),

  RATE_LIMIT_ENABLED: Type.Boolean({ default: true }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 300 }),
  LOGIN_RATE_LIMIT_IP_MAX: Type.Integer({ minimum: 1, default: 30 }),
  LOGIN_RATE_LIMIT_USERNAME_MAX: Type.Integer({ minimum: 1, default: 10 }),
  LOGIN_RATE_LIMIT_DEVICE_MAX: Type.Integer({ minimum: 1, default: 5 }),
  DEVICE_TOKEN_EXPIRES_DAYS: Type.Integer({ minimum: 1, maximum: 400, default: 90 }),
  REGISTER_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 10 }),
  REFRESH_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 60 }),
  RATE_LIMIT_ALLOWLIST: Type.String({ default: '' }),
  TRUST_PROXY: Type.String({ default: '' }),

  HTTP_CONNECTION_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 120_000 }),
  HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30_000 }),

  HEALTH_CHECK_REUSE_MS: Type.Integer({ minimum: 0, maximum: 60000, default: 1000 }),

  SMTP_HOST: Type.String({ default: '' }),
  SMTP_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
  SMTP_USER: Type.String({ default: '' }),
  SMTP_PASSWORD: Type.String({ default: '' }),
  SMTP_SECURE: Type.Boolean({ default: false }),
  SMTP_STARTTLS: Type.Union([Type.Literal('required'), Type.Literal('opportunistic'), Type.Literal('off')], { default: 'required' }),
  MAIL_FROM: Type.String({ minLength: 3, default: 'jwt-microservice <no-reply@localhost>' }),
  PUBLIC_URL: Type.String({ pattern: '^https?://[^\\s]+$', default: 'http://localhost:5000' }),
  MAIL_POLL_SECONDS: Type.Integer({ minimum: 1, default: 5 }),
  MAIL_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 10 }),
  MAIL_RETRY_SECONDS: Type.Integer({ minimum: 1, default: 30 }),

  PASSWORD_RESET_TTL_MINUTES: Type.Integer({ minimum: 5, maximum: 1440, default: 30 }),
  EMAIL_VERIFICATION_TTL_MINUTES: Type.Integer({ minimum: 5, maximum: 10080, default: 1440 }),
  REQUIRE_EMAIL_VERIFICATION: Type.Boolean({ default: false }),
  ACCOUNT_MAIL_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 3 }),
  PASSWORD_FORGOT_RATE_LIMIT_IP_MAX: Type.Integer({ minimum: 1, default: 10 }),

  SHUTDOWN_DRAIN_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 5 }),
  METRICS_ENABLED: Type.Optional(Type.Boolean()),
  METRICS_TOKEN: Type.String({ default: '' }),

  MFA_ENCRYPTION_KEY: Type.String({ default: '' }),
  MFA_PREVIOUS_ENCRYPTION_KEYS: Type.String({ default: '' }),
  MFA_ISSUER: Type.String({ minLength: 1, maxLength: 64, default: 'jwt-microservice' }),

  FORWARD_AUTH_RULES_FILE: Type.String({ default: '' }),
  BACKCHANNEL_LOGOUT_RECEIVERS: Type.String({ default: '' })
})

type Settings = Static<typeof ConfigSchema>

/** The settings, with the switches whose default depends on NODE_ENV decided. */
export type Config = Settings & { DOCS_ENABLED: boolean, METRICS_ENABLED: boolean }

/**
 * Node checks the header and request timeouts on a timer, every 30 s by default: a stalled
 * request could live that much past its bound. Checked every second, it lives at most 1 s more.
 */
export const HTTP_TIMEOUT_CHECK_INTERVAL_MS = 1000

/** The secret that `local.env` ships for trying the service out; never valid in production. */
export const LOCAL_DEV_SECRET = 'local-development-secret-do-not-use-in-production'

/**
 * Reads and validates the configuration from the environment (and `.env` when present).
 * Throws one error whose message says exactly what to fix.
 */
export function loadConfig (overrides: Record<string, unknown> = {}): Config {
  let config: Settings
  try {
    config = envSchema<Settings>({ schema: structuredClone(ConfigSchema), dotenv: true, data: overrides })
  } catch (err) {
    throw new Error(`Invalid configuration: ${(err as Error).message}`)
  }
  const secretBytes = Buffer.byteLength(config.JWT_SECRET_KEY)
  if (config.JWT_ALGORITHM === 'HS256' && secretBytes < 32) {
    const problem = secretBytes === 0 ? 'is required' : `must be at least 32 bytes (got ${secretBytes})`
    throw new Error(`Invalid configuration: JWT_SECRET_KEY ${problem}; generate one with: openssl rand -hex 32`)
  }
  if (config.NODE_ENV === 'production' && config.JWT_SECRET_KEY === LOCAL_DEV_SECRET) {
    throw new Error('Invalid configuration: JWT_SECRET_KEY is the local development secret from local.env; set a secret of your own in production')
  }
  if (config.BCRYPT_ROUNDS < 10 && config.NODE_ENV !== 'test') {
    throw new Error('Invalid configuration: BCRYPT_ROUNDS must be at least 10 (only NODE_ENV=test may set less)')
  }
  if (config.SESSION_MAX_DAYS < config.REFRESH_TOKEN_EXPIRES_DAYS) {
    throw new Error('Invalid configuration: SESSION_MAX_DAYS must be at least REFRESH_TOKEN_EXPIRES_DAYS')
  }
  if ((config.INTROSPECTION_CLIENT_ID === '') !== (config.INTROSPECTION_CLIENT_SECRET === '')) {
    throw new Error('Invalid configuration: set both INTROSPECTION_CLIENT_ID and INTROSPECTION_CLIENT_SECRET, or neither')
  }
  if (config.INTROSPECTION_CLIENT_SECRET !== '' && Buffer.byteLength(config.INTROSPECTION_CLIENT_SECRET) < 16) {
    throw new Error('Invalid configuration: INTROSPECTION_CLIENT_SECRET must be at least 16 bytes')
  }
  if (config.REDIS_CLUSTER_NODES !== '') {
    if (config.REDIS_SENTINELS !== '') throw new Error('Invalid configuration: set REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both')
    if (config.REDIS_DB !== 0) throw new Error('Invalid configuration: Redis Cluster has only database 0; unset REDIS_DB')
    // The first {...} of a key is its hash tag: the prefix must leave the session's own tag first.
    if (/[{}]/.test(config.REDIS_KEY_PREFIX)) throw new Error('Invalid configuration: with REDIS_CLUSTER_NODES, REDIS_KEY_PREFIX must not contain { or }')
  }
  const badOrigin = corsOrigins(config).find(origin => !/^https?:\/\/[^/\s]+$/.test(origin))
  if (badOrigin !== undefined) {
    throw new Error(`Invalid configuration: CORS_ORIGINS entry "${badOrigin}" is not an origin like https://app.example.com (no path, comma-separated)`)
  }
  for (const variable of ['RATE_LIMIT_ALLOWLIST', 'TRUST_PROXY'] as const) {
    try {
      ipAllowlist(config[variable])
    } catch (err) {
      throw new Error(`Invalid configuration: ${variable} entry ${(err as Error).message} (comma-separated)`)
    }
  }
  if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) {
    throw new Error('Invalid configuration: HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)')
  }
  // A stalled request is answered up to one check interval after its timeout (and a busy loop later)
  if (config.HTTP_CONNECTION_TIMEOUT_MS < config.HTTP_REQUEST_TIMEOUT_MS + 2 * HTTP_TIMEOUT_CHECK_INTERVAL_MS) {
    throw new Error(`Invalid configuration: HTTP_CONNECTION_TIMEOUT_MS must exceed HTTP_REQUEST_TIMEOUT_MS by at least ${2 * HTTP_TIMEOUT_CHECK_INTERVAL_MS} ms, so that a stalled request gets its 408 before its connection is cut`)
  }
  if (config.METRICS_TOKEN !== '' && Buffer.byteLength(config.METRICS_TOKEN) < 16) {
    throw new Error('Invalid configuration: METRICS_TOKEN must be at least 16 bytes')
  }
  if ((config.SMTP_USER === '') !== (config.SMTP_PASSWORD === '')) {
    throw new Error('Invalid configuration: set both SMTP_USER and SMTP_PASSWORD, or neither')
  }
  if (config.REQUIRE_EMAIL_VERIFICATION && config.SMTP_HOST === '') {
    throw new Error('Invalid configuration: REQUIRE_EMAIL_VERIFICATION=true needs SMTP_HOST, or no new account could ever log in')
  }
  let receivers = 0
  try {
    receivers = parseReceivers(config.BACKCHANNEL_LOGOUT_RECEIVERS).length
  } catch (err) {
    throw new Error(`Invalid configuration: BACKCHANNEL_LOGOUT_RECEIVERS ${(err as Error).message} (comma-separated)`)
  }
  if (receivers > 0 && config.JWT_ALGORITHM === 'HS256') {
    throw new Error('Invalid configuration: BACKCHANNEL_LOGOUT_RECEIVERS needs JWT_ALGORITHM EdDSA, ES256 or RS256: receivers verify logout tokens with the JWKS, and an HS256 secret must not be shared')
  }
  checkMfaKeys(config)
  return { ...config, ...productionSwitches(config) }
}

/** MFA secrets are sealed under MFA_ENCRYPTION_KEY; a weak or malformed key never starts. */
function checkMfaKeys (settings: Settings) {
  const previous = mfaPreviousKeys(settings)
  if (settings.MFA_ENCRYPTION_KEY === '' && previous.length > 0) {
    throw new Error('Invalid configuration: MFA_PREVIOUS_ENCRYPTION_KEYS needs MFA_ENCRYPTION_KEY (the key that seals new secrets)')
  }
  for (const [variable, key] of [['MFA_ENCRYPTION_KEY', settings.MFA_ENCRYPTION_KEY], ...previous.map(key => ['MFA_PREVIOUS_ENCRYPTION_KEYS entry', key])]) {
    if (key === '') continue
    try {
      parseKey(key)
    } catch (err) {
      throw new Error(`Invalid configuration: ${variable} ${(err as Error).message}`)
    }
  }
}

/** The keys that only open MFA secrets sealed before a rotation (comma-separated). */
export function mfaPreviousKeys (config: Pick<Config, 'MFA_PREVIOUS_ENCRYPTION_KEYS'>): string[] {
  return config.MFA_PREVIOUS_ENCRYPTION_KEYS.split(',').map(key => key.trim()).filter(key => key !== '')
}

/**
 * In production no operational detail is public unless asked for: the API documentation is off
 * unless DOCS_ENABLED=true, and /metrics is on only with METRICS_TOKEN (METRICS_ENABLED=true
 * without one is refused). Elsewhere both are on unless turned off.
 */
function productionSwitches (settings: Settings): Pick<Config, 'DOCS_ENABLED' | 'METRICS_ENABLED'> {
  const production = settings.NODE_ENV === 'production'
  const token = settings.METRICS_TOKEN !== ''
  if (production && settings.METRICS_ENABLED === true && !token) {
    throw new Error('Invalid configuration: METRICS_ENABLED=true in production needs METRICS_TOKEN (at least 16 bytes; openssl rand -hex 32), or /metrics would be public')
  }
  return {
    DOCS_ENABLED: settings.DOCS_ENABLED ?? !production,
    METRICS_ENABLED: settings.METRICS_ENABLED ?? (!production || token)
  }
}

/** The browser origins CORS_ORIGINS allows (comma-separated); none means CORS stays closed. */
export function corsOrigins (config: Pick<Config, 'CORS_ORIGINS'>): string[] {
  return config.CORS_ORIGINS.split(',').map(origin => origin.trim()).filter(origin => origin !== '')
}
