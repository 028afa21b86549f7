import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

/** One log line per request, when the answer is sent (Fastify's default writes two). */
export class OneLinePerRequest extends LogController {
  incomingRequest () {}

  requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.info(line, 'request completed')
  }
}
