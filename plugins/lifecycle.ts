import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: ReturnType<typeof createLifecycle>
  }
}

/**
 * While draining, each answer closes its connection: a client's next request opens a new one,
 * which the balancer sends elsewhere, instead of reusing an idle socket the close would reset.
 * A listener on the HTTP server added when the drain starts, so requests before it pay nothing.
 */
function closeConnection (request: IncomingMessage, response: ServerResponse) {
  if (request.httpVersionMajor === 1) response.setHeader('connection', 'close')
}

function createLifecycle (app: FastifyInstance) {
  let draining = false
  return {
    /** True from the start of a drain until the process ends: readiness answers 503. */
    get draining () { return draining },
    /**
     * Turns readiness to 503 and waits SHUTDOWN_DRAIN_SECONDS while still serving every
     * request, so load balancers stop sending traffic before the server closes.
     */
    async drain () {
      if (!draining) app.server.prependListener('request', closeConnection)
      draining = true
      const seconds = app.config.SHUTDOWN_DRAIN_SECONDS
      app.log.info({ seconds }, 'draining: readiness is 503, still serving requests')
      await sleep(seconds * 1000)
    }
  }
}

export default fp(async function lifecycle (app) {
  app.decorate('lifecycle', createLifecycle(app))
}, { name: 'lifecycle', dependencies: ['config'] })
