import Fastify from 'fastify'
import closeWithGrace from 'close-with-grace'
import fp from 'fastify-plugin'
import app, { serverOptions } from './app.js'
import { loadConfig, type Config } from './lib/config.js'
import { startupMessage } from './lib/startup-errors.js'

let config: Config
try {
  config = loadConfig()
} catch (err) {
  console.error((err as Error).message)
  process.exit(1)
}

const server = Fastify(serverOptions(config))

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
  // fp() lifts the app's decorators (lifecycle for the drain) to this instance, as in the tests
  await server.register(fp(app), { config })
  await server.listen({ port: config.PORT, host: config.HOST })
} catch (err) {
  // One line a newcomer can act on (which store, which variables), not a stack
  console.error(startupMessage(err, config))
  process.exit(1)
}
