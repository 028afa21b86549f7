import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Server } from 'node:net'
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

/** How long a connection accepted just before the listener closed has to deliver its request. */
const ACCEPTED_GRACE_MS = 250
/** How long the drain waits for the requests in flight before Fastify's close takes over. */
const IN_FLIGHT_MS = 8000

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
      // Then stop accepting. Not with http.Server#close (what Fastify's close calls): it also
      // resets at once every connection without a request in progress, among them one just
      // accepted whose request is still on its way. net.Server#close only closes the listener;
      // what was accepted gets a moment to deliver its request (answered with Connection: close),
      // then the idle rest is closed and the requests in flight finish.
      const ended = new Promise(resolve => Server.prototype.close.call(app.server, resolve))
      await sleep(ACCEPTED_GRACE_MS)
      app.server.closeIdleConnections()
      await Promise.race([ended, sleep(IN_FLIGHT_MS)])
    }
  }
}

export default fp(async function lifecycle (app) {
  app.decorate('lifecycle', createLifecycle(app))
}, { name: 'lifecycle', dependencies: ['config'] })
