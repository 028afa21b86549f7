import fp from 'fastify-plugin'
import fastifyRedis from '@fastify/redis'
import { readFileSync } from 'node:fs'
import type { Result } from 'ioredis'

declare module 'ioredis' {
  interface RedisCommander<Context> {
    createSession(sessionKey: string, accessKey: string, ...args: Array<string | number>): Result<number, Context>
    rotateSession(sessionKey: string, accessKey: string, successorKey: string, ...args: Array<string | number>): Result<string[], Context>
    endSession(sessionKey: string, accessKey: string, successorKey: string): Result<Array<string | null>, Context>
    adjustLiveCount(bucketKey: string, delta: number, expiresAt: number): Result<number, Context>
  }
}

const script = (name: string) => readFileSync(new URL(`../lib/${name}.lua`, import.meta.url), 'utf8')

/**
 * ioredis for token state. The offline queue is off and commands time out, so a Redis outage
 * turns into a fast 503 instead of requests that hang while ioredis reconnects.
 */
export default fp(async function redis (app) {
  const { config } = app
  await app.register(fastifyRedis, {
    host: config.REDIS_HOST,
    port: config.REDIS_PORT,
    password: config.REDIS_PASSWORD || undefined,
    db: config.REDIS_DB,
    keyPrefix: config.REDIS_KEY_PREFIX,
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000)
  })
  app.redis.defineCommand('createSession', { numberOfKeys: 2, lua: script('create-session') })
  app.redis.defineCommand('rotateSession', { numberOfKeys: 3, lua: script('rotate-session') })
  app.redis.defineCommand('endSession', { numberOfKeys: 3, lua: script('end-session') })
  app.redis.defineCommand('adjustLiveCount', { numberOfKeys: 1, lua: script('adjust-live-count') })
}, { name: 'redis', dependencies: ['config'] })
