// `npm run mfa:rekey`: after MFA_ENCRYPTION_KEY was rotated (the old key moved to
// MFA_PREVIOUS_ENCRYPTION_KEYS), seals every TOTP secret again under the current key, so the
// old key can be removed (docs/mfa.md, "Rotating the key").
import { createPool } from 'mysql2/promise'
import { loadConfig, mfaPreviousKeys } from '../lib/config.js'
import { parseKey, secretBox } from '../lib/mfa/secret-box.js'
import { rekey } from '../lib/mfa/rekey.js'

const config = loadConfig()
if (config.MFA_ENCRYPTION_KEY === '') {
  console.error('Cannot re-seal: MFA_ENCRYPTION_KEY is not set')
  process.exit(1)
}
const box = secretBox(parseKey(config.MFA_ENCRYPTION_KEY), mfaPreviousKeys(config).map(parseKey))
const pool = createPool({ host: config.DB_HOST, port: config.DB_PORT, user: config.DB_USER, password: config.DB_PASSWORD, database: config.DB_NAME, connectionLimit: 1 })
try {
  const { resealed, unopenable, left } = await rekey(pool, config.DB_TIMEOUT_MS, box)
  console.log(`re-sealed ${resealed} TOTP secret(s) under key ${box.currentKeyId}; ${left} left under other keys (${unopenable} that no configured key opens)`)
  if (left > 0) process.exitCode = 1
} catch (err) {
  console.error(`Cannot re-seal: ${(err as Error).message}`)
  process.exitCode = 1
} finally {
  await pool.end()
}
