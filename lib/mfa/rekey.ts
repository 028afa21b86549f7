import type { Pool } from 'mysql2/promise'
import type { SecretBox } from './secret-box.js'
import { mfaStore } from './store.js'
import { totpContext } from './factors.js'

/**
 * Key rotation's second step: every TOTP secret sealed under another key than the current one
 * is opened with the ring and sealed again under the current key. Rows no key of the ring opens
 * are counted and left as they are.
 */
export async function rekey (db: Pick<Pool, 'execute'>, timeout: number, box: SecretBox) {
  const store = mfaStore(db, timeout)
  let resealed = 0
  let unopenable = 0
  for (const row of await store.sealedUnderOtherKeys(box.currentKeyId)) {
    let secret: string
    try {
      secret = box.open(row, totpContext(row.userId))
    } catch {
      unopenable++
      continue
    }
    // A row changed meanwhile (re-enrolled, turned off) is the next run's
    if (await store.reseal(row.userId, row, box.seal(secret, totpContext(row.userId)))) resealed++
  }
  return { resealed, unopenable, left: (await store.sealedUnderOtherKeys(box.currentKeyId)).length }
}
