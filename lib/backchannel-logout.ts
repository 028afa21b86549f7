import { randomBytes } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import { FEED_KEY, sessionEndOfEntry, type SessionEnd } from './revocation-feed.js'

/** A relying party registered for OpenID Connect Back-Channel Logout. */
export interface Receiver { clientId: string, url: string }

/** `client_id=https://rp.example.com/logout,other=https://...` as BACKCHANNEL_LOGOUT_RECEIVERS takes it. */
export function parseReceivers (list: string): Receiver[] {
  return list.split(',').map(entry => entry.trim()).filter(entry => entry !== '').map(entry => {
    const at = entry.indexOf('=')
    const clientId = entry.slice(0, at)
    const url = entry.slice(at + 1)
    if (at < 1 || !/^[\w.-]{1,64}$/.test(clientId) || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new Error(`entry ${at < 1 ? entry.slice(0, 32) : clientId} is not client_id=http(s)://url`)
    }
    return { clientId, url }
  })
}

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout'
const MAX_ATTEMPTS = 8
const MAX_BACKOFF_MS = 60_000
/** Each delivery waits twice as long as the one before to be tried again: 1 s, 2 s, 4 s ... 60 s. */
const backoffMs = (deliveries: number) => Math.min(1000 * 2 ** (deliveries - 1), MAX_BACKOFF_MS)

type Sign = (claims: Record<string, unknown>) => string
type Log = { warn(obj: object, msg: string): void, error(obj: object, msg: string): void }
type StreamEntry = [string, string[]]

/**
 * Sends a signed logout token to every receiver for every session end on the revocation feed.
 * The outbox is the feed's stream itself: each receiver is a consumer group on it, each
 * instance one consumer, so an end is delivered by one instance; an entry stays pending until
 * its receiver answers 2xx, and is claimed again after its backoff by whichever instance comes
 * first (one that crashed mid-delivery included), for up to MAX_ATTEMPTS deliveries.
 */
export function backchannelSender (options: { redis: Redis | Cluster, receivers: Receiver[], signerFor: (receiver: Receiver) => Sign, log: Log, timeoutMs: number }) {
  const { redis, log } = options
  const receivers = options.receivers.map(receiver => ({ ...receiver, sign: options.signerFor(receiver) }))
  const consumer = randomBytes(8).toString('hex')
  const groupOf = (receiver: Receiver) => `backchannel:${receiver.clientId}`

  async function deliver (receiver: Receiver & { sign: Sign }, end: SessionEnd): Promise<boolean> {
    const token = receiver.sign({ sid: end.sid, sub: end.sub, jti: randomBytes(12).toString('base64url'), events: { [BACKCHANNEL_EVENT]: {} } })
    try {
      const res = await fetch(receiver.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }),
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'manual'
      })
      await res.arrayBuffer()
      return res.ok
    } catch {
      return false
    }
  }

  async function handle (receiver: Receiver & { sign: Sign }, entries: StreamEntry[]) {
    await Promise.all(entries.map(async (entry) => {
      const end = sessionEndOfEntry(entry)
      if (end === undefined || await deliver(receiver, end)) await redis.xack(FEED_KEY, groupOf(receiver), entry[0])
    }))
  }

  async function retry (receiver: Receiver & { sign: Sign }) {
    const pending = await redis.xpending(FEED_KEY, groupOf(receiver), '-', '+', 50) as Array<[string, string, number, number]>
    const due = pending.filter(([, , idleMs, deliveries]) => idleMs >= backoffMs(deliveries))
    const abandoned = due.filter(([, , , deliveries]) => deliveries >= MAX_ATTEMPTS).map(([id]) => id)
    if (abandoned.length > 0) {
      log.error({ receiver: receiver.clientId, attempts: MAX_ATTEMPTS, count: abandoned.length }, 'back-channel logout not delivered: given up')
      await redis.xack(FEED_KEY, groupOf(receiver), ...abandoned)
    }
    const retried = due.filter(([, , , deliveries]) => deliveries < MAX_ATTEMPTS)
    // Claimed only while still idle that long: two instances never send the same retry at once
    const claimed = await Promise.all(retried.map(([id, , , deliveries]) =>
      // ioredis types XCLAIM's variadic form wrongly; the reply is the entries claimed
      redis.call('XCLAIM', FEED_KEY, groupOf(receiver), consumer, backoffMs(deliveries), id) as Promise<Array<StreamEntry | null>>))
    await handle(receiver, claimed.flat().filter((entry): entry is StreamEntry => entry !== null))
  }

  async function poll (receiver: Receiver & { sign: Sign }) {
    const read = await redis.xreadgroup('GROUP', groupOf(receiver), consumer, 'COUNT', 50, 'STREAMS', FEED_KEY, '>') as Array<[string, StreamEntry[]]> | null
    await handle(receiver, read?.[0]?.[1] ?? [])
    await retry(receiver)
  }

  return {
    /** Creates each receiver's group (from now on: ends before the first start are not sent). */
    async prepare () {
      for (const receiver of receivers) {
        await redis.xgroup('CREATE', FEED_KEY, groupOf(receiver), '$', 'MKSTREAM').catch((err: unknown) => {
          if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err
        })
      }
    },
    /** One round for every receiver: new ends, then retries that are due. */
    async round () {
      await Promise.all(receivers.map(receiver => poll(receiver).catch((err: unknown) => {
        log.warn({ err, receiver: receiver.clientId }, 'back-channel logout round failed; trying again')
      })))
    }
  }
}
