import fp from 'fastify-plugin'
import fastifyRedis from '@fastify/redis'
import { createRedisClient, closeRedisClient, evictionWarning } from '../lib/redis-client.js'
import { errorCode } from '../lib/error-code.js'

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

  const warning = evictionWarning(await client.info('memory').catch(() => ''))
  if (warning !== undefined) log.warn(warning)
}, { name: 'redis', dependencies: ['config'] })
