import fp from 'fastify-plugin'
import fastifyRedis from '@fastify/redis'
import { readFileSync } from 'node:fs'
import type { Result } from 'ioredis'
import { createRedisClient, closeRedisClient, evictionWarning } from '../lib/redis-client.js'
import { errorCode } from '../lib/error-code.js'

declare module 'ioredis' {
  interface RedisCommander<Context> {
    createSession(sessionKey: string, ...args: Array<string | number>): Result<number, Context>
    rotateSession(sessionKey: string, successorKey: string, ...args: Array<string | number>): Result<Array<string | null>, Context>
    endSession(sessionKey: string, successorKey: string): Result<Array<string | null>, Context>
    admitSession(userSessionsKey: string, epochKey: string, ...args: Array<string | number>): Result<number, Context>
    raiseCredentialEpoch(epochKey: string, epoch: number, ttlMs: number): Result<number, Context>
    reissueSession(sessionKey: string, successorKey: string, ...args: Array<string | number>): Result<Array<string | null>, Context>
    adjustLiveCount(bucketKey: string, delta: number, expiresAt: number): Result<number, Context>
  }
}

const script = (name: string) => readFileSync(new URL(`../lib/${name}.lua`, import.meta.url), 'utf8')

/**
 * ioredis for token state: one Redis, a Sentinel-managed master or a Redis Cluster
 * (lib/redis-client.ts). An outage is logged once as a warning, not per failed command, and
 * its end once as info; requests meanwhile get fast 503s from the sessions plugin.
 */
export default fp(async function redis (app) {
  const { config, log } = app
  const client = createRedisClient(config)
  let down = false
  const outage = (err: Error) => {
    if (down) return
    down = true
    log.warn({ err: { message: err.message, code: errorCode(err) } }, 'Redis unreachable: token routes answer 503 until it is back')
  }
  client.on('error', outage)
  client.on('node error', outage)
  client.on('ready', () => {
    if (!down) return
    down = false
    log.info('Redis reachable again')
  })

  await app.register(fastifyRedis, { client })
  app.addHook('onClose', () => closeRedisClient(client, config.REDIS_COMMAND_TIMEOUT_MS))

  app.redis.defineCommand('createSession', { numberOfKeys: 1, lua: script('create-session') })
  app.redis.defineCommand('rotateSession', { numberOfKeys: 2, lua: script('rotate-session') })
  app.redis.defineCommand('endSession', { numberOfKeys: 2, lua: script('end-session') })
  app.redis.defineCommand('admitSession', { numberOfKeys: 2, lua: script('admit-session') })
  app.redis.defineCommand('raiseCredentialEpoch', { numberOfKeys: 1, lua: script('raise-credential-epoch') })
  app.redis.defineCommand('reissueSession', { numberOfKeys: 2, lua: script('reissue-session') })
  app.redis.defineCommand('adjustLiveCount', { numberOfKeys: 1, lua: script('adjust-live-count') })

  const warning = evictionWarning(await client.info('memory').catch(() => ''))
  if (warning !== undefined) log.warn(warning)
}, { name: 'redis', dependencies: ['config'] })
