import { Cluster, Redis, type RedisOptions } from 'ioredis'
import type { Config } from './config.js'

export interface RedisNode { host: string, port: number }

/** `host:port,host:port` as REDIS_CLUSTER_NODES and REDIS_SENTINELS take it. */
export function parseNodes (list: string): RedisNode[] {
  return list.split(',').map(entry => entry.trim()).filter(entry => entry !== '').map(entry => {
    const at = entry.lastIndexOf(':')
    return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) }
  })
}

export type RedisTopology = 'cluster' | 'sentinel' | 'single'

export function redisTopology (config: Pick<Config, 'REDIS_CLUSTER_NODES' | 'REDIS_SENTINELS'>): RedisTopology {
  if (config.REDIS_CLUSTER_NODES !== '') return 'cluster'
  if (config.REDIS_SENTINELS !== '') return 'sentinel'
  return 'single'
}

/**
 * The ioredis client for one Redis, a Sentinel-managed master or a Redis Cluster. In all three
 * the offline queue is off, commands time out and reconnection never stops, so an outage turns
 * into fast 503s (never requests that wait for Redis) and the service recovers by itself.
 */
export function createRedisClient (config: Config): Redis | Cluster {
  const common = {
    password: config.REDIS_PASSWORD || undefined,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 5000,
    maxRetriesPerRequest: 1
  } satisfies RedisOptions
  const retry = (attempt: number) => Math.min(attempt * 200, 2000)

  if (redisTopology(config) === 'cluster') {
    return new Cluster(parseNodes(config.REDIS_CLUSTER_NODES), {
      // On a Cluster the prefix is a top-level option: inside redisOptions ioredis ignores it.
      keyPrefix: config.REDIS_KEY_PREFIX,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: retry,
      // A master that restarts without a slot change is reconnected to, not dropped for good.
      clusterNodeRetryStrategy: retry,
      slotsRefreshTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
      redisOptions: common
    })
  }
  const sentinel = redisTopology(config) === 'sentinel'
    ? {
        sentinels: parseNodes(config.REDIS_SENTINELS),
        name: config.REDIS_SENTINEL_NAME,
        sentinelPassword: config.REDIS_SENTINEL_PASSWORD || undefined,
        sentinelRetryStrategy: retry
      }
    : { host: config.REDIS_HOST, port: config.REDIS_PORT }
  return new Redis({
    ...common,
    ...sentinel,
    db: config.REDIS_DB,
    keyPrefix: config.REDIS_KEY_PREFIX,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    retryStrategy: retry
  })
}

/** QUIT when Redis answers; when it does not, drop the connection instead of waiting for it. */
export async function closeRedisClient (client: Redis | Cluster, waitMs: number) {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      client.quit(),
      new Promise((resolve) => { timer = setTimeout(resolve, waitMs) })
    ])
  } catch {
    // Redis is down: nothing left to say goodbye to.
  } finally {
    clearTimeout(timer)
    client.disconnect()
  }
}

/**
 * Reads `INFO memory` and says what eviction will do to sessions, or nothing when it is safe.
 * Every key of the service carries a TTL, so volatile-* policies evict them as allkeys-* do.
 * Evicting a session's own keys only logs it out (a token needs its entry to be accepted); but
 * evicting a user's index of sessions hides sessions from "log out everywhere" and from the
 * password change, which must reach them all. Only noeviction keeps every revocation complete.
 */
export function evictionWarning (infoMemory: string): string | undefined {
  const policy = /^maxmemory_policy:(\S+)/m.exec(infoMemory)?.[1]
  const maxmemory = Number(/^maxmemory:(\d+)/m.exec(infoMemory)?.[1] ?? 0)
  if (policy === undefined || maxmemory === 0 || policy === 'noeviction') return undefined
  return `Redis maxmemory-policy is ${policy}: under memory pressure Redis will evict sessions (logging their users out) ` +
    'and may evict a user\'s session index, so that "log out everywhere" or a password change misses a session. ' +
    'Use noeviction: while Redis is full, new logins and refreshes answer 503 and every revocation still works.'
}
