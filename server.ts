import Fastify from 'fastify'
import closeWithGrace from 'close-with-grace'
import fp from 'fastify-plugin'
import app, { serverOptions } from './app.js'
import { loadConfig, type Config } from './lib/config.js'

let config: Config
try {
  config = loadConfig()
} catch (err) {
  console.error((err as Error).message)
  process.exit(1)
}

const server = Fastify(serverOptions(config))
// fp() lifts the app's decorators (lifecycle for the drain) to this instance, as in the tests
await server.register(fp(app), { config })

// On SIGTERM/SIGINT: readiness turns 503 and the server keeps serving for
// SHUTDOWN_DRAIN_SECONDS, so load balancers stop routing here; then in-flight requests finish.
closeWithGrace({ delay: (config.SHUTDOWN_DRAIN_SECONDS + 10) * 1000 }, async ({ signal, err }) => {
  if (err) {
    server.log.error({ err }, 'closing after an error')
  } else {
    await server.lifecycle.drain()
    server.log.info({ signal }, 'closing: finishing in-flight requests')
  }
  await server.close()
})

try {
  await server.listen({ port: config.PORT, host: config.HOST })
} catch (err) {
  const message = startupMessage(err, config)
  server.log.fatal({ err }, message)
  console.error(message)
  process.exit(1)
}

function startupMessage (err: unknown, config: Config): string {
  const code = err instanceof Error && 'code' in err ? String(err.code) : ''
  const text = err instanceof Error ? err.message : String(err)
  if (code === 'ERR_AVVIO_PLUGIN_TIMEOUT' && text.includes('redis')) {
    return `Cannot start: Redis at ${config.REDIS_HOST}:${config.REDIS_PORT} did not answer (is it running? is REDIS_PASSWORD right?)`
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ER_ACCESS_DENIED_ERROR'].includes(code)) {
    return `Cannot start: MariaDB at ${config.DB_HOST}:${config.DB_PORT} as ${config.DB_USER}: ${text}`
  }
  return `Cannot start: ${text}`
}
